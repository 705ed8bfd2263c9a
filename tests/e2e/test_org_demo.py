"""The organization part of `make demo`: three accounts, two regions, a missing role, a recovery.

The same LocalStack as `python -m local.run` (synthesized template with organization mode
on moto, bundled functions, the multi-account emulator), with local/org_demo.py's accounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from local.org_demo import ACME_LABS
from local.run import LocalStack, StackOptions
from tests.e2e.test_demo_story import called_actions

HUB = "123456789012"


@pytest.fixture(scope="module")
def org_story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    options = StackOptions(output_dir=tmp_path_factory.mktemp("org-demo"), organization=True)
    with LocalStack(options) as stack:
        stack.play()
        yield stack


def _details(stack: LocalStack, detail_type: str | None = None) -> list[dict[str, Any]]:
    return [e["detail"] for e in stack.transitions if detail_type is None or e["detail-type"] == detail_type]


def test_three_accounts_in_two_regions_one_of_them_found_by_discovery(org_story: LocalStack) -> None:
    assert org_story.org_demo is not None
    discovered = next(a for a in org_story.org_demo.members if a != ACME_LABS)
    targets = {(d["accountId"], d["region"]) for d in _details(org_story) if d["scope"] != "TARGET"}
    assert {HUB, discovered, ACME_LABS} <= {account for account, _ in targets}
    assert {(discovered, "us-east-1"), (discovered, "us-west-2")} <= targets


def test_the_missing_role_is_announced_once_and_its_recovery_once(org_story: LocalStack) -> None:
    [unhealthy] = _details(org_story, "Target Unhealthy")
    [recovered] = _details(org_story, "Target Recovered")
    assert (unhealthy["accountId"], unhealthy["region"], unhealthy["reason"]) == (
        ACME_LABS,
        "us-west-2",
        "ASSUME_ROLE_FAILED",
    )
    assert recovered["accountId"] == ACME_LABS and recovered["since"] == unhealthy["since"]
    slack = Counter(n.event_id for n in org_story.notifications if n.destination == "slack")
    assert slack[unhealthy["eventId"]] == 1 and slack[recovered["eventId"]] == 1
    # Its registration is reported once the role exists, the others never waited for it.
    labs = [d for d in _details(org_story) if d["accountId"] == ACME_LABS and d["scope"] == "VERSION"]
    assert [d["status"] for d in labs] == ["REQUIRES_AUTHENTICATION"]


def test_nothing_is_lost_or_duplicated(org_story: LocalStack) -> None:
    ids = Counter(d["eventId"] for d in _details(org_story))
    assert max(ids.values()) == 1
    assert not any(org_story.dead_letters().values())


def test_organization_mode_calls_are_exactly_allowed_by_each_role(org_story: LocalStack) -> None:
    assert org_story.iam_gate is not None
    assert org_story.iam_gate.denials() == [], org_story.iam_gate.summary()
    # The missing role was refused as AWS refuses it, and that is not a policy denial.
    assert org_story.iam_gate.counters.refused_missing_roles >= 1
    by_handler = {f.spec.handler.split(".")[0]: f.spec.name for f in org_story.functions.values()}
    assert {"organizations:ListAccounts", "sqs:SendMessage"} <= called_actions(
        org_story, by_handler["dispatcher"]
    )
    assert "sts:AssumeRole" in called_actions(org_story, by_handler["scanner"])
    # Organizations reads belong to the dispatcher alone; AssumeRole to the scanner alone.
    for name, function_name in by_handler.items():
        called = called_actions(org_story, function_name)
        assert name == "dispatcher" or not any(a.startswith("organizations:") for a in called)
        assert name == "scanner" or "sts:AssumeRole" not in called
    # Member accounts were read with the spoke role's credentials, and checked against it.
    spoke_calls = {
        action
        for (caller, action) in org_story.iam_gate.checked_by()
        if "assumed-role/regwatch-spoke-reader/" in caller
    }
    assert {"sms-voice:DescribeRegistrations", "sms-voice:DescribeRegistrationVersions"} <= spoke_calls
