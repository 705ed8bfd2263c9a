"""Multi-account synthesis: the hub in organization and static mode, and the RegwatchSpoke stack.

Every synthesis runs cdk-nag (AwsSolutions); reaching the assertions means zero
unacknowledged findings in the hub and in the spoke.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from infra.config import ConfigError, load_config
from infra.nag import add_nag_checks
from infra.spoke import SPOKE_STACK_ID, RegwatchSpokeStack
from regwatch_aws.organizations import ORGANIZATIONS_READ_ACTIONS
from regwatch_aws.sms_actions import LIST_REGISTRATIONS_ACTION, MESSAGING_READ_ACTIONS, SMS_READ_ACTIONS
from tests.infra.conftest import Synthesized

ORG_ID = "o-abcdefghij"
ORGANIZATION = {
    "organization": {"enabled": True, "organizationId": ORG_ID, "ouIds": ["ou-ab12-cdefgh12"]},
    "spokeRoleName": "regwatch-reader",
    "maxScannerConcurrency": 50,
    "spoke": {"hubAccountId": "123456789012", "hubRegion": "us-east-1"},
}
STATIC = {
    "accounts": [
        {"id": "111122223333"},
        {
            "id": "222233334444",
            "roleArn": "arn:aws:iam::222233334444:role/custom-reader",
            "regions": ["eu-west-1"],
        },
    ],
    "externalId": "regwatch-7f3a9c",
}


def synth_spoke(settings: dict[str, Any]) -> dict[str, Any]:
    app = cdk.App(context={"aws:cdk:bundling-stacks": [], "regwatch": settings})
    RegwatchSpokeStack(app, SPOKE_STACK_ID, config=load_config(app.node.get_all_context()))
    add_nag_checks(app)
    return app.synth().get_stack_by_name(SPOKE_STACK_ID).template  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def org_hub(synth):  # type: ignore[no-untyped-def]
    return synth(ORGANIZATION)


@pytest.fixture(scope="module")
def static_hub(synth):  # type: ignore[no-untyped-def]
    return synth(STATIC)


def statements_of_role(synthesized: Synthesized, construct_id: str) -> list[dict[str, Any]]:
    role_id = synthesized.logical_id(synthesized.stack.node.find_child(f"{construct_id}Role"))
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if policy["Properties"]["Roles"] == [{"Ref": role_id}]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def test_organization_mode_grants_organizations_reads_to_the_dispatcher_only(org_hub: Synthesized) -> None:
    dispatcher = statements_of_role(org_hub, "Dispatcher")
    [orgs] = [s for s in dispatcher if any("organizations:" in a for a in actions_of([s]))]
    assert sorted(actions_of([orgs])) == sorted(ORGANIZATIONS_READ_ACTIONS)
    assert all(
        a.startswith("organizations:Describe") or a.startswith("organizations:List")
        for a in actions_of([orgs])
    )
    assert not [
        a for a in actions_of(statements_of_role(org_hub, "Scanner")) if a.startswith("organizations:")
    ]


def test_the_scanner_assumes_only_the_spoke_role_name(org_hub: Synthesized, static_hub: Synthesized) -> None:
    [assume] = [s for s in statements_of_role(org_hub, "Scanner") if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/regwatch-reader"]]
    }
    assert assume["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORG_ID}}
    # Static mode: the listed accounts are known, so exactly their roles (no wildcard account).
    [assume] = [s for s in statements_of_role(static_hub, "Scanner") if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::111122223333:role/regwatch-spoke-reader"],
            ]
        },
        "arn:aws:iam::222233334444:role/custom-reader",
    ]
    assert "Condition" not in assume
    # The dispatcher of static mode needs no Organizations access.
    assert not [a for a in actions_of(statements_of_role(static_hub, "Dispatcher")) if "organizations:" in a]


def test_the_scanner_role_has_the_fixed_name_spokes_trust(org_hub: Synthesized) -> None:
    role = org_hub.json["Resources"][org_hub.logical_id(org_hub.stack.node.find_child("ScannerRole"))]
    assert role["Properties"]["RoleName"] == {"Fn::Join": ["", ["regwatch-scanner-", {"Ref": "AWS::Region"}]]}


def test_concurrency_and_target_settings_reach_the_functions(org_hub: Synthesized) -> None:
    [mapping] = org_hub.resources("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 50}
    scanner = org_hub.json["Resources"][org_hub.logical_id(org_hub.stack.scanner.function)]
    variables = scanner["Properties"]["Environment"]["Variables"]
    assert json.loads(variables["ORGANIZATION"]) == {
        "enabled": True,
        "ouIds": ["ou-ab12-cdefgh12"],
        "excludeAccounts": [],
        "includeAccounts": [],
    }
    assert variables["SPOKE_ROLE_NAME"] == "regwatch-reader"


def test_the_hub_bus_accepts_forwarded_status_changes_only_from_the_organization_or_listed_accounts(
    org_hub: Synthesized, static_hub: Synthesized
) -> None:
    [policy] = org_hub.resources("AWS::Events::EventBusPolicy").values()
    statement = policy["Properties"]["Statement"]
    assert statement["Action"] == "events:PutEvents"
    assert statement["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": ORG_ID}
    [static_policy] = static_hub.resources("AWS::Events::EventBusPolicy").values()
    rendered = json.dumps(static_policy["Properties"])
    assert "111122223333" in rendered and "222233334444" in rendered and "PrincipalOrgID" not in rendered
    rule = org_hub.json["Resources"][org_hub.logical_id(org_hub.stack.member_event_rule)]["Properties"]
    assert rule["EventBusName"] == {"Ref": org_hub.logical_id(org_hub.stack.bus)}
    assert rule["EventPattern"] == {
        "source": ["aws.sms-voice"],
        "detail-type": ["Registration Status Change"],
    }


def test_single_account_mode_has_no_bus_policy_and_no_fixed_role_name(synth) -> None:  # type: ignore[no-untyped-def]
    single = synth({})
    assert not single.resources("AWS::Events::EventBusPolicy")
    role = single.json["Resources"][single.logical_id(single.stack.node.find_child("ScannerRole"))]
    assert "RoleName" not in role["Properties"], "existing deployments keep their scanner role"


def _spoke_reader(template: dict[str, Any]) -> dict[str, Any]:
    [role] = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("RoleName") is not None
    ]
    return role


def test_spoke_role_in_organization_mode(org_hub: Synthesized) -> None:
    template = synth_spoke(ORGANIZATION)
    role = _spoke_reader(template)
    assert role["Properties"]["RoleName"] == "regwatch-reader"
    assert role["Condition"] == "CreateRoleHere"
    [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${HubAccountId}:role/regwatch-scanner-${HubRegion}"}
    }
    assert "*" not in json.dumps(trust["Principal"]), "no wildcard principal"
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}
    # Exactly the SMS API reads the scanner makes (the same list as the hub scanner's), nothing else.
    [policy] = role["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert sorted(actions_of(statements)) == sorted(SMS_READ_ACTIONS)
    hub_sms_reads = {
        a for a in actions_of(statements_of_role(org_hub, "Scanner")) if a.startswith("sms-voice:")
    }
    assert hub_sms_reads == set(SMS_READ_ACTIONS)
    # Listing calls are authorized against "*"; every read of one registration against its ARN only.
    registrations = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":sms-voice:*:",
                {"Ref": "AWS::AccountId"},
                ":registration/*",
            ],
        ]
    }
    for statement in statements:
        listing = actions_of([statement]) == {LIST_REGISTRATIONS_ACTION, *MESSAGING_READ_ACTIONS}
        expected = "*" if listing else registrations
        assert statement["Resource"] == expected, statement
    parameters = template["Parameters"]
    assert parameters["HubAccountId"]["Default"] == "123456789012"
    assert parameters["OrganizationId"]["Default"] == ORG_ID
    forward = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert len(forward) == 1
    assert forward[0]["Properties"]["EventPattern"] == {
        "source": ["aws.sms-voice"],
        "detail-type": ["Registration Status Change"],
    }


def test_spoke_role_in_static_mode_requires_the_external_id() -> None:
    template = synth_spoke(STATIC)
    [trust] = _spoke_reader(template)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert template["Parameters"]["ExternalId"]["NoEcho"] is True
    with pytest.raises(ConfigError, match=r"regwatch\.externalId"):
        synth_spoke({"accounts": [{"id": "111122223333"}]})


def test_spoke_without_forwarding_has_no_rule() -> None:
    template = synth_spoke({**ORGANIZATION, "spoke": {"forwardNativeEvents": False}})
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
