"""The local provisioner and EventBridge-target delivery, on moto server over real sockets.

A small hand-written template stands in for the synthesized one, with the intrinsics
CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub); events really flow bus → rule pattern
→ delivery queue, and `invoke` is a plain function so failures can be scripted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.delivery import TargetDelivery, dead_letter_messages, redrive
from local.provision import ProvisionedStack, Provisioner, TemplateError

TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "test-bus"}},
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
            },
        },
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        },
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Metadata": {"aws:asset:path": "asset.abc", "aws:cdk:path": "Test/Notify/Resource"},
            "Properties": {
                "Handler": "notify.handler.lambda_handler",
                "Runtime": "python3.12",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Timeout": 60,
                "Environment": {
                    "Variables": {
                        "TABLE": {"Ref": "Table"},
                        "TOPIC": {"Ref": "Topic"},
                        "BUS_ARN": {"Fn::GetAtt": ["Bus", "Arn"]},
                        "JOINED": {
                            "Fn::Join": [
                                "",
                                ["arn:", {"Ref": "AWS::Partition"}, ":x:", {"Ref": "AWS::Region"}],
                            ]
                        },
                        "SUBBED": {"Fn::Sub": "${AWS::AccountId}/${Table}"},
                    }
                },
            },
        },
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventBusName": {"Ref": "Bus"},
                "EventPattern": {"source": ["test"], "detail": {"status": ["DENIED", "REVOKED"]}},
                "State": "ENABLED",
                "Targets": [
                    {
                        "Arn": {"Fn::GetAtt": ["Fn", "Arn"]},
                        "Id": "Target0",
                        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Dlq", "Arn"]}},
                        "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                    }
                ],
            },
        },
    }
}


def _clients(url: str) -> dict[str, Any]:
    return {
        name: boto3.client(name, endpoint_url=url)
        for name in ("sqs", "sns", "dynamodb", "events", "secretsmanager")
    }


@pytest.fixture
def provisioned(aws: str, tmp_path: Path) -> tuple[ProvisionedStack, dict[str, Any]]:
    (tmp_path / "asset.abc" / "notify").mkdir(parents=True)
    clients = _clients(aws)
    stack = Provisioner(TEMPLATE, clients, tmp_path, stack_name="Test").provision()
    return stack, clients


def _put(events: Any, status: str, event_id: str) -> None:
    response = events.put_events(
        Entries=[
            {
                "Source": "test",
                "DetailType": "Registration Version Changed",
                "Detail": json.dumps({"status": status, "eventId": event_id}),
                "EventBusName": "test-bus",
            }
        ]
    )
    assert response["FailedEntryCount"] == 0


def test_resources_and_function_environment_come_from_the_template(
    provisioned: tuple[ProvisionedStack, dict[str, Any]], tmp_path: Path
) -> None:
    stack, clients = provisioned
    table = clients["dynamodb"].describe_table(TableName="Test-Table")["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    ttl = clients["dynamodb"].describe_time_to_live(TableName="Test-Table")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    spec = stack.function_for_handler("notify.handler.lambda_handler")
    assert spec.name == "Notify"
    assert spec.asset_path == (tmp_path / "asset.abc").resolve()
    assert spec.timeout_seconds == 60
    assert spec.environment == {
        "TABLE": "Test-Table",
        "TOPIC": "arn:aws:sns:us-east-1:123456789012:Test-Topic",
        "BUS_ARN": "arn:aws:events:us-east-1:123456789012:event-bus/test-bus",
        "JOINED": "arn:aws:x:us-east-1",
        "SUBBED": "123456789012/Test-Table",
    }
    topics = [t["TopicArn"] for t in clients["sns"].list_topics()["Topics"]]
    assert spec.environment["TOPIC"] in topics
    assert stack.skipped == {}


def test_rule_pattern_is_kept_and_lambda_target_becomes_a_delivery_queue(
    provisioned: tuple[ProvisionedStack, dict[str, Any]],
) -> None:
    stack, clients = provisioned
    (target,) = stack.lambda_targets
    assert target.max_retries == 2
    assert target.max_event_age_seconds == 3600
    assert target.event_pattern == {"source": ["test"], "detail": {"status": ["DENIED", "REVOKED"]}}
    rule = clients["events"].describe_rule(Name=target.rule_name, EventBusName="test-bus")
    assert json.loads(rule["EventPattern"]) == target.event_pattern
    _put(clients["events"], "DENIED", "e1")
    _put(clients["events"], "APPROVED", "e2")  # not matched by the pattern
    received: list[dict[str, Any]] = []
    delivery = TargetDelivery(
        clients["sqs"], target.delivery_queue_url, received.append, target.dead_letter_queue_url,
        target.max_retries, target.max_event_age_seconds,
        rule_arn=target.rule_arn, target_arn=target.target_arn,
    )  # fmt: skip
    stats = delivery.drain()
    assert [e["detail"]["eventId"] for e in received] == ["e1"]
    assert (stats.delivered, stats.retried, stats.dead_lettered) == (1, 0, 0)
    assert delivery.drain().delivered == 0, "a drained queue delivers nothing twice"


def test_failures_are_retried_then_dead_lettered_with_eventbridge_attributes_and_redriven_once(
    provisioned: tuple[ProvisionedStack, dict[str, Any]],
) -> None:
    stack, clients = provisioned
    (target,) = stack.lambda_targets
    attempts: list[str] = []
    healthy = {"value": False}
    delivered: list[str] = []

    def invoke(event: dict[str, Any]) -> str:
        attempts.append(event["detail"]["eventId"])
        if not healthy["value"]:
            raise RuntimeError("Slack answered 500")
        delivered.append(event["detail"]["eventId"])
        return "ok"

    delivery = TargetDelivery(
        clients["sqs"], target.delivery_queue_url, invoke, target.dead_letter_queue_url,
        target.max_retries, target.max_event_age_seconds,
        rule_arn=target.rule_arn, target_arn=target.target_arn,
    )  # fmt: skip
    _put(clients["events"], "REVOKED", "e3")
    stats = delivery.drain()
    assert attempts == ["e3"] * 3, "one attempt plus MaximumRetryAttempts=2"
    assert (stats.delivered, stats.retried, stats.dead_lettered) == (0, 2, 1)
    (dead,) = dead_letter_messages(clients["sqs"], target.dead_letter_queue_url)
    assert dead["event"]["detail"]["eventId"] == "e3"
    assert dead["attributes"]["ERROR_CODE"] == "SDK_CLIENT_ERROR"
    assert "Slack answered 500" in dead["attributes"]["ERROR_MESSAGE"]
    assert dead["attributes"]["RULE_ARN"] == target.rule_arn
    assert dead["attributes"]["TARGET_ARN"] == target.target_arn
    assert dead["attributes"]["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"

    assert redrive(clients["sqs"], target.dead_letter_queue_url, delivery) == 0, "still failing: stays"
    assert len(dead_letter_messages(clients["sqs"], target.dead_letter_queue_url)) == 1
    healthy["value"] = True
    assert redrive(clients["sqs"], target.dead_letter_queue_url, delivery) == 1
    assert redrive(clients["sqs"], target.dead_letter_queue_url, delivery) == 0
    assert delivered == ["e3"]
    assert dead_letter_messages(clients["sqs"], target.dead_letter_queue_url) == []


def test_event_older_than_the_maximum_age_is_dead_lettered_without_more_retries(
    provisioned: tuple[ProvisionedStack, dict[str, Any]],
) -> None:
    stack, clients = provisioned
    (target,) = stack.lambda_targets
    now = {"t": 1_000_000.0}
    calls: list[int] = []

    def invoke(event: dict[str, Any]) -> None:
        calls.append(1)
        now["t"] += 4000  # each attempt "takes" longer than the 3600 s maximum age
        raise TimeoutError("Sandbox.Timedout")

    delivery = TargetDelivery(
        clients["sqs"], target.delivery_queue_url, invoke, target.dead_letter_queue_url, 5, 3600,
        clock=lambda: now["t"],
    )  # fmt: skip
    outcome = delivery.deliver({"detail": {"eventId": "old"}}, first_seen=now["t"])
    assert len(calls) == 1
    assert outcome.exhausted_condition == "MaximumEventAgeInSeconds"
    assert outcome.error_code == "TIMEOUT"


def test_unsupported_intrinsic_is_reported(aws: str, tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": {"Fn::ImportValue": "elsewhere"}}}
        }
    }
    with pytest.raises(TemplateError, match="Fn::ImportValue"):
        Provisioner(template, _clients(aws), tmp_path).provision()
