"""Organization mode: the dispatcher records the fleet the scanner checks native events against.

The dispatcher may write the snapshot table (PutItem of the FLEET item) only in organization
mode; the scanner reads it with the GetItem it already has, and needs no Organizations access.
"""

from __future__ import annotations

import pytest

from tests.infra.conftest import Synthesized, synthesize
from tests.infra.test_infra_organizations import ORGANIZATION, STATIC, actions_of, statements_of_role


@pytest.fixture(scope="module")
def org_hub() -> Synthesized:
    return synthesize(ORGANIZATION)


def test_the_dispatcher_writes_the_fleet_item_in_organization_mode_only(org_hub: Synthesized) -> None:
    table = org_hub.logical_id(org_hub.stack.scanner.table)
    writes = [
        s for s in statements_of_role(org_hub, "Dispatcher") if "dynamodb:PutItem" in actions_of([s])
    ]
    assert [s["Resource"] for s in writes] == [{"Fn::GetAtt": [table, "Arn"]}]
    scanner = actions_of(statements_of_role(org_hub, "Scanner"))
    assert "dynamodb:GetItem" in scanner
    assert not [a for a in scanner if a.startswith("organizations:")]
    static = synthesize(STATIC)
    assert "dynamodb:PutItem" not in actions_of(statements_of_role(static, "Dispatcher"))
