"""The PagerDuty destination end to end: the generic notifier with DESTINATION=pagerduty, moto
(Secrets Manager, DynamoDB) and the PagerDuty-compatible Events API sink, over real sockets."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from local.pagerduty_events import PagerDutyServer
from notifier import handler as notifier_handler
from regwatch.notification_errors import DestinationFailed, SecretUnavailable
from tests.golden.sample_events import SAMPLES, T0, event_for
from tests.integration.notifiers.conftest import (
    CapturedLogs,
    emitted_metrics,
    generic_notifier,
    invoke_notifier,
)
from tests.integration.notifiers.registration_story import story

PD_SECRET = "regwatch/pagerduty-routing-key"


@pytest.fixture(scope="module")
def pagerduty_server() -> Iterator[PagerDutyServer]:
    server = PagerDutyServer.start(port=0)
    yield server
    server.stop()


@pytest.fixture
def pagerduty(pagerduty_server: PagerDutyServer) -> PagerDutyServer:
    pagerduty_server.clear()
    return pagerduty_server


@pytest.fixture
def pd_env(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, pagerduty: PagerDutyServer
) -> Iterator[None]:
    with generic_notifier(
        monkeypatch,
        destination="pagerduty",
        secret=("PAGERDUTY_ROUTING_KEY_SECRET_ARN", PD_SECRET, pagerduty.routing_key),
        settings={"PAGERDUTY_EVENTS_URL": pagerduty.events_url, "PAGERDUTY_TIMEOUT_SECONDS": "1"},
        idempotency_table=idempotency_table,
    ):
        yield


invoke = invoke_notifier


def at(event: dict[str, Any], minutes: int) -> dict[str, Any]:
    """The same transition as a new event `minutes` after T0 (a fresh eventId)."""
    moment = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    detail = {
        **event["detail"],
        "eventId": str(uuid.uuid4()),
        "statusTimestamp": moment,
        "statusSince": moment,
        "observedAt": moment,
    }
    return {**event, "detail": detail, "time": moment}


def sample(name: str, minutes: int = 0) -> dict[str, Any]:
    return at(event_for(SAMPLES[name]()), minutes)


def test_action_required_opens_one_incident_with_contract_details(
    pd_env: None, pagerduty: PagerDutyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    event = sample("version_denied_with_reasons")
    result = invoke(event)
    assert result["result"] == "sent" and result["eventAction"] == "trigger"
    [incident] = pagerduty.open_incidents()
    [sent] = pagerduty.accepted
    payload = sent["payload"]
    assert payload["severity"] == "error"
    assert payload["summary"].startswith("Action required: registration-0a1b2c3d4e5f version 2 was denied")
    assert payload["custom_details"]["eventId"] == event["detail"]["eventId"]
    assert payload["custom_details"]["deniedReasons"][0]["reason"] == "OPT_IN_WORKFLOW"
    assert sent["links"][0]["href"] == event["detail"]["consoleUrl"]
    assert sent["dedup_key"] == "regwatch/123456789012/us-east-1/registration-0a1b2c3d4e5f"
    assert incident.severity == "error"
    assert emitted_metrics(capsys.readouterr().out).get("NotificationsSent") == 1


def test_revoked_is_critical(pd_env: None, pagerduty: PagerDutyServer) -> None:
    invoke(sample("version_revoked"))
    assert pagerduty.accepted[0]["payload"]["severity"] == "critical"


def test_incident_resolves_itself_when_the_registration_is_approved(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    invoke(sample("version_requires_authentication_10dlc_brand", 0))
    invoke(sample("version_denied_with_reasons", 10))  # an update of the open incident, not a second one
    assert len(pagerduty.incidents) == 1 and pagerduty.incidents[0].updates == 1
    result = invoke(sample("version_approved", 20))
    assert result["eventAction"] == "resolve"
    assert pagerduty.open_incidents() == []
    assert [i.status for i in pagerduty.incidents] == ["resolved"]


def test_a_newer_status_that_needs_nobody_resolves_the_incident(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    """Open exactly when the newest status needs a person: a resubmitted version in review does not."""
    invoke(sample("version_requires_authentication_10dlc_brand", 0))
    result = invoke(sample("version_reviewing", 10))
    assert result["eventAction"] == "resolve" and result["why"] == "the newest status needs nobody"
    assert pagerduty.open_incidents() == []
    assert invoke(sample("version_approved", 20))["eventAction"] == "none"


def test_resolve_arriving_before_its_trigger_leaves_no_open_incident(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    late_trigger = sample("version_denied_with_reasons", 0)
    invoke(sample("version_approved", 30))
    result = invoke(late_trigger)
    assert result["eventAction"] == "none"
    assert result["why"] == "older than the newest status received (APPROVED)"
    assert pagerduty.open_incidents() == []
    assert pagerduty.accepted == []  # no incident was ever open: nothing to resolve


def test_an_older_trigger_after_a_newer_one_changes_nothing(pd_env: None, pagerduty: PagerDutyServer) -> None:
    """An older alert never rewrites the open incident (its summary would name an older status)."""
    invoke(sample("version_revoked", 10))
    late = sample("version_denied_with_reasons", 0)
    result = invoke(late)
    assert (
        result["eventAction"] == "none" and result["why"] == "older than the newest status received (REVOKED)"
    )
    [incident] = pagerduty.incidents
    assert incident.updates == 0 and incident.severity == "critical"
    # The record keeps the newer event: a resolve between the two times is older, so not sent.
    assert invoke(sample("version_approved", 5))["eventAction"] == "none"
    assert len(pagerduty.open_incidents()) == 1


def test_same_second_ties_go_to_the_newer_version_then_the_later_status(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    denied_v2 = sample("version_denied_with_reasons", 0)  # version 2 in the sample
    approved_v1 = sample("version_approved", 0)
    approved_v1["detail"] |= {"versionNumber": 1}
    invoke(denied_v2)
    assert invoke(approved_v1)["eventAction"] == "none"  # same second, older version
    reviewing_v2 = sample("version_reviewing", 0)
    reviewing_v2["detail"] |= {"versionNumber": 2}
    assert invoke(reviewing_v2)["eventAction"] == "none"  # same second and version, earlier in the lifecycle
    assert len(pagerduty.open_incidents()) == 1


def test_discarding_the_version_resolves_its_incident(pd_env: None, pagerduty: PagerDutyServer) -> None:
    invoke(sample("version_denied_with_reasons", 0))
    discarded = sample("version_submitted", 6)
    discarded["detail"] |= {"status": "DISCARDED", "severity": "INFO"}
    assert invoke(discarded)["eventAction"] == "resolve"
    assert pagerduty.open_incidents() == []


def test_info_without_an_open_incident_sends_nothing(pd_env: None, pagerduty: PagerDutyServer) -> None:
    result = invoke(sample("version_reviewing"))
    assert result["eventAction"] == "none"
    assert pagerduty.requests == []


def test_reminder_updates_the_open_incident_and_never_reopens(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    invoke(sample("version_requires_authentication_10dlc_brand", 0))
    # A reminder carries the time of the status it reminds about (statusSince), sent a day later.
    reminder = sample("version_requires_authentication_10dlc_brand", 0)
    reminder["detail"]["observedAt"] = reminder["time"] = "2025-03-04T09:15:00Z"
    reminder["detail-type"] = "Registration Reminder"
    reminder["detail"]["reminder"] = {
        "kind": "AUTHENTICATION_LINK_EXPIRING",
        "deadline": "2025-03-10T09:15:00Z",
        "thresholdAt": "2025-03-08T09:15:00Z",
        "since": "2025-03-03T09:15:00Z",
        "estimated": True,
        "basis": "the link is valid for 7 days after the email was sent",
    }
    assert invoke(reminder)["eventAction"] == "trigger"
    assert len(pagerduty.incidents) == 1 and pagerduty.incidents[0].updates == 1
    assert pagerduty.incidents[0].summary.startswith("Reminder (authentication link expiring")
    invoke(sample("version_approved", 60 * 25))
    late_reminder = {**reminder, "detail": {**reminder["detail"], "eventId": str(uuid.uuid4())}}
    assert invoke(late_reminder)["eventAction"] == "none"
    assert pagerduty.open_incidents() == []


def test_target_unhealthy_triggers_and_target_recovered_resolves(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    def target_event(detail_type: str, minutes: int) -> dict[str, Any]:
        moment = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "regwatch",
            "account": "123456789012",
            "time": moment,
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "schemaVersion": "1.1",
                "eventId": str(uuid.uuid4()),
                "accountId": "210987654321",
                "region": "eu-west-1",
                "reason": "AccessDenied on sts:AssumeRole",
                "observedAt": moment,
            },
        }

    invoke(target_event("Target Unhealthy", 0))
    [incident] = pagerduty.open_incidents()
    assert incident.dedup_key == "regwatch-target/210987654321/eu-west-1"
    assert "AccessDenied" in incident.summary
    invoke(target_event("Target Recovered", 10))
    assert pagerduty.open_incidents() == []


def test_held_deletions_open_one_incident_per_target_never_a_registration_s(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    from tests.unit.test_health_contract import held_envelope

    held = held_envelope()
    assert invoke(held)["eventAction"] == "trigger"
    [incident] = pagerduty.open_incidents()
    assert incident.dedup_key == "regwatch-target/111122223333/eu-west-1/deletions-held"
    assert "40" in incident.summary and "None" not in incident.dedup_key
    [request] = pagerduty.requests
    assert request.payload["payload"]["source"], "PagerDuty refuses a trigger without a source"
    # The same cycle again (a retry with a new event id) updates, never opens a second one.
    again = {**held, "id": str(uuid.uuid4()), "detail": {**held["detail"], "eventId": str(uuid.uuid4())}}
    invoke(again)
    assert len(pagerduty.incidents) == 1


def test_same_event_twice_sends_once(pd_env: None, pagerduty: PagerDutyServer) -> None:
    event = sample("version_revoked")
    assert invoke(event)["result"] == "sent"
    assert invoke({**event, "id": "another-delivery"})["result"] == "duplicate"
    assert len(pagerduty.requests) == 1


def test_rate_limit_and_server_errors_are_retried(pd_env: None, pagerduty: PagerDutyServer) -> None:
    pagerduty.script([{"status": 429, "retry_after": 1}, {"status": 500}, {"status": 503}])
    assert invoke(sample("version_revoked"))["result"] == "sent"
    assert len(pagerduty.requests) == 4
    assert len(pagerduty.open_incidents()) == 1


def test_timeout_is_retried_without_a_second_incident(pd_env: None, pagerduty: PagerDutyServer) -> None:
    pagerduty.script([{"delay": 1.5}])
    assert invoke(sample("version_revoked"))["result"] == "sent"
    assert pagerduty.wait_idle()
    assert len(pagerduty.requests) == 2
    assert len(pagerduty.incidents) == 1  # the late first attempt and the retry: one dedup_key


def test_persistent_server_error_fails_and_a_retry_delivers(pd_env: None, pagerduty: PagerDutyServer) -> None:
    event = sample("version_revoked")
    pagerduty.script([{"status": 500}] * 4)
    with pytest.raises(DestinationFailed) as failure:
        invoke(event)
    assert failure.value.status == 500
    assert pagerduty.incidents == []
    assert invoke(event)["result"] == "sent"  # EventBridge's retry, or a DLQ redrive
    assert len(pagerduty.open_incidents()) == 1


def test_bad_payload_fails_loudly_with_the_reason_and_is_not_retried(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    pagerduty.script(
        [{"status": 400, "body": {"status": "invalid event", "errors": ["'payload.source' is missing"]}}]
    )
    with pytest.raises(DestinationFailed, match=r"HTTP 400.*payload.source' is missing"):
        invoke(sample("version_revoked"))
    assert len(pagerduty.requests) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not-a-routing-key", "does not hold an Events API v2 integration key"),
        (json.dumps({"key": "x"}), "JSON without a string 'routingKey' key"),
    ],
)
def test_routing_key_of_the_wrong_shape_is_named(
    pd_env: None, pagerduty: PagerDutyServer, value: str, expected: str
) -> None:
    boto3.client("secretsmanager").put_secret_value(SecretId=PD_SECRET, SecretString=value)
    with pytest.raises(SecretUnavailable, match=expected) as failure:
        invoke(sample("version_revoked"))
    assert PD_SECRET in str(failure.value) and value not in str(failure.value)
    assert pagerduty.requests == []


def test_routing_key_in_json_is_accepted(pd_env: None, pagerduty: PagerDutyServer) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=PD_SECRET, SecretString=json.dumps({"routingKey": pagerduty.routing_key})
    )
    assert invoke(sample("version_revoked"))["result"] == "sent"


def test_missing_secret_is_named(
    pd_env: None, monkeypatch: pytest.MonkeyPatch, pagerduty: PagerDutyServer
) -> None:
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY_SECRET_ARN", "regwatch/no-such-secret")
    notifier_handler.runtime.reset()
    with pytest.raises(SecretUnavailable, match="regwatch/no-such-secret: ResourceNotFoundException"):
        invoke(sample("version_revoked"))


def test_routing_key_never_reaches_logs_or_errors(
    pd_env: None, pagerduty: PagerDutyServer, captured_logs: CapturedLogs, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(sample("version_revoked", 0))
    pagerduty.script([{"status": 500}] * 4 + [{"status": 400, "body": f"bad key {pagerduty.routing_key}"}])
    errors = []
    for minutes in (1, 2):
        with pytest.raises(DestinationFailed) as failure:
            invoke(sample("version_denied_with_reasons", minutes))
        errors.append(str(failure.value))
    output = captured_logs.text(capsys)
    assert "Delivered" in output and "Delivery failed" in output
    assert pagerduty.routing_key not in output
    assert all(pagerduty.routing_key not in e for e in errors), errors


def test_a_following_action_required_event_never_lowers_the_severity(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    invoke(sample("version_revoked", 0))
    follow_up = sample("version_denied_with_reasons", 5)
    assert invoke(follow_up)["eventAction"] == "trigger"
    [incident] = pagerduty.incidents
    assert incident.updates == 1 and incident.severity == "critical"


@pytest.mark.parametrize("reminder_first", [True, False], ids=["reminder-first", "approval-first"])
def test_story_approved_at_10_00_reminder_sent_at_10_02_leaves_no_incident_open(
    pd_env: None, pagerduty: PagerDutyServer, reminder_first: bool
) -> None:
    """Issue 20's story, built by regwatch's own producers: version 1 was denied (an incident
    opens); AWS approves version 2 at 10:00; at 10:02 the evaluator, which has not seen the
    approval yet, sends a review-overdue reminder about version 2. Before the ordering rule the
    reminder (ordered by its 10:02 send time) made the 10:00 approval "older than the recorded
    trigger": the incident stayed open forever. Now the reminder carries the time of the status it
    reminds about, and a review needs nobody: in either order, nothing is left open."""
    events = story()
    denied = next(e.event for e in events if e.status == "DENIED")
    approved = next(e.event for e in events if e.status == "APPROVED")
    [reminder] = [e.event for e in events if e.reminder and e.event["detail"]["versionNumber"] == 2]
    assert reminder["detail"]["reminder"]["kind"] == "REVIEW_OVERDUE"
    assert reminder["detail"]["observedAt"] == "2025-03-03T10:02:00Z"
    assert approved["detail"]["statusTimestamp"] == "2025-03-03T10:00:00Z"
    assert invoke(denied)["eventAction"] == "trigger"
    if reminder_first:
        assert invoke(reminder)["eventAction"] == "resolve"  # the newest status, in review, needs nobody
        assert invoke(approved)["eventAction"] == "none"
    else:
        assert invoke(approved)["eventAction"] == "resolve"
        late = invoke(reminder)
        assert (
            late["eventAction"] == "none"
            and late["why"] == "older than the newest status received (APPROVED)"
        )
    assert pagerduty.open_incidents() == []
    assert [e["event_action"] for e in pagerduty.accepted] == ["trigger", "resolve"]


def test_a_review_overdue_reminder_never_opens_an_incident(pd_env: None, pagerduty: PagerDutyServer) -> None:
    """A review taking long needs nobody at the registration's side: no incident where none was open."""
    reminders = [e.event for e in story() if e.reminder and e.event["detail"]["status"] == "REVIEWING"]
    assert reminders
    for reminder in reminders:
        result = invoke(reminder)
        assert result["eventAction"] == "none", result
    assert pagerduty.requests == []


def test_a_stale_authentication_reminder_after_the_review_began_does_nothing(
    pd_env: None, pagerduty: PagerDutyServer
) -> None:
    """The evaluator reminds about the authentication link two minutes after AWS moved the version
    to review: delivered after the review event, it neither reopens nor updates anything."""
    events = story(upto=3)
    authentication = next(e.event for e in events if e.status == "REQUIRES_AUTHENTICATION" and not e.reminder)
    reviewing = next(e.event for e in events if e.status == "REVIEWING" and not e.reminder)
    [stale] = [e.event for e in events if e.reminder and e.status == "REQUIRES_AUTHENTICATION"]
    assert invoke(authentication)["eventAction"] == "trigger"
    assert invoke(reviewing)["eventAction"] == "resolve"
    assert invoke(stale)["eventAction"] == "none"
    assert pagerduty.open_incidents() == []
