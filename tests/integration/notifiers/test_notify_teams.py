"""The Teams destination end to end: the generic notifier with DESTINATION=teams, moto
(Secrets Manager, DynamoDB) and the Teams-Workflows-compatible webhook, over real sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from local.teams_preview import write_teams_html
from local.teams_workflow import TeamsWorkflowServer, envelope_problem
from notifier import handler as notifier_handler
from regwatch.notification_errors import DestinationFailed, SecretUnavailable
from tests.golden.sample_events import SAMPLES, event_for
from tests.integration.notifiers.conftest import (
    CapturedLogs,
    emitted_metrics,
    generic_notifier,
    invoke_notifier,
)

TEAMS_SECRET = "regwatch/teams-workflow-url"


@pytest.fixture(scope="module")
def teams_server() -> Iterator[TeamsWorkflowServer]:
    server = TeamsWorkflowServer.start(port=0)
    yield server
    server.stop()


@pytest.fixture
def teams(teams_server: TeamsWorkflowServer) -> TeamsWorkflowServer:
    teams_server.clear()
    return teams_server


@pytest.fixture
def teams_env(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, teams: TeamsWorkflowServer
) -> Iterator[None]:
    with generic_notifier(
        monkeypatch,
        destination="teams",
        secret=("TEAMS_WEBHOOK_SECRET_ARN", TEAMS_SECRET, teams.webhook_url),
        settings={"TEAMS_TIMEOUT_SECONDS": "1"},
        idempotency_table=idempotency_table,
    ):
        yield


invoke = invoke_notifier


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_sample_is_accepted_as_an_adaptive_card(
    teams_env: None, teams: TeamsWorkflowServer, sample: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = event_for(SAMPLES[sample]())
    assert invoke(event)["result"] == "sent"
    assert teams.rejections == []
    [card] = teams.cards
    assert card["version"] == "1.4"
    assert card["actions"][0]["url"] == event["detail"]["consoleUrl"]
    assert f"regwatch event {event['detail']['eventId']}" in json.dumps(card)
    assert emitted_metrics(capsys.readouterr().out).get("NotificationsSent") == 1


def test_an_older_alert_after_a_newer_one_is_not_posted_with_a_log_line_and_a_metric(
    teams_env: None,
    teams: TeamsWorkflowServer,
    captured_logs: CapturedLogs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The ordering rule for a message stream: the last card always names the newest status."""
    invoke(event_for(SAMPLES["version_approved"]()))
    late = invoke(event_for(SAMPLES["version_reviewing"]()))  # same version and second, earlier status
    assert late["result"] == "superseded"
    assert (late["status"], late["latestStatus"]) == ("REVIEWING", "APPROVED")
    [card] = teams.cards
    assert "approved" in json.dumps(card).lower()
    output = captured_logs.text(capsys)
    assert "Older than the latest status shown: not posted" in output
    metrics = emitted_metrics(output)
    assert metrics.get("OlderEventsSkipped") == 1 and metrics.get("NotificationsSent") == 1


def test_injection_in_aws_text_forms_no_link_or_mention(teams_env: None, teams: TeamsWorkflowServer) -> None:
    invoke(event_for(SAMPLES["denied_mrkdwn_injection"]()))
    [card] = teams.cards
    texts = json.dumps([b for b in card["body"]], ensure_ascii=False)
    assert "](" not in texts and "<at>" not in texts and "<" not in texts
    assert "@here" not in texts and "https://evil" not in texts
    assert [a["url"] for a in card["actions"]] == [card["actions"][0]["url"]]  # no untrusted link action


def test_legacy_message_card_is_refused_by_the_sink() -> None:
    assert "MessageCard" in str(envelope_problem({"@type": "MessageCard", "text": "hi"}))


