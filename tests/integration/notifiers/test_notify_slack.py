"""The Slack notifier handler end to end: moto (Secrets Manager, DynamoDB) and a
Slack-compatible webhook server over real sockets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from function_support.settings_parsing import SettingsError
from local.slack_webhook import SlackWebhookServer
from notifier.handler import notifier_function
from regwatch.notification_errors import DestinationFailed, InvalidEvent, SecretUnavailable
from tests.golden.sample_events import SAMPLES, event_for
from tests.integration.notifiers.conftest import (
    SECRET_NAME,
    CapturedLogs,
    FakeLambdaContext,
    create_secret,
    emitted_metrics,
)

slack_handler = notifier_function("slack")


@pytest.fixture
def slack_env(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, slack: SlackWebhookServer
) -> Iterator[dict[str, str]]:
    arn = create_secret(slack.webhook_url)
    env = {"SLACK_WEBHOOK_SECRET_ARN": arn, "IDEMPOTENCY_TABLE_NAME": idempotency_table}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EVENT_SOURCE", raising=False)
    monkeypatch.delenv("SLACK_TIMEOUT_SECONDS", raising=False)
    slack_handler.runtime.reset()
    parameters.clear_caches()
    yield env
    slack_handler.runtime.reset()


def invoke(event: dict[str, Any], context: FakeLambdaContext | None = None) -> dict[str, Any]:
    return slack_handler.lambda_handler(event, context or FakeLambdaContext())


@pytest.mark.parametrize(
    ("sample", "emoji"),
    [
        ("version_denied_with_reasons", ":rotating_light:"),
        ("version_requires_authentication_10dlc_brand", ":rotating_light:"),
        ("version_revoked", ":rotating_light:"),
        ("registration_requires_updates", ":rotating_light:"),
        ("version_approved", ":white_check_mark:"),
        ("registration_complete", ":white_check_mark:"),
        ("version_reviewing", ":information_source:"),
        ("version_unknown_status", ":information_source:"),
        ("registration_deleted", ":information_source:"),
    ],
)
def test_each_severity_posts_one_accepted_message(
    slack_env: dict[str, str],
    slack: SlackWebhookServer,
    sample: str,
    emoji: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = event_for(SAMPLES[sample]())
    result = invoke(event)
    assert result["result"] == "sent"
    assert slack.rejections == []
    assert len(slack.deliveries) == 1
    message = slack.deliveries[0]
    assert message["blocks"][0]["text"]["text"].startswith(emoji)
    assert event["detail"]["registrationId"] in message["text"]
    button = next(b for b in message["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["url"] == event["detail"]["consoleUrl"]
    assert emitted_metrics(capsys.readouterr().out).get("NotificationsSent") == 1


def test_denial_reasons_arrive_with_descriptions_and_links(
    slack_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    invoke(event)
    texts = json.dumps(slack.deliveries[0]["blocks"])
    for reason in event["detail"]["deniedReasons"]:
        assert reason["shortDescription"] in texts
        assert reason["longDescription"][:60] in texts
        assert f"<{reason['documentationLink']}|{reason['documentationTitle']}>" in texts


def test_same_event_twice_posts_once(
    slack_env: dict[str, str], slack: SlackWebhookServer, capsys: pytest.CaptureFixture[str]
) -> None:
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    first = invoke(event)
    redelivered = {**event, "id": "another-eventbridge-delivery-id"}
    second = invoke(redelivered)
    assert first["result"] == "sent"
    assert second["result"] == "duplicate"
    assert len(slack.requests) == 1
    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics.get("NotificationsSent") == 1
    assert metrics.get("DuplicatesSkipped") == 1


def test_rate_limited_then_success_honours_retry_after(
    slack_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    slack.script([{"status": 429, "retry_after": 1}])
    result = invoke(event_for(SAMPLES["version_approved"]()))
    assert result["result"] == "sent"
    assert len(slack.requests) == 2
    assert len(slack.deliveries) == 1


def test_persistent_server_error_fails_the_invocation_and_a_retry_can_still_deliver(
    slack_env: dict[str, str], slack: SlackWebhookServer, capsys: pytest.CaptureFixture[str]
) -> None:
    event = event_for(SAMPLES["version_revoked"]())
    slack.script([{"status": 500}] * 3)
    with pytest.raises(DestinationFailed) as failure:
        invoke(event)
    assert failure.value.status == 500
    assert len(slack.requests) == 3  # first try + 2 retries by slack_sdk's ServerErrorRetryHandler
    assert slack.deliveries == []
    assert emitted_metrics(capsys.readouterr().out).get("DestinationFailures") == 1
    # The failed attempt left no idempotency record behind: EventBridge/Lambda's retry posts.
    assert invoke(event)["result"] == "sent"
    assert len(slack.deliveries) == 1


def test_invalid_payload_is_not_retried_and_fails(
    slack_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    slack.script([{"status": 400, "body": "invalid_payload"}])
    with pytest.raises(DestinationFailed, match="invalid_payload"):
        invoke(event_for(SAMPLES["version_submitted"]()))
    assert len(slack.requests) == 1


def test_slow_answer_beyond_timeout_is_retried(
    slack_env: dict[str, str], slack: SlackWebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "1")
    slack_handler.runtime.reset()
    slack.script([{"delay": 2.0}])
    assert invoke(event_for(SAMPLES["version_reviewing"]()))["result"] == "sent"
    assert len(slack.requests) == 2
    # The slow first attempt still lands once the server wakes up: a timeout retry can
    # duplicate a message (documented trade-off: a rare duplicate beats a lost alert).
    assert slack.wait_idle()
    assert len(slack.deliveries) == 2


@pytest.mark.parametrize("secret_format", ["plain", "json"])
def test_secret_in_either_format(
    secret_format: str,
    monkeypatch: pytest.MonkeyPatch,
    idempotency_table: str,
    slack: SlackWebhookServer,
) -> None:
    value = slack.webhook_url if secret_format == "plain" else json.dumps({"webhookUrl": slack.webhook_url})
    arn = create_secret(value, name=f"regwatch/slack-{secret_format}")
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", arn)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", idempotency_table)
    slack_handler.runtime.reset()
    try:
        assert invoke(event_for(SAMPLES["version_approved"]()))["result"] == "sent"
    finally:
        slack_handler.runtime.reset()
    assert len(slack.deliveries) == 1


def test_missing_secret_fails_clearly(
    slack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, slack: SlackWebhookServer
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", "regwatch/no-such-secret")
    slack_handler.runtime.reset()
    with pytest.raises(SecretUnavailable, match=r"regwatch/no-such-secret: ResourceNotFoundException"):
        invoke(event_for(SAMPLES["version_approved"]()))
    assert slack.requests == []


def test_webhook_url_never_reaches_logs_or_errors(
    slack_env: dict[str, str],
    slack: SlackWebhookServer,
    captured_logs: CapturedLogs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret_part = slack.path.rsplit("/", 1)[-1]
    invoke(event_for(SAMPLES["version_approved"]()))
    slack.script([{"status": 500}] * 3 + [{"status": 404, "body": f"no_service {slack.webhook_url}"}])
    errors = []
    for sample in ("version_denied_with_reasons", "version_revoked"):
        with pytest.raises(DestinationFailed) as failure:
            invoke(event_for(SAMPLES[sample]()))
        errors.append(repr(failure.value) + str(failure.value.__cause__) + str(failure.value.__context__))
    # A secret holding garbage must not be echoed either.
    boto3.client("secretsmanager").put_secret_value(
        SecretId=SECRET_NAME, SecretString=f"x{slack.webhook_url}"
    )
    slack_handler.runtime.reset()
    with pytest.raises(SecretUnavailable) as bad_secret:
        invoke(event_for(SAMPLES["registration_complete"]()))  # another registration: not older news
    errors.append(str(bad_secret.value))
    output = captured_logs.text(capsys)
    assert "Delivered" in output  # the capture works: the handler's own log lines are here
    assert "Delivery failed" in output
    assert secret_part not in output
    assert all(secret_part not in error for error in errors), errors


def test_rotated_webhook_is_picked_up_after_a_failure(
    slack_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    invoke(event_for(SAMPLES["version_approved"]()))
    rotated = SlackWebhookServer.start(port=0)
    try:
        boto3.client("secretsmanager").put_secret_value(
            SecretId=SECRET_NAME, SecretString=rotated.webhook_url
        )
        slack.script([{"status": 404, "body": "no_service"}])  # the old webhook was revoked
        event = event_for(SAMPLES["version_revoked"]())
        with pytest.raises(DestinationFailed):
            invoke(event)
        assert invoke(event)["result"] == "sent"  # the retry re-reads the secret
        assert len(rotated.deliveries) == 1
    finally:
        rotated.stop()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: {**e, "source": "aws.sms-voice"}, "source 'aws.sms-voice' is not the configured source"),
        (
            lambda e: {**e, "detail": {k: v for k, v in e["detail"].items() if k != "eventId"}},
            "detail.eventId",
        ),
        (lambda e: {**e, "detail": {**e["detail"], "schemaVersion": "2.0"}}, "major version 2"),
        (lambda e: {**e, "detail": {**e["detail"], "severity": "PANIC"}}, "detail.severity"),
        (lambda e: {k: v for k, v in e.items() if k != "detail-type"}, "detail-type"),
        (lambda e: ["not", "an", "event"], "expected an EventBridge event object"),
    ],
    ids=["foreign-source", "missing-eventId", "major-2", "bad-severity", "no-detail-type", "not-an-object"],
)
def test_malformed_and_foreign_events_fail_with_a_clear_error(
    slack_env: dict[str, str],
    slack: SlackWebhookServer,
    mutate: Any,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = mutate(event_for(SAMPLES["version_denied_with_reasons"]()))
    with pytest.raises(InvalidEvent, match=expected):
        invoke(event)
    assert slack.requests == []
    assert emitted_metrics(capsys.readouterr().out).get("InvalidEvents") == 1


def test_configured_event_source_is_accepted(
    slack_env: dict[str, str], slack: SlackWebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENT_SOURCE", "acme.regwatch")
    slack_handler.runtime.reset()
    event = {**event_for(SAMPLES["version_approved"]()), "source": "acme.regwatch"}
    assert invoke(event)["result"] == "sent"
    with pytest.raises(
        InvalidEvent, match=re.escape("'regwatch' is not the configured source 'acme.regwatch'")
    ):
        invoke(event_for(SAMPLES["version_submitted"]()))


def test_missing_setting_is_named(monkeypatch: pytest.MonkeyPatch, aws: str) -> None:
    monkeypatch.delenv("SLACK_WEBHOOK_SECRET_ARN", raising=False)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "t")
    slack_handler.runtime.reset()
    with pytest.raises(SettingsError, match="SLACK_WEBHOOK_SECRET_ARN is not set"):
        invoke(event_for(SAMPLES["version_approved"]()))
    slack_handler.runtime.reset()
