"""The IAM gate between boto3 and moto server / the SMS API emulator, over real sockets.

A hand-written book (one function role, one bus policy, one assumable role) keeps each
test about one rule; tests/deployed_shape runs the gate with the synthesized templates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local.iam.gate import IamGate
from local.iam.roles import PolicyBook, Role
from regwatch_aws.planning_index import PLANNING_INDEX_NAME, snapshot_table_request

HUB = "123456789012"
MEMBER = "210987654321"
ORG = "o-abcdefghij"
KEY = "LOCALScanner"  # what local.functions gives the Scanner function
BUS = f"arn:aws:events:us-east-1:{HUB}:event-bus/regwatch"
SPOKE = "regwatch-spoke-reader"


def _statement(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _spoke_template() -> dict[str, Any]:
    return {
        "Resources": {
            "Reader": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": SPOKE,
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{HUB}:role/scanner"},
                                "Action": "sts:AssumeRole",
                                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
                            }
                        ]
                    },
                    "Policies": [
                        {
                            "PolicyName": "read",
                            "PolicyDocument": {
                                "Statement": [_statement("sms-voice:DescribeRegistrations", "*")]
                            },
                        }
                    ],
                },
            }
        }
    }


@pytest.fixture
def gate(aws: str, emulator: Any) -> Iterator[IamGate]:
    book = PolicyBook()
    book.functions[KEY] = Role(
        "scanner",
        HUB,
        (
            {
                "Statement": [
                    _statement("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{HUB}:table/snapshots"),
                    _statement("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{HUB}:table/snapshots"),
                    _statement("sts:AssumeRole", f"arn:aws:iam::*:role/{SPOKE}"),
                    _statement("events:PutEvents", BUS),
                ]
            },
        ),
        session="Scanner",
    )
    book.resource_policies[BUS] = [
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "events:PutEvents",
                    "Resource": BUS,
                    "Condition": {
                        "StringEquals": {"aws:PrincipalOrgID": ORG},
                        "StringLike": {"events:source": ["aws.sms-voice"]},
                    },
                }
            ]
        }
    ]
    book.add_assumable_roles(_spoke_template(), region="us-east-1", parameters={})
    started = IamGate(aws, emulator.url, book, organizations={HUB: ORG, MEMBER: ORG})
    yield started
    started.stop()


def _client(gate: IamGate, service: str, key: str = KEY, **credentials: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=gate.url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="local",
        config=Config(retries={"total_max_attempts": 1}),
        **credentials,
    )


def _error(call: Any, **request: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return dict(caught.value.response["Error"])


def test_an_allowed_call_is_forwarded_a_refused_one_answers_access_denied_and_is_counted(
    gate: IamGate,
) -> None:
    admin = _client(gate, "dynamodb", key="testing")
    admin.create_table(
        TableName="snapshots",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    scanner = _client(gate, "dynamodb")
    assert "Item" not in scanner.get_item(TableName="snapshots", Key={"pk": {"S": "x"}})
    error = _error(scanner.put_item, TableName="snapshots", Item={"pk": {"S": "x"}})
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: arn:aws:sts::{HUB}:assumed-role/scanner/Scanner is not authorized to perform: "
        f"dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:{HUB}:table/snapshots "
        "because no identity-based policy allows the dynamodb:PutItem action"
    )
    assert gate.denied_by() == {(f"arn:aws:sts::{HUB}:assumed-role/scanner/Scanner", "dynamodb:PutItem"): 1}
    assert gate.checked_total == 2
    assert "denied calls: 1" in gate.summary()
    # Test code and provisioning (any other key) are not restricted.
    admin.put_item(TableName="snapshots", Item={"pk": {"S": "y"}})
    assert gate.denied_total == 1


def test_a_query_of_an_index_needs_the_index_arn_the_table_s_arn_is_not_enough(gate: IamGate) -> None:
    _client(gate, "dynamodb", key="testing").create_table(**snapshot_table_request("snapshots"))
    scanner = _client(gate, "dynamodb")
    query = {
        "TableName": "snapshots",
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "x"}},
    }
    assert scanner.query(**query)["Items"] == []
    error = _error(scanner.query, IndexName=PLANNING_INDEX_NAME, **query)
    assert error["Code"] == "AccessDeniedException"
    assert (
        f"dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:{HUB}:table/snapshots/index/planning"
        in error["Message"]
    )


def test_each_protocol_gets_its_own_error_shape(gate: IamGate) -> None:
    sqs_error = _error(_client(gate, "sqs").send_message, QueueUrl=f"http://q/{HUB}/work", MessageBody="x")
    assert sqs_error["Code"] == "AccessDenied", "SQS's JSON protocol keeps the query error code"
    sns_error = _error(_client(gate, "sns").publish, TopicArn=f"arn:aws:sns:us-east-1:{HUB}:t", Message="x")
    assert sns_error["Code"] == "AuthorizationError"
    sts_error = _error(
        _client(gate, "sts").assume_role,
        RoleArn=f"arn:aws:iam::{MEMBER}:role/other",
        RoleSessionName="session",
    )
    assert sts_error["Code"] == "AccessDenied"
    sms_error = _error(_client(gate, "pinpoint-sms-voice-v2").describe_registrations)
    assert sms_error["Code"] == "AccessDeniedException"
    secret_error = _error(_client(gate, "secretsmanager").get_secret_value, SecretId="regwatch/slack")
    assert secret_error["Code"] == "AccessDeniedException"
    assert gate.denied_total == 5
    # Asking who you are needs no permission.
    assert _client(gate, "sts").get_caller_identity()["Account"]


def test_assumed_credentials_are_checked_against_the_assumed_role_and_its_trust(
    gate: IamGate, emulator_control: Any
) -> None:
    role = f"arn:aws:iam::{MEMBER}:role/{SPOKE}"
    issued = _client(gate, "sts").assume_role(RoleArn=role, RoleSessionName="regwatch")["Credentials"]
    member = _client(
        gate,
        "pinpoint-sms-voice-v2",
        key=issued["AccessKeyId"],
        aws_session_token=issued["SessionToken"],
    )
    assert member.describe_registrations()["Registrations"] == []
    error = _error(member.describe_registration_versions, RegistrationId="registration-x")
    assert error["Code"] == "AccessDeniedException"
    assert f"arn:aws:sts::{MEMBER}:assumed-role/{SPOKE}/regwatch" in error["Message"]
    assert f"arn:aws:sms-voice:us-east-1:{MEMBER}:registration/registration-x" in error["Message"]
    # The trust policy: the org condition must hold for the caller.
    gate.organizations[HUB] = "o-zzzzzzzzzz"
    assert (
        _error(_client(gate, "sts").assume_role, RoleArn=role, RoleSessionName="again")["Code"]
        == "AccessDenied"
    )
    # A role that does not exist (yet) is refused, counted apart from policy denials.
    gate.organizations[HUB] = ORG
    gate.missing_roles.add(role)
    assert (
        _error(_client(gate, "sts").assume_role, RoleArn=role, RoleSessionName="session")["Code"]
        == "AccessDenied"
    )
    assert gate.counters.refused_missing_roles == 1
    assert gate.denied_total == 2


def test_cross_account_put_events_needs_the_bus_policy(gate: IamGate) -> None:
    from moto.iam.utils import generate_access_key_id_from_account_id

    gate.organizations["999988887777"] = "o-zzzzzzzzzz"
    entry = {
        "EventBusName": BUS,
        "Source": "aws.sms-voice",
        "DetailType": "Registration Status Change",
        "Detail": "{}",
    }

    def put(account: str, **changes: str) -> dict[str, Any] | None:
        key = generate_access_key_id_from_account_id(account, "AKIA")
        try:
            _client(gate, "events", key=key).put_events(Entries=[{**entry, **changes}])
        except ClientError as error:
            return dict(error.response["Error"])
        return None

    # A member of the organization forwards AWS's event: the gate lets it through to moto
    # (which looks for the bus in the caller's own account: not the gate's business).
    forwarded = put(MEMBER)
    assert forwarded is None or forwarded["Code"] == "ResourceNotFoundException", forwarded
    assert any(action == "events:PutEvents" and MEMBER in caller for caller, action in gate.checked_by())
    assert put(MEMBER, Source="someone.else")["Code"] == "AccessDeniedException"  # type: ignore[index]
    refused = put("999988887777")
    assert (
        refused is not None
        and "no resource-based policy allows the events:PutEvents action" in refused["Message"]
    )
    assert gate.denied_total == 2


def test_a_trust_policy_must_allow_even_within_the_role_s_own_account(gate: IamGate) -> None:
    other_key = "LOCALOther"
    gate.book.functions[other_key] = Role(
        "other",
        HUB,
        ({"Statement": [_statement("sts:AssumeRole", "*")]},),
        session="Other",
    )
    role = f"arn:aws:iam::{HUB}:role/{SPOKE}"
    # The trust policy names the scanner's role: the scanner may, another role of the account may not.
    assert _client(gate, "sts").assume_role(RoleArn=role, RoleSessionName="scanner")["Credentials"]
    error = _error(_client(gate, "sts", key=other_key).assume_role, RoleArn=role, RoleSessionName="other")
    assert error["Code"] == "AccessDenied"
    assert gate.denied_by() == {(f"arn:aws:sts::{HUB}:assumed-role/other/Other", "sts:AssumeRole"): 1}


def test_assume_role_limited_to_the_organization_by_the_resource_s_org(gate: IamGate) -> None:
    """infra/fanout.py grants the organization mode's AssumeRole on any account's spoke role
    under aws:ResourceOrgID: the gate knows which organization the role's account is in."""
    gate.book.functions[KEY] = Role(
        "scanner",
        HUB,
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Resource": f"arn:aws:iam::*:role/{SPOKE}",
                        "Condition": {"StringEquals": {"aws:ResourceOrgID": ORG}},
                    }
                ]
            },
        ),
        session="Scanner",
    )
    role = f"arn:aws:iam::{MEMBER}:role/{SPOKE}"
    assert _client(gate, "sts").assume_role(RoleArn=role, RoleSessionName="in-org")["Credentials"]
    gate.organizations[MEMBER] = "o-zzzzzzzzzz"  # the account left for another organization
    error = _error(_client(gate, "sts").assume_role, RoleArn=role, RoleSessionName="outside")
    assert error["Code"] == "AccessDenied"
