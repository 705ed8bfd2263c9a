"""The scanner and the spoke role stay read-only: `regwatch resubmit-draft --apply` writes with a
role of the operator's (sms-voice:CreateRegistrationVersion, sms-voice:PutRegistrationFieldValue),
never with anything this app deploys.

Walks every IAM policy of the synthesized hub (single-account and organization mode) and of
the RegwatchSpoke stack: each sms-voice action must be a Describe*/List* read, and no
statement may grant sms-voice:* or *.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from regwatch_aws.registration_drafts import WRITE_ACTIONS
from tests.infra.conftest import Synthesizer
from tests.infra.test_infra_organizations import ORGANIZATION, synth_spoke

READ_PREFIXES = ("sms-voice:Describe", "sms-voice:List")


def granted_actions(template: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(logical id, action) of every Allow statement in every policy of the template."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = (
            [properties.get("PolicyDocument")]
            if resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}
            else []
        )
        if resource["Type"] == "AWS::IAM::Role":
            documents += [p.get("PolicyDocument") for p in properties.get("Policies", [])]
        for document in filter(None, documents):
            for statement in document.get("Statement", []):
                if statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action", [])
                for action in [actions] if isinstance(actions, str) else actions:
                    yield logical_id, str(action)


@pytest.fixture(scope="module")
def templates(synth: Synthesizer) -> dict[str, dict[str, Any]]:
    return {
        "hub": synth().json,
        "organization hub": synth(ORGANIZATION).json,
        "spoke": synth_spoke(ORGANIZATION),
    }


def test_no_deployed_role_can_write_registrations(templates: dict[str, dict[str, Any]]) -> None:
    sms_reads: set[str] = set()
    for name, template in templates.items():
        for logical_id, action in granted_actions(template):
            assert action not in {"*", "sms-voice:*"}, f"{name}: {logical_id} grants {action}"
            if action.lower().startswith("sms-voice:"):
                assert action.startswith(READ_PREFIXES), f"{name}: {logical_id} grants the write {action}"
                sms_reads.add(action)
    assert not set(WRITE_ACTIONS) & sms_reads
    assert {"sms-voice:DescribeRegistrations", "sms-voice:DescribeRegistrationFieldValues"} <= sms_reads, (
        "the walk must see the scanner's real grants, or it proves nothing"
    )