def test_same_event_twice_posts_once(teams_env: None, teams: TeamsWorkflowServer) -> None:
    event = event_for(SAMPLES["version_revoked"]())
    assert invoke(event)["result"] == "sent"
    assert invoke({**event, "id": "redelivered"})["result"] == "duplicate"
    assert len(teams.requests) == 1


def test_rate_limit_and_server_errors_are_retried(teams_env: None, teams: TeamsWorkflowServer) -> None:
    teams.script([{"status": 429, "retry_after": 1}, {"status": 502}])
    assert invoke(event_for(SAMPLES["version_approved"]()))["result"] == "sent"
    assert len(teams.requests) == 3 and len(teams.cards) == 1


def test_timeout_is_retried_and_may_duplicate(teams_env: None, teams: TeamsWorkflowServer) -> None:
    teams.script([{"delay": 1.5}])
    assert invoke(event_for(SAMPLES["version_approved"]()))["result"] == "sent"
    assert teams.wait_idle()
    assert len(teams.requests) == 2
    assert len(teams.cards) == 2  # documented: Workflows has no idempotency key


def test_persistent_server_error_fails_and_a_retry_delivers(
    teams_env: None, teams: TeamsWorkflowServer
) -> None:
    event = event_for(SAMPLES["version_revoked"]())
    teams.script([{"status": 500}] * 4)
    with pytest.raises(DestinationFailed) as failure:
        invoke(event)
    assert failure.value.status == 500 and teams.cards == []
    assert invoke(event)["result"] == "sent"
    assert len(teams.cards) == 1


def test_deleted_workflow_names_the_secret(teams_env: None, teams: TeamsWorkflowServer) -> None:
    wrong = teams.webhook_url.replace("/workflows/", "/workflows/deleted")
    boto3.client("secretsmanager").put_secret_value(SecretId=TEAMS_SECRET, SecretString=wrong)
    notifier_handler.runtime.reset()
    with pytest.raises(DestinationFailed, match=rf"HTTP 404.*deleted or its URL changed.*{TEAMS_SECRET}"):
        invoke(event_for(SAMPLES["version_revoked"]()))
    assert len(teams.requests) == 1


def test_url_of_the_wrong_shape_is_named(teams_env: None, teams: TeamsWorkflowServer) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=TEAMS_SECRET, SecretString="teams-workflow")
    with pytest.raises(SecretUnavailable, match=rf"Teams workflow URL secret holds neither.*{TEAMS_SECRET}"):
        invoke(event_for(SAMPLES["version_revoked"]()))
    assert teams.requests == []


def test_workflow_url_never_reaches_logs_or_errors(
    teams_env: None,
    teams: TeamsWorkflowServer,
    captured_logs: CapturedLogs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    invoke(event_for(SAMPLES["version_approved"]()))
    teams.script([{"status": 500}] * 4 + [{"status": 400, "body": f"bad {teams.webhook_url}"}])
    errors = []
    for sample in ("version_denied_with_reasons", "version_revoked"):  # lifecycle order: both are newer
        with pytest.raises(DestinationFailed) as failure:
            invoke(event_for(SAMPLES[sample]()))
        errors.append(str(failure.value))
    teams.script([{"delay": 1.5}])
    invoke(event_for(SAMPLES["registration_complete"]()))  # urllib3 logs the retry after the timeout
    teams.wait_idle()
    output = captured_logs.text(capsys)
    assert "Delivered" in output and "Delivery failed" in output and "Retrying" in output
    assert teams.signature not in output and teams.workflow_path not in output
    assert all(teams.signature not in e for e in errors), errors


def test_html_preview_shows_the_card_text(
    teams_env: None, teams: TeamsWorkflowServer, tmp_path: Path
) -> None:
    invoke(event_for(SAMPLES["version_denied_with_reasons"]()))
    page = write_teams_html(teams.cards, tmp_path / "teams.html").read_text(encoding="utf-8")
    assert "version 2 was denied" in page and "Open in the AWS console" in page
    assert "The opt-in workflow is missing or unclear" in page
