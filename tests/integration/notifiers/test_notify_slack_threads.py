"""Slack thread mode end to end: the Slack notifier with SLACK_MODE=thread, slack_sdk's WebClient
against the local Slack server's Web API (chat.postMessage / chat.update), moto for the secret
and the thread state, all over real sockets."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from destinations.contract import DeliveryContext
from destinations.slack.delivery import build_delivery
from local.report import SEVERITY_COLOR
from local.slack_threads_preview import write_threads_html
from local.slack_webhook import SlackWebhookServer
from notifier.handler import notifier_function
from notifier.runtime import BOTO_CONFIG
from regwatch.event_models import parse_regwatch_event
from regwatch.events import EventContext
from regwatch.health import HealthChange, HealthTransition
from regwatch.health_events import build_health_entry
from regwatch.notification_errors import DestinationFailed, SecretUnavailable
from tests.golden.sample_events import SAMPLES, T0, as_delivered, event_for
from tests.integration.notifiers.conftest import CapturedLogs, FakeLambdaContext, create_secret

slack_handler = notifier_function("slack")

TOKEN_SECRET = "regwatch/slack-bot-token"
CHANNEL = "C0REGWATCH1"


@pytest.fixture
def thread_env(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, slack: SlackWebhookServer
) -> Iterator[dict[str, str]]:
    arn = create_secret(slack.web_api.bot_token, name=TOKEN_SECRET)
    env = {
        "SLACK_MODE": "thread",
        "SLACK_BOT_TOKEN_SECRET_ARN": arn,
        "SLACK_CHANNEL_ID": CHANNEL,
        "SLACK_API_URL": slack.api_url,
        "SLACK_TIMEOUT_SECONDS": "2",
        "IDEMPOTENCY_TABLE_NAME": idempotency_table,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_WEBHOOK_SECRET_ARN", raising=False)
    monkeypatch.delenv("EVENT_SOURCE", raising=False)
    slack_handler.runtime.reset()
    parameters.clear_caches()
    yield env
    slack_handler.runtime.reset()


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return slack_handler.lambda_handler(event, FakeLambdaContext())


def later(name: str, minutes: int) -> dict[str, Any]:
    event = event_for(SAMPLES[name]())
    moment = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    detail = {
        **event["detail"],
        "eventId": str(uuid.uuid4()),
        "statusTimestamp": moment,
        "statusSince": moment,
    }
    return {**event, "detail": detail}


def test_one_thread_per_registration_with_the_parent_kept_current(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    first = invoke(later("version_requires_authentication_10dlc_brand", 0))
    assert first["newThread"] is True
    invoke(later("version_denied_with_reasons", 5))
    invoke(later("version_approved", 10))
    invoke(later("registration_complete", 12))  # another registration: its own thread
    threads = slack.web_api.threads()
    assert len(threads) == 2
    parent = next(t for t in threads if "registration-0a1b2c3d4e5f" in t.text)
    assert len(parent.replies) == 3
    assert parent.edits == 2  # rewritten after each later alert
    assert "Good news" in parent.text and "version 2 was approved" in parent.text
    assert parent.replies[1].blocks[0]["text"]["text"].startswith(":rotating_light:")
    assert slack.deliveries == []  # nothing went to the webhook


def test_same_event_twice_replies_once(thread_env: dict[str, str], slack: SlackWebhookServer) -> None:
    event = later("version_revoked", 0)
    invoke(event)
    assert invoke({**event, "id": "redelivered"})["result"] == "duplicate"
    [thread] = slack.web_api.threads()
    assert len(thread.replies) == 1


def test_concurrent_deliveries_create_one_parent(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    """Eight execution environments deliver eight alerts of one registration at once."""
    table = thread_env["IDEMPOTENCY_TABLE_NAME"]
    events = [later("version_reviewing", n) for n in range(8)]
    results: list[Any] = []
    barrier = threading.Barrier(len(events))

    def environment(event: dict[str, Any]) -> None:
        delivery = build_delivery(
            DeliveryContext("slack", dict(thread_env), boto3.session.Session(), BOTO_CONFIG, table)
        )
        barrier.wait()
        try:
            results.append(delivery.send(event, parse_regwatch_event(event, "regwatch")))
        except Exception as error:
            results.append(error)

    workers = [threading.Thread(target=environment, args=(e,)) for e in events]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert all(isinstance(r, dict) for r in results), results
    [thread] = slack.web_api.threads()
    assert len(thread.replies) == len(events)
    assert sum(1 for r in results if r["newThread"]) == 1
    assert len({r["threadTs"] for r in results}) == 1


def test_retried_first_delivery_does_not_create_a_second_parent(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    event = later("version_revoked", 0)
    # The parent is posted, then the reply fails for good: the invocation fails and is retried.
    slack.script([{}, {"status": 500}, {"status": 500}, {"status": 500}])
    with pytest.raises(DestinationFailed):
        invoke(event)
    assert invoke(event)["result"] == "sent"
    [thread] = slack.web_api.threads()
    assert len(thread.replies) == 1


def test_a_failed_parent_post_releases_the_thread_for_an_immediate_retry(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    """The first parent post fails for good: the retry posts the parent at once (no 150 s wait
    for the claim to time out, no "still starting" failure)."""
    event = later("version_revoked", 0)
    slack.script([{"status": 500}] * 3)  # the post and both of slack_sdk's retries
    with pytest.raises(DestinationFailed, match=r"chat\.postMessage"):
        invoke(event)
    assert slack.web_api.threads() == []
    started = time.monotonic()
    result = invoke(event)
    assert result["result"] == "sent" and result["newThread"] is True
    assert time.monotonic() - started < 5  # not WAIT_FOR_PARENT_SECONDS, nor CLAIM_TIMEOUT_MS
    [thread] = slack.web_api.threads()
    assert len(thread.replies) == 1


def test_the_parent_never_moves_back_and_older_alerts_are_marked_replies(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    """An older alert arriving late (a redrive, a replay) is history: a marked reply, parent unchanged."""
    invoke(later("version_requires_authentication_10dlc_brand", 0))
    invoke(later("version_denied_with_reasons", 10))
    late = invoke(later("version_requires_authentication_10dlc_brand", 5))
    assert late["parentUpdated"] is False
    [thread] = slack.web_api.threads()
    assert thread.edits == 1 and "denied" in thread.text and "authentication" not in thread.text.lower()
    history = thread.replies[-1]
    assert history.text.startswith(
        "Earlier update, delivered late: this registration's newest status is Denied."
    )
    assert history.blocks[0]["type"] == "context" and "newest status is Denied" in str(history.blocks[0])
    assert "Earlier update" not in thread.replies[1].text


def test_rate_limit_is_retried(thread_env: dict[str, str], slack: SlackWebhookServer) -> None:
    slack.script([{"status": 429, "retry_after": 1}])
    assert invoke(later("version_revoked", 0))["result"] == "sent"
    assert len(slack.web_api.threads()) == 1


def test_bot_not_in_channel_names_the_setting(
    thread_env: dict[str, str], slack: SlackWebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CHANNEL_ID", "C0NOTMEMBER")
    slack_handler.runtime.reset()
    with pytest.raises(
        DestinationFailed, match=r"not in channel C0NOTMEMBER \(regwatch.slackChannelId\).*invite"
    ):
        invoke(later("version_revoked", 0))


def test_revoked_token_names_the_secret(thread_env: dict[str, str], slack: SlackWebhookServer) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=TOKEN_SECRET, SecretString="xoxb-revoked-0000000000"
    )
    with pytest.raises(
        DestinationFailed, match=rf"secret \S*{TOKEN_SECRET}\S* \(regwatch.slackBotTokenSecret\) is not valid"
    ):
        invoke(later("version_revoked", 0))


def test_token_of_the_wrong_shape_is_named(thread_env: dict[str, str], slack: SlackWebhookServer) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=TOKEN_SECRET, SecretString="https://hooks.slack.com/x"
    )
    with pytest.raises(SecretUnavailable, match=rf"does not hold a bot token.*{TOKEN_SECRET}"):
        invoke(later("version_revoked", 0))
    assert slack.web_api.calls == []


def test_channel_name_instead_of_id_is_refused(
    thread_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from function_support.settings_parsing import SettingsError

    monkeypatch.setenv("SLACK_CHANNEL_ID", "#alerts")
    slack_handler.runtime.reset()
    with pytest.raises(SettingsError, match="SLACK_CHANNEL_ID must be a channel id"):
        invoke(later("version_revoked", 0))


def test_bot_token_never_reaches_logs(
    thread_env: dict[str, str],
    slack: SlackWebhookServer,
    captured_logs: CapturedLogs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    invoke(later("version_revoked", 0))
    slack.script([{"status": 500}] * 3)
    with pytest.raises(DestinationFailed) as failure:
        invoke(later("version_denied_with_reasons", 1))
    output = captured_logs.text(capsys)
    assert "Delivered" in output and "Delivery failed" in output
    token = slack.web_api.bot_token
    assert token not in output and token not in str(failure.value)


def test_thread_preview_shows_one_parent_with_its_replies_in_order(
    thread_env: dict[str, str], slack: SlackWebhookServer, tmp_path: Path
) -> None:
    """Another registration's alert, then three alerts of one registration: the preview, read from
    the local Slack Web API, shows that registration's thread first (newest activity), its parent
    edited twice, with the three replies in posting order. The name's markup reaches the page as text."""
    invoke(later("registration_complete", 0))  # another registration: its own, older thread
    name = "Acme <script>alert(1)</script> & Sons"
    sequence = [
        ("version_requires_authentication_10dlc_brand", "needs authentication"),
        ("version_denied_with_reasons", "was denied"),
        ("version_approved", "was approved"),
    ]
    severities: dict[str, str] = {}
    for minutes, (sample, _) in enumerate(sequence, start=1):
        event = later(sample, minutes * 5)
        invoke({**event, "detail": {**event["detail"], "registrationName": name}})
        severities[event["detail"]["eventId"]] = event["detail"]["severity"]

    path = write_threads_html(slack.web_api.threads(), tmp_path / "slack-threads.html", "#alerts", severities)
    page = path.read_text(encoding="utf-8")

    first, other = page.split('<div class="thread">')[1:]
    assert "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in first
    assert "(edited 2×)" in first and "3 replies" in first
    assert "Acme &lt;script&gt;" not in other and "1 reply" in other and "edited" not in other
    replies = first.split('<div class="replies">', 1)[1]
    assert replies.count('<div class="message">') == len(sequence)
    positions = [replies.find(phrase) for _, phrase in sequence]
    assert -1 not in positions, positions
    assert positions == sorted(positions)  # in the order they were posted
    # Coloured by severity: each reply by its event's, the parent by its latest reply's.
    borders = re.findall(r"border-left-color:(#[0-9a-f]{6})", first)
    red, green = SEVERITY_COLOR["ACTION_REQUIRED"], SEVERITY_COLOR["GOOD_NEWS"]
    assert borders == [green, red, red, green]
    assert "<script>" not in page


def test_scan_target_thread_is_named_by_its_account_and_region(
    thread_env: dict[str, str], slack: SlackWebhookServer
) -> None:
    """A target health event (contract 1.1) has no registration: its thread is the scan target's."""
    since = T0 + timedelta(minutes=1)
    for change, minutes in ((HealthChange.UNHEALTHY, 0), (HealthChange.RECOVERED, 30)):
        moment = since + timedelta(minutes=minutes)
        transition = HealthTransition(change, "ASSUME_ROLE_FAILED", "AccessDenied", "no", since, moment, 3)
        context = EventContext("210987654321", "eu-west-1", "regwatch", "regwatch")
        invoke(as_delivered(build_health_entry(transition, context)))
    [thread] = slack.web_api.threads()
    assert len(thread.replies) == 2 and thread.edits == 1
    assert thread.blocks[0]["text"]["text"].endswith("Scan target: account 210987654321 in eu-west-1")
    assert thread.text.startswith("Scan target: account 210987654321 in eu-west-1. Good news")
