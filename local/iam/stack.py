"""The gate of a stack built from the synthesized templates (local.run, the deployed-shape suite).

`spoke_template(cdk_outdir)` reads the RegwatchSpoke template the same `python app.py` wrote
(multi-account settings only); `gate_for_stack` starts an `IamGate` that knows every hub
function's role and resource policy and, with a spoke template, the spoke role each member
account would have (its parameters are what the StackSet passes: the hub's account and
region).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from local.iam.gate import IamGate
from local.iam.roles import PolicyBook
from local.provision import Provisioner

SPOKE_STACK = "RegwatchSpoke"


def spoke_template(cdk_outdir: Path) -> dict[str, Any] | None:
    manifest = json.loads((cdk_outdir / "manifest.json").read_text())
    artifact = manifest.get("artifacts", {}).get(SPOKE_STACK)
    if artifact is None or artifact.get("type") != "aws:cloudformation:stack":
        return None
    template: dict[str, Any] = json.loads((cdk_outdir / artifact["properties"]["templateFile"]).read_text())
    return template


def gate_for_stack(
    provisioner: Provisioner,
    function_ids: Iterable[str],
    *,
    moto_url: str,
    emulator_url: str,
    spoke: Mapping[str, Any] | None = None,
    organizations: Mapping[str, str] | None = None,
) -> IamGate:
    book = PolicyBook.from_stack(provisioner, function_ids)
    if spoke is not None:
        hub = {"HubAccountId": provisioner.account_id, "HubRegion": provisioner.region}
        book.add_assumable_roles(
            spoke, region=provisioner.region, parameters={**hub, "RoleRegion": provisioner.region}
        )
    return IamGate(
        moto_url, emulator_url, book, default_account=provisioner.account_id, organizations=organizations
    )
