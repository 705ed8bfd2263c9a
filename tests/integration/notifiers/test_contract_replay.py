"""Consumers accept every 1.x event: recorded 1.0 events (from docs/events.md as released
under 1.0, before `alert` existed) still reach both notifiers; a 1.1 event with
`alert: false` reaches neither."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from local.slack_webhook import SlackWebhookServer
from notifier.handler import notifier_function
from tests.golden.sample_events import SAMPLES, event_for
from tests.integration.notifiers.conftest import FakeLambdaContext, create_secret

slack_handler = notifier_function("slack")
sns_handler = notifier_function("sns")

RECORDED = Path(__file__).resolve().parents[2] / "golden" / "recorded"
RECORDED_1_0 = sorted(RECORDED.glob("contract_1_0_*.json"))


@pytest.fixture
def notifiers(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, slack: SlackWebhookServer
) -> Iterator[str]:
    """Both notifiers configured; yields the URL of an SQS queue subscribed to the topic."""
    topic_arn = boto3.client("sns").create_topic(Name="regwatch-replay")["TopicArn"]
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="replay")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    for name, value in {
        "SLACK_WEBHOOK_SECRET_ARN": create_secret(slack.webhook_url),
        "IDEMPOTENCY_TABLE_NAME": idempotency_table,
        "NOTIFICATION_TOPIC_ARN": topic_arn,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("EVENT_SOURCE", "SLACK_TIMEOUT_SECONDS", "MESSAGE_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    slack_handler.runtime.reset()
    sns_handler.runtime.reset()
    parameters.clear_caches()
    yield str(queue_url)
    slack_handler.runtime.reset()
    sns_handler.runtime.reset()


def _sns_messages(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in batch]


@pytest.mark.parametrize("recorded", RECORDED_1_0, ids=[p.stem for p in RECORDED_1_0])
def test_a_recorded_1_0_event_still_reaches_both_notifiers(
    notifiers: str, slack: SlackWebhookServer, recorded: Path
) -> None:
    event = json.loads(recorded.read_text(encoding="utf-8"))
    assert event["detail"]["schemaVersion"] == "1.0" and "alert" not in event["detail"]
    assert slack_handler.lambda_handler(event, FakeLambdaContext())["result"] == "sent"
    assert sns_handler.lambda_handler(event, FakeLambdaContext())["result"] == "sent"
    assert len(slack.deliveries) == 1
    assert event["detail"]["registrationId"] in slack.deliveries[0]["text"]
    [message] = _sns_messages(notifiers)
    assert event["detail"]["registrationId"] in message["Subject"]


def test_an_event_that_is_not_the_alert_reaches_no_one(notifiers: str, slack: SlackWebhookServer) -> None:
    event = event_for(SAMPLES["registration_requires_updates"]())
    event["detail"]["alert"] = False
    assert slack_handler.lambda_handler(event, FakeLambdaContext())["result"] == "not-an-alert"
    assert sns_handler.lambda_handler(event, FakeLambdaContext())["result"] == "not-an-alert"
    assert slack.deliveries == []
    assert _sns_messages(notifiers) == []


def test_the_daily_digest_reaches_both_notifiers_once(notifiers: str, slack: SlackWebhookServer) -> None:
    from tests.unit.test_digest import NOW, _event, _snapshot

    event = _event([_snapshot(1, "COMPLETE", NOW - timedelta(days=9), "APPROVED")], NOW)
    assert slack_handler.lambda_handler(event, FakeLambdaContext())["result"] == "sent"
    assert sns_handler.lambda_handler(event, FakeLambdaContext())["result"] == "sent"
    assert slack_handler.lambda_handler(event, FakeLambdaContext())["result"] == "duplicate"
    assert len(slack.deliveries) == 1
    assert "Quiet day" in slack.deliveries[0]["text"]
    [message] = _sns_messages(notifiers)
    assert message["Subject"].startswith("[regwatch] Daily digest")
    assert message["MessageAttributes"]["kind"]["Value"] == "digest"
