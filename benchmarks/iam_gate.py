"""The IAM gate (local/iam) for the benchmarks' stacks, which name their resources themselves.

The roles come from the synthesized template (synthesized once per process, without
bundling), resolved with the benchmark's own table, bus and queue names
(local.iam.named); the regwatch scanner signs with the Scanner function's key. In
organization mode the RegwatchSpoke role is what assumed credentials are checked against,
and every account belongs to the organization the template names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
    spoke_role_name: str = "regwatch-spoke-reader",
) -> tuple[IamGate, str]:
    """The gate and the key the regwatch scanner signs with. `organization_accounts`: the
    organization mode's accounts (None: single account)."""
    settings: dict[str, Any] = {"monitoredRegions": list(regions)}
    if organization_accounts is not None:
        settings["organization"] = {"enabled": True, "organizationId": ORGANIZATION_ID}
        settings["spokeRoleName"] = spoke_role_name
    hub, spoke = _templates(json.dumps(settings, sort_keys=True))
    book = book_for_names(hub, names, functions={SCANNER_HANDLER}, region=region, account=account)
    organizations: dict[str, str] = {}
    if organization_accounts is not None and spoke is not None:
        parameters = {"HubAccountId": account, "HubRegion": region, "RoleRegion": region}
        book.add_assumable_roles(spoke, region=region, parameters=parameters)
        organizations = dict.fromkeys(organization_accounts, ORGANIZATION_ID)
    gate = IamGate(moto_url, emulator_url, book, default_account=account, organizations=organizations)
    return gate, function_key(hub, SCANNER_HANDLER)
