"""Reminders over real sockets: the scanner (emulator + moto) writes the snapshot, the
evaluator handler reads it on the emulator's clock and publishes to the same bus.

Exactly one event per threshold crossed, also across a crash between publish and record;
none once the status moved on; the scanner's own writes keep the record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from evaluator import handler as evaluator_handler

from tests.integration.scanner.conftest import (
    BUS,
    REGION,
    TABLE,
    FakeLambdaContext,
    ScannerWorld,
    status_change_event,
)

DAY = 86_400


@pytest.fixture
def evaluate(world: ScannerWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("SNAPSHOT_TABLE_NAME", TABLE)
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    monkeypatch.setenv("REMINDER_SETTINGS", '{"reviewExpected": {"US_TEN_DLC_BRAND_REGISTRATION": "4d"}}')
    monkeypatch.setenv("DIGEST_TIME", "")  # off unless a test turns it on
    monkeypatch.setattr(
        evaluator_handler, "utc_now", lambda: datetime.fromtimestamp(world.control.now(), UTC)
    )
    evaluator_handler.runtime.reset()

    def run() -> list[dict[str, Any]]:
        evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
        return [d for d in world.details() if "reminder" in d]  # digests, if any, are drained too

    yield run
    evaluator_handler.runtime.reset()


def _authenticating(world: ScannerWorld) -> str:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration("US_TEN_DLC_BRAND_REGISTRATION")
    world.invoke()
    world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    world.control.advance_clock(3600)
    world.control.set_version_status(REGION, registration_id, 1, "REQUIRES_AUTHENTICATION")
    world.invoke()
    world.details()
    return registration_id


def _kinds(details: list[dict[str, Any]]) -> list[str]:
    return [d["reminder"]["kind"] for d in details]


def test_each_authentication_threshold_is_reminded_exactly_once(world: ScannerWorld, evaluate: Any) -> None:
    registration_id = _authenticating(world)
    assert evaluate() == [], "nothing is due right after the status change"
    seen: list[dict[str, Any]] = []
    for days, expected in (
        (5.1, ["AUTHENTICATION_LINK_EXPIRING"]),
        (0.1, []),  # a second run within the same threshold sends nothing
        (2.0, ["AUTHENTICATION_LINK_EXPIRED"]),
        (20.0, ["RESEND_WINDOW_CLOSING"]),
        (3.0, ["RESEND_WINDOW_CLOSED"]),
        (5.0, []),
    ):
        world.control.advance_clock(days * DAY)
        got = evaluate()
        assert _kinds(got) == expected, days
        seen += got
    first = seen[0]
    assert first["status"] == "REQUIRES_AUTHENTICATION" and first["severity"] == "ACTION_REQUIRED"
    assert first["registrationId"] == registration_id and first["alert"] is True
    assert first["reminder"]["estimated"] is True and "7 days" in first["reminder"]["basis"]
    assert len({d["eventId"] for d in seen}) == len(seen) == 4
    # A rescan (AWS's native event) rewrites the whole item with what it read: the record survives.
    (item,) = [i for i in world.snapshot_items() if i["sk"]["S"] == f"REG#{registration_id}"]
    revision = int(item["revision"]["N"])
    summary = world.invoke(status_change_event(registration_id, "REQUIRES_AUTHENTICATION"))
    assert summary["regions"][REGION]["snapshotsWritten"] == 1
    (item,) = [i for i in world.snapshot_items() if i["sk"]["S"] == f"REG#{registration_id}"]
    assert int(item["revision"]["N"]) == revision + 1
    assert set(item["remindersSent"]["SS"]) >= {seen[-1]["eventId"]}
    assert evaluate() == []


def test_a_crash_between_publish_and_record_republishes_the_same_event_id(
    world: ScannerWorld, evaluate: Any
) -> None:
    _authenticating(world)
    world.control.advance_clock(5.1 * DAY)
    evaluator_handler.runtime.reset()
    client = evaluator_handler.runtime.get().evaluator.store._client

    def crash(**_: Any) -> None:
        raise RuntimeError("the evaluator died before recording")

    client.meta.events.register("before-call.dynamodb.UpdateItem", crash, unique_id="crash")
    with pytest.raises(RuntimeError):
        evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    client.meta.events.unregister("before-call.dynamodb.UpdateItem", unique_id="crash")
    first = [d for d in world.details() if "reminder" in d]
    again = evaluate()
    third = evaluate()
    assert _kinds(first) == _kinds(again) == ["AUTHENTICATION_LINK_EXPIRING"]
    assert first[0]["eventId"] == again[0]["eventId"], "a retry publishes the same id: consumers drop it"
    assert third == []


def test_no_reminder_after_the_status_moved_on(world: ScannerWorld, evaluate: Any) -> None:
    registration_id = _authenticating(world)
    world.control.advance_clock(5.1 * DAY)
    assert _kinds(evaluate()) == ["AUTHENTICATION_LINK_EXPIRING"]
    world.control.set_version_status(REGION, registration_id, 1, "APPROVED")
    world.invoke()
    world.details()
    for _ in range(3):
        world.control.advance_clock(10 * DAY)
        assert evaluate() == []


def test_review_overdue_uses_the_table_then_the_documented_default(
    world: ScannerWorld, evaluate: Any
) -> None:
    world.configure(BASELINE_ALERTS="none")
    brand = world.create_registration("US_TEN_DLC_BRAND_REGISTRATION")
    unknown = world.create_registration("XX_SOMETHING_NEW_REGISTRATION")
    world.invoke()
    for registration_id in (brand, unknown):
        world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    world.control.advance_clock(60)
    world.invoke()
    world.details()
    world.control.advance_clock(4.5 * DAY)
    overdue = evaluate()
    assert [(d["registrationId"], d["reminder"]["kind"]) for d in overdue] == [(brand, "REVIEW_OVERDUE")]
    assert overdue[0]["severity"] == "INFO"
    world.control.advance_clock(25 * DAY)
    later = evaluate()
    assert [(d["registrationId"], d["reminder"]["kind"]) for d in later] == [(unknown, "REVIEW_OVERDUE")]
    assert "default" in later[0]["reminder"]["basis"]
    assert Counter(_kinds(overdue + later)) == {"REVIEW_OVERDUE": 2}


def test_a_bad_threshold_fails_naming_the_setting(
    world: ScannerWorld, evaluate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evaluator.settings import SettingsError

    monkeypatch.setenv("REMINDER_SETTINGS", '{"authLinkWarning": "-2d", "reviewExpected": {"X": "soon"}}')
    evaluator_handler.runtime.reset()
    with pytest.raises(SettingsError) as raised:
        evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    message = str(raised.value)
    assert "REMINDER_SETTINGS.authLinkWarning: '-2d' is not a duration" in message
    assert "REMINDER_SETTINGS.reviewExpected.X: 'soon' is not a duration" in message
    assert boto3.client("dynamodb", region_name=REGION).describe_table(TableName=TABLE)


def _digests(world: ScannerWorld) -> list[dict[str, Any]]:
    return [e for e in world.drain() if e["detail-type"] == "Registration Digest"]


def test_the_digest_goes_out_once_a_day_even_across_a_crash(
    world: ScannerWorld, evaluate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _authenticating(world)
    now = datetime.fromtimestamp(world.control.now(), UTC)
    # Due one minute from now (emulator clock), in a zone with an offset.
    local = (now + timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Kolkata"))
    monkeypatch.setenv("DIGEST_TIME", local.strftime("%H:%M"))
    monkeypatch.setenv("DIGEST_TIMEZONE", "Asia/Kolkata")
    evaluator_handler.runtime.reset()
    evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    assert _digests(world) == [], "not due yet"
    world.control.advance_clock(120)
    client = evaluator_handler.runtime.get().evaluator.store._client

    def crash(**_: Any) -> None:
        raise RuntimeError("the evaluator died after publishing the digest")

    client.meta.events.register("before-call.dynamodb.PutItem", crash, unique_id="crash")
    with pytest.raises(RuntimeError):
        evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    client.meta.events.unregister("before-call.dynamodb.PutItem", unique_id="crash")
    first = _digests(world)
    summary = evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    again = _digests(world)
    evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    assert _digests(world) == [], "recorded: no third copy"
    assert len(first) == len(again) == 1 and summary["digest"] == local.date().isoformat()
    assert first[0]["detail"]["eventId"] == again[0]["detail"]["eventId"]
    detail = again[0]["detail"]
    assert detail["needsHuman"]["total"] == 1 and detail["alert"] is False
    assert detail["targets"][0]["lastCompleteScanAt"] is not None
    # The next local day gets its own digest.
    world.control.advance_clock(DAY)
    evaluator_handler.lambda_handler({}, FakeLambdaContext(function_name="regwatch-evaluator"))
    [tomorrow] = _digests(world)
    assert tomorrow["detail"]["eventId"] != detail["eventId"]
