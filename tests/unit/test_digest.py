"""The daily digest: due at the configured local time across daylight saving changes, and
what it says (quiet days included), within Block Kit / SNS limits."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from destinations.slack.render import MAX_BLOCKS, SECTION_TEXT_LIMIT, render_slack_message
from regwatch.digest import DigestSchedule, build_digest, digest_detail, digest_id
from regwatch.evaluate import DIGEST_DETAIL_TYPE, Evaluator, PassState, TablePage, fit_detail_digest
from regwatch.event_models import parse_notification
from regwatch.events import SCHEMA_VERSION
from regwatch.model import RegistrationProfile
from regwatch.reminders import ReminderPolicy
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState, VersionSnapshot
from regwatch_alerts.render_text import BODY_BYTES_LIMIT, SUBJECT_LIMIT, render_text_notification

BERLIN = DigestSchedule(time(8, 0), ZoneInfo("Europe/Berlin"))
NEW_YORK = DigestSchedule(time(2, 30), ZoneInfo("America/New_York"))
KEY = RegionKey("123456789012", "us-east-1")


@pytest.mark.parametrize(
    ("day", "utc_send"),
    [
        (date(2026, 3, 28), datetime(2026, 3, 28, 7, 0, tzinfo=UTC)),  # CET, UTC+1
        (date(2026, 3, 29), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),  # CEST from 02:00 that day
        (date(2026, 10, 24), datetime(2026, 10, 24, 6, 0, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),  # back to CET
    ],
)
def test_the_local_send_time_follows_daylight_saving(day: date, utc_send: datetime) -> None:
    assert BERLIN.send_at(day) == utc_send
    assert BERLIN.due_day(utc_send - timedelta(seconds=1)) in (None, day - timedelta(days=1))
    assert BERLIN.due_day(utc_send - timedelta(seconds=1)) != day
    assert BERLIN.due_day(utc_send) == day
    assert BERLIN.due_day(utc_send + timedelta(hours=15)) == day


def test_a_send_time_inside_the_spring_gap_moves_forward_not_to_the_day_before() -> None:
    # 02:30 does not exist in New York on 2026-03-08: clocks jump from 02:00 to 03:00.
    send = NEW_YORK.send_at(date(2026, 3, 8))
    assert send.astimezone(ZoneInfo("America/New_York")).date() == date(2026, 3, 8)
    assert send == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_the_digest_id_is_one_per_local_day_and_zone() -> None:
    assert digest_id(date(2026, 3, 29), "Europe/Berlin") == digest_id(date(2026, 3, 29), "Europe/Berlin")
    assert digest_id(date(2026, 3, 29), "Europe/Berlin") != digest_id(date(2026, 3, 30), "Europe/Berlin")
    assert digest_id(date(2026, 3, 29), "Europe/Berlin") != digest_id(date(2026, 3, 29), "UTC")


def _snapshot(n: int, status: str, stamp: datetime, version_status: str) -> RegistrationSnapshot:
    key = {
        "REQUIRES_AUTHENTICATION": "RequiresAuthenticationTimestamp",
        "REVIEWING": "ReviewingTimestamp",
    }.get(version_status, "ApprovedTimestamp")
    history = {"SubmittedTimestamp": stamp - timedelta(days=1), key: stamp}
    return RegistrationSnapshot(
        registration_id=f"registration-{n:032x}",
        registration_arn=f"arn:aws:sms-voice:us-east-1:123456789012:registration/registration-{n:032x}",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status=status,
        current_version_number=1,
        approved_version_number=None,
        latest_denied_version_number=None,
        versions={1: VersionSnapshot(1, version_status, history)},
        full_read_at=stamp,
        profile=RegistrationProfile(name=f"Brand {n}") if n % 2 else None,
    )


def _event(registrations: list[RegistrationSnapshot], now: datetime) -> dict[str, object]:
    digest = build_digest(
        [(KEY, s) for s in registrations],
        {KEY: ScanState(last_scan_completed_at=now - timedelta(minutes=5))},
        ReminderPolicy(),
        now.date(),
        "UTC",
        now,
    )
    detail = fit_detail_digest(digest_detail(digest, SCHEMA_VERSION), "regwatch")
    return {
        "version": "0",
        "id": "x",
        "detail-type": DIGEST_DETAIL_TYPE,
        "source": "regwatch",
        "account": "123456789012",
        "time": "2026-03-29T08:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": json.loads(detail),
    }


NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_a_quiet_day_still_gets_a_short_digest() -> None:
    event = parse_notification(
        _event([_snapshot(1, "COMPLETE", NOW - timedelta(days=9), "APPROVED")], NOW), "regwatch"
    )
    message = render_slack_message(event)
    text = json.dumps(message, ensure_ascii=False)
    assert "Quiet day" in text and "1 registrations watched" not in text
    assert "last complete scan 2026-03-29 07:55 UTC" in text
    assert len(message["blocks"]) <= 8
    sns = render_text_notification(event)
    assert sns.subject == "[regwatch] Daily digest 2026-03-29: quiet day"
    assert len(sns.subject) <= SUBJECT_LIMIT


def test_a_busy_day_fits_block_kit_and_sns_with_and_n_more() -> None:
    registrations = [
        _snapshot(n, "REQUIRES_AUTHENTICATION", NOW - timedelta(hours=2), "REQUIRES_AUTHENTICATION")
        for n in range(300)
    ] + [_snapshot(1000 + n, "REVIEWING", NOW - timedelta(days=10), "REVIEWING") for n in range(50)]
    raw = _event(registrations, NOW)
    detail = raw["detail"]
    assert isinstance(detail, dict)
    assert detail["needsHuman"]["total"] == 300 and len(detail["needsHuman"]["items"]) <= 100
    assert detail["overdueReviews"]["total"] == 50
    event = parse_notification(raw, "regwatch")
    message = render_slack_message(event)
    assert len(message["blocks"]) <= MAX_BLOCKS
    sections = [b for b in message["blocks"] if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in sections)
    text = json.dumps(message, ensure_ascii=False)
    assert "Needs a person now (300)" in text and "more: see the console" in text
    assert "Brand 1 (US 10DLC brand registration) version 1: Requires authentication" in text
    body = render_text_notification(event).body
    assert len(body.encode()) <= BODY_BYTES_LIMIT
    assert "NEEDS A PERSON NOW (300)" in body and "...and 200 more" in body
    assert "deadline about 2026-04-05 06:00 UTC" in body


class _Tracked(RegistrationSnapshot):
    """A snapshot that can be weakly referenced (the slotted original cannot)."""


class _StreamingStore:
    """The snapshot table as the evaluator reads it (pages of 5), counting snapshots still alive."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.alive_at_page: list[int] = []
        self.recorded: list[str] = []
        self.refs: list[weakref.ref[RegistrationSnapshot]] = []
        self.state = PassState()

    def page(self, start: str | None) -> TablePage:
        first = int(start or 0)
        gc.collect()
        self.alive_at_page.append(sum(1 for ref in self.refs if ref() is not None))
        registrations: list[tuple[RegionKey, RegistrationSnapshot]] = []
        for n in range(first, min(first + 5, self.count)):
            base = _snapshot(
                n, "REQUIRES_AUTHENTICATION", NOW - timedelta(hours=2), "REQUIRES_AUTHENTICATION"
            )
            snapshot = _Tracked(**{name: getattr(base, name) for name in RegistrationSnapshot.__slots__})
            self.refs.append(weakref.ref(snapshot))
            registrations.append((KEY, snapshot))
        states = [(KEY, ScanState(last_scan_completed_at=NOW))] if first == 0 else []
        following = str(first + 5) if first + 5 < self.count else None
        return TablePage(registrations, states, following)

    def load_pass(self) -> PassState:
        return self.state

    def save_pass(self, state: PassState) -> None:
        self.state = state

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        return None

    def record_reminders(self, key: RegionKey, snapshot: RegistrationSnapshot, sent: frozenset[str]) -> None:
        return None

    def digest_recorded(self, record_key: str) -> bool:
        return False

    def record_digest(self, record_key: str, event_id: str, now: datetime) -> None:
        self.recorded.append(record_key)


class _Publisher:
    def __init__(self) -> None:
        self.entries: list[Mapping[str, Any]] = []

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        self.entries += entries
        return len(entries)


def test_the_evaluator_streams_the_table_and_holds_no_snapshot_it_has_passed() -> None:
    """The hourly run reads every snapshot; on digest day too it must not keep them (at
    100,000 registrations that would be the whole fleet in memory): the digest folds each page."""
    store, publisher = _StreamingStore(50), _Publisher()
    evaluator = Evaluator(
        store=store,
        publisher=publisher,
        policy=ReminderPolicy(),
        clock=lambda: NOW,
        event_source="regwatch",
        event_bus_name="default",
        digest_schedule=DigestSchedule(time(7, 0), ZoneInfo("UTC")),
    )
    report = evaluator.run()
    assert report.registrations == 50 and report.digest == NOW.date().isoformat()
    # At most the page just read (5) is alive when the next page is read.
    assert max(store.alive_at_page) <= 5, store.alive_at_page
    [digest] = [e for e in publisher.entries if e["DetailType"] == DIGEST_DETAIL_TYPE]
    assert json.loads(digest["Detail"])["needsHuman"]["total"] == 50
