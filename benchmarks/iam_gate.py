"""The IAM gate (local/iam) for the benchmarks' stacks, which name their resources themselves.

The roles come from the synthesized template (synthesized once per process, without
bundling), resolved with the benchmark's own table, bus and queue names
(local.iam.named); the regwatch scanner signs with the Scanner function's key. In
organization mode the RegwatchSpoke role is what assumed credentials are checked against,
and every account belongs to the organization the template names.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from local.iam.gate import IamGate
from local.iam.named import book_for_names, function_key, synthesized_templates

ROOT = Path(__file__).resolve().parents[1]
SCANNER_HANDLER = "scanner.handler.lambda_handler"
ORGANIZATION_ID = "o-regwatchbench"  # in the template's trust policy; the gate gives it to every account


@lru_cache(maxsize=4)
def _templates(settings_json: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    defaults = json.loads((ROOT / "cdk.json").read_text())["context"]["regwatch"]
    return synthesized_templates({**defaults, **json.loads(settings_json)})


def start_gate(
    moto_url: str,
    emulator_url: str,
    names: Mapping[str, str],
    *,
    regions: Iterable[str],
    region: str,
    account: str,
    organization_accounts: Iterable[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    handlers: Collection[str] = (SCANNER_HANDLER,),
) -> tuple[IamGate, dict[str, str]]:
    """The gate and the key each function of `handlers` signs with. `organization_accounts`:
    the organization mode's accounts (None: no organization); `settings`: more `regwatch`
    settings of the synthesized template (static accounts, the Slack secret's name…)."""
    synth: dict[str, Any] = {"monitoredRegions": list(regions), **(settings or {})}
    if organization_accounts is not None:
        synth["organization"] = {"enabled": True, "organizationId": ORGANIZATION_ID}
    hub, spoke = _templates(json.dumps(synth, sort_keys=True))
    book = book_for_names(hub, names, functions=handlers, region=region, account=account)
    organizations: dict[str, str] = {}
    if spoke is not None:
        parameters = {"HubAccountId": account, "HubRegion": region, "RoleRegion": region}
        book.add_assumable_roles(spoke, region=region, parameters=parameters)
    if organization_accounts is not None:
        organizations = dict.fromkeys(organization_accounts, ORGANIZATION_ID)
    gate = IamGate(moto_url, emulator_url, book, default_account=account, organizations=organizations)
    return gate, {handler: function_key(hub, handler) for handler in handlers}
