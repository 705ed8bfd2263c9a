"""The evaluator at fleet scale: a pass cut by its time budget resumes where it stopped,
every registration is evaluated once per pass, and the digest goes out once per day even
when the pass spans several invocations. Against an in-memory table with the adapter's
rules (pages, the PASS item's revision); tests/integration/scanner/test_evaluator_pass.py
runs the same over DynamoDB (moto)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from regwatch.budget import TimeBudget
from regwatch.digest import DigestSchedule
from regwatch.errors import SnapshotConflict
from regwatch.evaluate import DIGEST_DETAIL_TYPE, Evaluator, PassState, TablePage
from regwatch.reminders import ReminderPolicy
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState
from tests.unit.test_digest import _snapshot

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
KEY = RegionKey("123456789012", "us-east-1")
PAGE = 10


class MemoryTable:
    """The snapshot table as the evaluator's ReminderStore, pages of PAGE registrations."""

    def __init__(self, snapshots: list[RegistrationSnapshot]) -> None:
        self.items = {s.registration_id: s for s in snapshots}
        self.order = sorted(self.items)
        self.pass_state = PassState()
        self.digests: dict[str, str] = {}
        self.pages_read: list[str | None] = []
        self.read: Counter[str] = Counter()  # registration id -> times handed to the evaluator
        self.on_page = lambda: None

    def page(self, start: str | None) -> TablePage:
        self.on_page()
        self.pages_read.append(start)
        first = int(start or 0)
        ids = self.order[first : first + PAGE]
        self.read.update(ids)
        states = [(KEY, ScanState(last_scan_completed_at=NOW))] if first == 0 else []
        following = str(first + PAGE) if first + PAGE < len(self.order) else None
        return TablePage([(KEY, self.items[i]) for i in ids], states, following, read_units=1.0)

    def load_pass(self) -> PassState:
        return self.pass_state

    def save_pass(self, state: PassState) -> None:
        if state.revision != self.pass_state.revision + 1:
            raise SnapshotConflict("pass")
        self.pass_state = state

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        return self.items.get(registration_id)

    def record_reminders(self, key: RegionKey, snapshot: RegistrationSnapshot, sent: frozenset[str]) -> None:
        stored = self.items[snapshot.registration_id]
        if stored.revision != snapshot.revision:
            raise SnapshotConflict(snapshot.registration_id)
        self.items[snapshot.registration_id] = replace(
            stored, reminders_sent=sent, revision=stored.revision + 1
        )

    def digest_recorded(self, record_key: str) -> bool:
        return record_key in self.digests

    def record_digest(self, record_key: str, event_id: str, now: datetime) -> None:
        if record_key in self.digests:
            raise SnapshotConflict(record_key)
        self.digests[record_key] = event_id


class Publisher:
    def __init__(self) -> None:
        self.entries: list[Mapping[str, Any]] = []

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        self.entries += entries
        return len(entries)

    def of_type(self, detail_type: str) -> list[dict[str, Any]]:
        return [json.loads(str(e["Detail"])) for e in self.entries if e["DetailType"] == detail_type]


class World:
    """`size` registrations waiting on brand authentication (each due for one reminder)."""

    def __init__(self, size: int, digest_at: time | None = time(8, 0)) -> None:
        authenticating = NOW - timedelta(days=5, hours=1)  # past the 5-day "link expiring" point
        self.table = MemoryTable(
            [
                _snapshot(n, "REQUIRES_AUTHENTICATION", authenticating, "REQUIRES_AUTHENTICATION")
                for n in range(size)
            ]
        )
        self.publisher = Publisher()
        self.now = NOW
        self.evaluator = Evaluator(
            store=self.table,
            publisher=self.publisher,
            policy=ReminderPolicy(),
            clock=lambda: self.now,
            event_source="regwatch",
            event_bus_name="bus",
            digest_schedule=DigestSchedule(digest_at, ZoneInfo("UTC")) if digest_at else None,
        )

    def invoke(self, pages: int | None = None) -> Any:
        """One invocation whose budget covers `pages` pages (each read costs 1 s); None: all."""
        if pages is None:
            return self.evaluator.run()
        remaining = [pages + 0.5]

        def read_costs_a_second() -> None:
            remaining[0] -= 1

        self.table.on_page = read_costs_a_second
        return self.evaluator.run(TimeBudget(lambda: remaining[0], 0.0, 0.0))


