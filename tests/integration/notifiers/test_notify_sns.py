"""The SNS notifier handler end to end on moto server: SNS topic with SQS subscribers
(one unfiltered, one with a filter policy) read back over real sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from function_support.settings_parsing import SettingsError
from notifier.handler import notifier_function
from regwatch.notification_errors import DestinationFailed, InvalidEvent
from regwatch_alerts.render_text import SUBJECT_LIMIT
from tests.golden.sample_events import SAMPLES, event_for, huge_denial
from tests.integration.notifiers.conftest import FakeLambdaContext, emitted_metrics

sns_handler = notifier_function("sns")


@dataclass
class Topic:
    arn: str
    all_queue: str
    urgent_queue: str  # subscribed with a filter policy: severity = ACTION_REQUIRED

    def received(self, queue_url: str) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            if not batch.get("Messages"):
                return messages
            for message in batch["Messages"]:
                messages.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _subscribed_queue(topic_arn: str, name: str, filter_policy: dict[str, Any] | None = None) -> str:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {}
    boto3.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes
    )
    return str(url)


@pytest.fixture
def topic(idempotency_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Topic]:
    arn = boto3.client("sns").create_topic(Name="regwatch-notifications")["TopicArn"]
    found = Topic(
        arn=arn,
        all_queue=_subscribed_queue(arn, "all-notifications"),
        urgent_queue=_subscribed_queue(arn, "urgent-notifications", {"severity": ["ACTION_REQUIRED"]}),
    )
    monkeypatch.setenv("NOTIFICATION_TOPIC_ARN", arn)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", idempotency_table)
    monkeypatch.delenv("MESSAGE_FORMAT", raising=False)
    monkeypatch.delenv("EVENT_SOURCE", raising=False)
    sns_handler.runtime.reset()
    yield found
    sns_handler.runtime.reset()


def invoke(event: Any) -> dict[str, Any]:
    return sns_handler.lambda_handler(event, FakeLambdaContext())


def test_text_message_has_subject_body_and_filterable_attributes(topic: Topic) -> None:
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    result = invoke(event)
    [delivered] = topic.received(topic.all_queue)
    assert delivered["MessageId"] == result["messageId"]
    assert delivered["Subject"].startswith("[regwatch] Action required: registration-0a1b2c3d4e5f")
    assert len(delivered["Subject"]) <= SUBJECT_LIMIT
    body = delivered["Message"]
    for reason in event["detail"]["deniedReasons"]:
        assert reason["shortDescription"] in body
        assert reason["documentationLink"] in body
    assert event["detail"]["consoleUrl"] in body
    attributes = {name: value["Value"] for name, value in delivered["MessageAttributes"].items()}
    assert attributes["status"] == "DENIED"
    assert attributes["severity"] == "ACTION_REQUIRED"
    assert attributes["registrationType"] == "US_TEN_DLC_CAMPAIGN_REGISTRATION"
    assert attributes["region"] == "us-east-1"


def test_a_target_event_without_a_registration_type_is_published(topic: Topic) -> None:
    """SNS refuses an empty String attribute, failing the whole Publish: a held-deletions
    event (scope TARGET, no registration type) once never reached the topic."""
    from tests.unit.test_health_contract import held_envelope

    held = held_envelope()
    invoke(held)
    [delivered] = topic.received(topic.all_queue)
    assert held["detail"]["eventId"] in delivered["Message"]
    attributes = {name: value["Value"] for name, value in delivered["MessageAttributes"].items()}
    assert attributes["status"] == "TARGET_DELETIONS_HELD" and "registrationType" not in attributes


def test_filter_policy_on_severity_lets_only_urgent_alerts_through(topic: Topic) -> None:
    # In lifecycle order: the samples share one registration and second (docs/notifications.md, Ordering).
    for sample in ("version_requires_authentication_10dlc_brand", "version_reviewing", "version_approved"):
        invoke(event_for(SAMPLES[sample]()))
    assert len(topic.received(topic.all_queue)) == 3
    urgent = topic.received(topic.urgent_queue)
    assert [m["MessageAttributes"]["status"]["Value"] for m in urgent] == ["REQUIRES_AUTHENTICATION"]
    # The authentication deadline estimate (the body is wrapped for mail clients).
    assert "until about 2025-03-10 09:15 UTC" in " ".join(urgent[0]["Message"].split())


def test_chatbot_format_publishes_custom_notification_json(
    topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESSAGE_FORMAT", "chatbot")
    sns_handler.runtime.reset()
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    invoke(event)
    [delivered] = topic.received(topic.all_queue)
    notification = json.loads(delivered["Message"])
    assert notification["version"] == "1.0"
    assert notification["source"] == "custom"
    assert notification["metadata"]["threadId"] == event["detail"]["registrationId"]
    assert notification["content"]["title"]
    assert notification["content"]["nextSteps"]
    assert "ACTION_REQUIRED" in notification["content"]["keywords"]
    assert delivered["MessageAttributes"]["severity"]["Value"] == "ACTION_REQUIRED"


def test_same_event_twice_publishes_once(topic: Topic, capsys: pytest.CaptureFixture[str]) -> None:
    event = event_for(SAMPLES["registration_complete"]())
    assert invoke(event)["result"] == "sent"
    assert invoke(event)["result"] == "duplicate"
    assert len(topic.received(topic.all_queue)) == 1
    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics.get("NotificationsSent") == 1
    assert metrics.get("DuplicatesSkipped") == 1


def test_huge_denial_fits_sns_limits(topic: Topic) -> None:
    invoke(event_for(huge_denial()))
    [delivered] = topic.received(topic.all_queue)
    assert len(delivered["Message"].encode("utf-8")) < 256 * 1024
    assert "REASON_00" in delivered["Message"]


def test_missing_topic_fails_the_invocation(
    topic: Topic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("sns").delete_topic(TopicArn=topic.arn)
    event = event_for(SAMPLES["version_revoked"]())
    with pytest.raises(DestinationFailed, match="sns delivery failed: NotFound"):
        invoke(event)
    assert emitted_metrics(capsys.readouterr().out).get("DestinationFailures") == 1
    # Nothing was recorded as done: once the topic is back, the retried event is published.
    boto3.client("sns").create_topic(Name="regwatch-notifications")
    queue = _subscribed_queue(topic.arn, "after-recovery")
    assert invoke(event)["result"] == "sent"
    assert len(topic.received(queue)) == 1


def test_foreign_event_is_rejected(topic: Topic) -> None:
    native = {**event_for(SAMPLES["version_approved"]()), "source": "aws.sms-voice"}
    with pytest.raises(InvalidEvent, match=r"aws\.sms-voice"):
        invoke(native)
    assert topic.received(topic.all_queue) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MESSAGE_FORMAT", "html", "MESSAGE_FORMAT must be 'text' or 'chatbot'"),
        ("NOTIFICATION_TOPIC_ARN", "my-topic", "NOTIFICATION_TOPIC_ARN is not an SNS topic ARN"),
        ("IDEMPOTENCY_TABLE_NAME", "", "IDEMPOTENCY_TABLE_NAME is not set"),
    ],
)
def test_bad_setting_is_named(
    topic: Topic, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    sns_handler.runtime.reset()
    with pytest.raises(SettingsError, match=expected):
        invoke(event_for(SAMPLES["version_approved"]()))