def test_a_pass_cut_by_the_budget_resumes_where_it_stopped() -> None:
    w = World(95, digest_at=None)
    first = w.invoke(pages=3)
    assert not first.complete and first.stop_reason == "time budget" and first.pages == 3
    assert w.table.pass_state.cursor == "30"
    second = w.invoke(pages=3)
    assert second.resumed and w.table.pages_read[3] == "30"
    third = w.invoke(pages=5)
    assert third.complete and third.registrations == 35  # 60..94
    assert first.registrations + second.registrations + third.registrations == 95
    assert set(w.table.read.values()) == {1}, "every registration read once in the pass"
    assert w.table.pass_state.cursor is None and w.table.pass_state.last_completed_at == NOW
    # The next invocation starts a new pass from the first page.
    w.invoke(pages=1)
    assert w.table.pages_read[-1] is None


def test_every_invocation_makes_progress_even_on_a_tiny_budget() -> None:
    w = World(25, digest_at=None)
    reports = [w.invoke(pages=0) for _ in range(3)]
    assert [r.pages for r in reports] == [1, 1, 1] and reports[-1].complete


def test_reminders_go_out_once_across_invocations_and_passes() -> None:
    w = World(45, digest_at=None)
    for _ in range(5):  # pass 1 over three invocations, then pass 2
        w.invoke(pages=2)
    reminders = w.publisher.of_type("Registration Reminder")
    per_registration = Counter(d["registrationId"] for d in reminders)
    assert len(per_registration) == 45 and set(per_registration.values()) == {1}
    assert len({d["eventId"] for d in reminders}) == len(reminders)


def test_the_digest_of_a_pass_over_several_invocations_goes_out_once_and_covers_everyone() -> None:
    w = World(250)  # more lines than the event shows (100 per section): trimmed between invocations
    reports = [w.invoke(pages=4) for _ in range(7)]  # 25 pages: complete in the 7th
    assert [r.complete for r in reports] == [False] * 6 + [True]
    [digest] = w.publisher.of_type(DIGEST_DETAIL_TYPE)
    assert reports[-1].digest == "2026-04-01" and digest["day"] == "2026-04-01"
    assert digest["needsHuman"]["total"] == 250 and len(digest["needsHuman"]["items"]) == 100
    assert digest["targets"] == [
        {
            "accountId": KEY.account_id,
            "region": KEY.region,
            "byStatus": {"REQUIRES_AUTHENTICATION": 250},
            "lastCompleteScanAt": "2026-04-01T09:00:00Z",
        }
    ]
    # The persisted partial digest stayed small: at most 100 lines per section.
    assert len(json.dumps(w.table.pass_state.digest or {})) < 400_000
    # Later passes of the same day send no second digest.
    for _ in range(8):
        w.now += timedelta(minutes=30)
        w.invoke(pages=4)
    assert len(w.publisher.of_type(DIGEST_DETAIL_TYPE)) == 1


def test_the_folded_digest_equals_the_one_pass_digest() -> None:
    folded, whole = World(130), World(130)
    while not folded.invoke(pages=2).complete:
        pass
    whole.invoke()
    [a], [b] = folded.publisher.of_type(DIGEST_DETAIL_TYPE), whole.publisher.of_type(DIGEST_DETAIL_TYPE)
    assert a == b


def test_a_digest_that_comes_due_during_a_pass_goes_out_with_the_next_pass() -> None:
    w = World(40, digest_at=time(9, 30))
    w.invoke(pages=2)  # 09:00: the pass starts before the digest time
    w.now = NOW + timedelta(hours=1)
    assert w.invoke(pages=2).complete and w.publisher.of_type(DIGEST_DETAIL_TYPE) == []
    w.invoke(pages=2)  # a new pass carries the now-due digest
    w.invoke(pages=2)
    [digest] = w.publisher.of_type(DIGEST_DETAIL_TYPE)
    assert digest["needsHuman"]["total"] == 40
