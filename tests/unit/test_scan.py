"""scan.Scanner against in-memory fakes of its ports (the real adapters are covered by the
integration tests in tests/integration/scanner)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.errors import (
    InvalidNextToken,
    MalformedRegistration,
    PublishFailed,
    RegistrationNotFound,
    RegistryThrottled,
    SnapshotConflict,
)
from regwatch.model import RegistrationSummary, RegistrationVersion, history_key_for_status
from regwatch.ports import MalformedItem, RegistrationPage
from regwatch.scan import Scanner, ScanOptions
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState

REGION = "us-east-1"
ACCOUNT = "123456789012"
KEY = RegionKey(ACCOUNT, REGION)
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


class FakeRegistry:
    """Registrations with versions; lists two per page; can be told to fail."""

    def __init__(self, account: str = ACCOUNT, region: str = REGION) -> None:
        self.account, self.region = account, region  # of the ARNs, as AWS writes them
        self.registrations: dict[str, RegistrationSummary] = {}
        self.versions: dict[str, list[RegistrationVersion]] = {}
        self.calls: list[str] = []
        self.fail_versions_after: int | None = None
        # Answers that cannot be parsed: per registration, the field that is broken.
        self.malformed_versions: dict[str, str] = {}
        self.malformed_summaries: dict[str, str] = {}
        self.unidentified_items = 0  # listed items whose RegistrationId itself is unreadable
        self.refuse_next_tokens = 0  # the next n calls with a NextToken answer INVALID_NEXT_TOKEN

    def put(
        self, registration_id: str, *steps: tuple[int, str, int | None], status: str = "REVIEWING"
    ) -> None:
        """steps: (version, status, minute-or-None) appended to that version's history."""
        versions = {v.version_number: v for v in self.versions.get(registration_id, [])}
        for number, version_status, minute in steps:
            old = versions.get(number)
            history = dict(old.status_history) if old else {}
            if minute is not None:
                history[history_key_for_status(version_status)] = T0 + timedelta(minutes=minute)
            versions[number] = RegistrationVersion(number, version_status, history)
        self.versions[registration_id] = sorted(versions.values(), key=lambda v: v.version_number)
        self.registrations[registration_id] = RegistrationSummary(
            registration_id=registration_id,
            registration_arn=f"arn:aws:sms-voice:{self.region}:{self.account}:registration/{registration_id}",
            registration_type="US_TEN_DLC_BRAND_REGISTRATION",
            registration_status=status,
            current_version_number=max(versions),
        )

    def delete(self, registration_id: str) -> None:
        del self.registrations[registration_id]
        del self.versions[registration_id]

    def list_registrations(
        self, next_token: str | None, statuses: frozenset[str] | None = None
    ) -> RegistrationPage:
        self.calls.append("DescribeRegistrations" if statuses is None else "DescribeRegistrations(filtered)")
        if next_token and self.refuse_next_tokens:
            self.refuse_next_tokens -= 1
            raise InvalidNextToken("DescribeRegistrations: ValidationException: INVALID_NEXT_TOKEN")
        ids = sorted(
            i for i, r in self.registrations.items() if statuses is None or r.registration_status in statuses
        )
        start = int(next_token or 0)
        chosen = ids[start : start + 2]
        page = tuple(self.registrations[i] for i in chosen if i not in self.malformed_summaries)
        malformed = tuple(
            MalformedItem(i, self.malformed_summaries[i], "unreadable")
            for i in chosen
            if i in self.malformed_summaries
        )
        if start == 0:
            malformed += tuple(
                MalformedItem(None, "RegistrationId", "null") for _ in range(self.unidentified_items)
            )
        return RegistrationPage(page, str(start + 2) if start + 2 < len(ids) else None, malformed)

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]:
        self.calls.append("DescribeRegistrations")
        return [self.registrations[i] for i in registration_ids if i in self.registrations]

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]:
        reads = self.calls.count("DescribeRegistrationVersions")
        if self.fail_versions_after is not None and reads >= self.fail_versions_after:
            raise RegistryThrottled("ThrottlingException after retries")
        self.calls.append("DescribeRegistrationVersions")
        if registration_id not in self.versions:
            raise RegistrationNotFound(registration_id)
        if registration_id in self.malformed_versions:
            raise MalformedRegistration(
                registration_id, self.malformed_versions[registration_id], "unreadable"
            )
        return list(self.versions[registration_id])


class MemoryStore:
    """The SnapshotStore port with the same revision rules as the DynamoDB adapter."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], RegistrationSnapshot] = {}
        self.states: dict[str, ScanState] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}
        self.listed: dict[tuple[str, str, str], set[str]] = {}
        self.before_save: Callable[[RegistrationSnapshot], None] | None = None
        self.confirmed: set[tuple[str, str]] = set()

    def deletions_confirmed(self, key: RegionKey, cycle_id: str) -> bool:
        return (key.partition, cycle_id) in self.confirmed

    def load_state(self, key: RegionKey) -> ScanState:
        return self.states.get(key.partition, ScanState())

    def record_native_event(self, key: RegionKey, at: datetime) -> None:
        state = self.load_state(key)
        if state.native_event_at is None or state.native_event_at < at:
            self.states[key.partition] = replace(state, native_event_at=at)

    def acquire_lease(self, key: RegionKey, owner: str, now: datetime, until: datetime) -> ScanState | None:
        held = self.leases.get(key.partition)
        if held and held[1] > now and held[0] != owner:
            return None
        self.leases[key.partition] = (owner, until)
        return self.load_state(key)

    def release_lease(self, key: RegionKey, owner: str, state: ScanState) -> None:
        assert self.leases[key.partition][0] == owner
        del self.leases[key.partition]
        # Like the DynamoDB adapter: the lease holder never writes nativeEventAt.
        self.states[key.partition] = replace(state, native_event_at=self.load_state(key).native_event_at)

    def load_registrations(self, key: RegionKey) -> dict[str, RegistrationSnapshot]:
        return {rid: snap for (pk, rid), snap in self.items.items() if pk == key.partition}

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        return self.items.get((key.partition, registration_id))

    def save_listed_ids(self, key: RegionKey, cycle_id: str, part: str, registration_ids: Set[str]) -> None:
        self.listed[(key.partition, cycle_id, part)] = set(registration_ids)

    def load_listed_ids(self, key: RegionKey, cycle_id: str) -> set[str]:
        return {
            i
            for (pk, cycle, _), ids in self.listed.items()
            if (pk, cycle) == (key.partition, cycle_id)
            for i in ids
        }

    def save_registration(
        self, key: RegionKey, snapshot: RegistrationSnapshot, expected_revision: int | None
    ) -> None:
        if self.before_save:
            hook, self.before_save = self.before_save, None
            hook(snapshot)
        stored = self.items.get((key.partition, snapshot.registration_id))
        if (stored.revision if stored else None) != expected_revision:
            raise SnapshotConflict(snapshot.registration_id)
        self.items[(key.partition, snapshot.registration_id)] = snapshot


class RecordingPublisher:
    def __init__(self) -> None:
        self.entries: list[Mapping[str, Any]] = []
        self.fail_next: int = 0

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        if self.fail_next:
            self.fail_next -= 1
            raise PublishFailed("1 entry failed: InternalFailure", failed=1, error_codes=("InternalFailure",))
        self.entries.extend(entries)
        return len(entries)

    def details(self) -> list[dict[str, Any]]:
        return [json.loads(str(e["Detail"])) for e in self.entries]

    def summary(self, without_registration_status: bool = False) -> list[tuple[str, str, int, str]]:
        """(id, scope, version, status) per event; optionally without registration status changes."""
        return [
            (d["registrationId"], d["scope"], d["versionNumber"], d["status"])
            for d, e in zip(self.details(), self.entries, strict=True)
            if not (without_registration_status and e["DetailType"] == "Registration Status Changed")
        ]


class Harness:
    def __init__(self, baseline: BaselineAlerts = BaselineAlerts.ACTIONABLE) -> None:
        self.registry = FakeRegistry()
        self.store = MemoryStore()
        self.publisher = RecordingPublisher()
        self.now = T0 + timedelta(days=1)
        self.options = ScanOptions(
            account_id=ACCOUNT, event_source="regwatch", event_bus_name="bus", baseline_alerts=baseline
        )
        self.scans = 0

    def scanner(self) -> Scanner:
        return Scanner(
            registry_for=lambda region: self.registry,
            store=self.store,
            publisher=self.publisher,
            clock=lambda: self.now,
            options=self.options,
        )

    def scan(self, budget: TimeBudget | None = None, advance: timedelta = timedelta(minutes=5)) -> Any:
        self.now += advance
        self.scans += 1
        return self.scanner().scan_region(REGION, budget or TimeBudget.unlimited(), f"scan-{self.scans}")


def test_baseline_stores_everything_and_reports_only_what_waits_on_a_human() -> None:
    h = Harness()
    h.registry.put("r1", (1, "DRAFT", 0), (1, "SUBMITTED", 1), (1, "REVIEWING", 2))
    h.registry.put("r2", (1, "SUBMITTED", 0), (1, "REQUIRES_AUTHENTICATION", 3))
    h.registry.put("r3", (1, "DENIED", 1), (2, "APPROVED", 5), status="COMPLETE")
    report = h.scan()
    assert report.complete and report.baseline
    assert h.publisher.summary() == [("r2", "VERSION", 1, "REQUIRES_AUTHENTICATION")]
    assert h.publisher.details()[0]["baseline"] is True
    assert set(h.store.load_registrations(KEY)) == {"r1", "r2", "r3"}
    assert h.store.load_state(KEY).has_baseline
    # The settled one (COMPLETE) was listed, not read: the next scan reads it.
    assert report.first_reads_deferred == 1 and h.store.items[(KEY.partition, "r3")].first_read_pending

    h.registry.calls.clear()
    again = h.scan()
    assert again.complete and not again.baseline
    assert len(h.publisher.entries) == 1
    assert again.reads_by_reason["first-read"] == 1
    assert not h.store.items[(KEY.partition, "r3")].first_read_pending
    # Nothing changed: one list call, the deferred read, at most the reconciliation quota.
    assert h.registry.calls.count("DescribeRegistrations") == 2  # 3 registrations, 2 per page
    assert h.registry.calls.count("DescribeRegistrationVersions") == 2


@pytest.mark.parametrize(("mode", "expected"), [(BaselineAlerts.NONE, 0), (BaselineAlerts.ALL, 5)])
def test_baseline_modes(mode: BaselineAlerts, expected: int) -> None:
    h = Harness(mode)
    h.registry.put("r1", (1, "DRAFT", 0), (1, "SUBMITTED", 1))
    h.registry.put("r2", (1, "DENIED", 3))
    h.scan()
    assert len(h.publisher.entries) == expected
    assert all(d["baseline"] for d in h.publisher.details())


def test_changes_after_the_baseline_are_reported_and_only_changed_registrations_are_read() -> None:
    h = Harness(BaselineAlerts.NONE)
    for rid in ("r1", "r2", "r3", "r4"):
        h.registry.put(rid, (1, "SUBMITTED", 0))
    h.scan()
    h.registry.put("r2", (1, "REVIEWING", 10), (1, "DENIED", 11), status="REQUIRES_UPDATES")
    h.registry.put("r5", (1, "DRAFT", 12), status="CREATED")
    h.registry.calls.clear()
    report = h.scan(advance=timedelta(seconds=1))  # so short an interval that the reconcile quota is 1
    assert h.publisher.summary() == [
        ("r2", "VERSION", 1, "REVIEWING"),
        ("r2", "VERSION", 1, "DENIED"),
        ("r2", "REGISTRATION", 1, "REQUIRES_UPDATES"),
        ("r5", "REGISTRATION", 1, "CREATED"),
        ("r5", "VERSION", 1, "DRAFT"),
    ]
    assert dict(report.reads_by_reason) == {"changed": 1, "new": 1, "reconcile": 1}
    assert h.registry.calls.count("DescribeRegistrationVersions") == 3
    assert h.publisher.details()[1]["previousStatus"] == "REVIEWING"


def test_deleted_registration_is_reported_once_and_kept_as_a_tombstone() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.registry.put("r1", (1, "APPROVED", 0), status="COMPLETE")
    h.registry.put("r2", (1, "APPROVED", 0), status="COMPLETE")
    h.scan()
    h.registry.delete("r1")
    assert h.scan().deleted == 1
    h.scan()
    assert h.publisher.summary() == [("r1", "REGISTRATION", 1, "DELETED")]
    assert h.store.load_registration(KEY, "r1").is_tombstone  # type: ignore[union-attr]


def test_failed_publish_keeps_the_snapshot_so_the_next_scan_retries_with_the_same_ids() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.registry.put("r1", (1, "SUBMITTED", 0))
    h.scan()
    h.registry.put("r1", (1, "APPROVED", 9), status="COMPLETE")
    h.publisher.fail_next = 1
    failed = h.scan()
    assert not failed.complete and failed.errors
    assert h.store.load_registration(KEY, "r1").registration_status == "REVIEWING"  # type: ignore[union-attr]
    assert h.scan().complete
    assert [d["status"] for d in h.publisher.details()] == ["APPROVED", "COMPLETE"]


def test_crash_between_publish_and_snapshot_write_re_emits_the_same_event_ids() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.registry.put("r1", (1, "REVIEWING", 0))
    h.scan()
    h.registry.put("r1", (1, "REQUIRES_OFFLINE_REVIEW", None), (1, "APPROVED", 20))

    def crash(_: RegistrationSnapshot) -> None:
        raise RuntimeError("Lambda killed before the snapshot write")

    h.store.before_save = crash
    with pytest.raises(RuntimeError):
        h.scan()
    first = [d["eventId"] for d in h.publisher.details()]
    assert h.store.leases == {} and h.store.load_state(KEY).incomplete
    resumed = h.scan()
    assert resumed.resumed and resumed.complete
    ids = [d["eventId"] for d in h.publisher.details()]
    assert ids == first + first  # the same events again, same ids: consumers drop the repeats
    assert h.scan().events_published == 0


def test_a_write_that_loses_a_race_rereads_and_does_not_report_twice() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.registry.put("r1", (1, "SUBMITTED", 0))
    h.scan()
    h.registry.put("r1", (1, "REVIEWING", 5))
    other = Harness(BaselineAlerts.NONE)
    other.registry, other.store = h.registry, h.store

    def overlapping_scan_writes_first(_: RegistrationSnapshot) -> None:
        # A native-event scan of the same registration finishes in between, and then
        # the registration moves on again.
        other.now = h.now
        other.scanner().scan_registration(REGION, "r1")
        h.registry.put("r1", (1, "APPROVED", 6), status="COMPLETE")

    h.store.before_save = overlapping_scan_writes_first
    report = h.scan()
    assert report.conflicts == 1 and report.complete
    statuses = [d["status"] for d in h.publisher.details()] + [d["status"] for d in other.publisher.details()]
    assert sorted(statuses) == sorted(["REVIEWING", "REVIEWING", "APPROVED", "COMPLETE"])
    assert h.store.load_registration(KEY, "r1").registration_status == "COMPLETE"  # type: ignore[union-attr]
    # The REVIEWING published by both scans has one event id.
    ids = {
        d["eventId"]
        for d in (*h.publisher.details(), *other.publisher.details())
        if d["status"] == "REVIEWING"
    }
    assert len(ids) == 1


def test_a_second_full_scan_while_the_lease_is_held_is_skipped() -> None:
    h = Harness()
    h.registry.put("r1", (1, "SUBMITTED", 0))
    h.store.acquire_lease(KEY, "someone-else", h.now, h.now + timedelta(minutes=15))
    report = h.scan(advance=timedelta(minutes=1))
    assert report.skipped and h.registry.calls == []
    h.now += timedelta(minutes=20)  # the holder crashed; its lease expires
    assert h.scan().complete


class ShrinkingTime:
    """Remaining time that drops by one second at every look."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def __call__(self) -> float:
        self.left -= 1
        return self.left


def test_time_budget_stop_then_resume_skips_nothing_and_emits_nothing_twice() -> None:
    h = Harness(BaselineAlerts.ALL)
    for n in range(9):
        h.registry.put(f"r{n}", (1, "DRAFT", n), (1, "SUBMITTED", 10 + n))
    # Margin 2 s, one call per second: each look at the budget costs one second here.
    budget = TimeBudget(ShrinkingTime(12), margin_seconds=2, seconds_per_call=1)
    first = h.scan(budget)
    assert not first.complete and first.stop_reason == "time budget"
    assert 0 < first.registrations_read < 9
    assert not h.store.load_state(KEY).has_baseline
    rounds = 1
    while not h.scan(TimeBudget(ShrinkingTime(12), 2, 1)).complete:
        rounds += 1
        assert rounds < 10
    assert h.store.load_state(KEY).has_baseline
    ids = [d["eventId"] for d in h.publisher.details()]
    assert len(ids) == len(set(ids)) == 9 * 3  # DISCOVERED + DRAFT + SUBMITTED each
    assert all(d["baseline"] for d in h.publisher.details())


def test_throttling_storm_stops_the_scan_cleanly_and_the_next_one_resumes() -> None:
    h = Harness(BaselineAlerts.NONE)
    for n in range(5):
        h.registry.put(f"r{n}", (1, "SUBMITTED", n))
    h.registry.fail_versions_after = 2
    stopped = h.scan()
    assert not stopped.complete and "RegistryThrottled" in str(stopped.stop_reason)
    assert len(h.store.load_registrations(KEY)) == 2
    h.registry.fail_versions_after = None
    resumed = h.scan()
    assert resumed.complete and resumed.resumed
    assert len(h.store.load_registrations(KEY)) == 5


def test_reconciliation_reads_every_registration_within_the_period() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.options = replace(h.options, reconcile_period=timedelta(hours=24))
    for n in range(30):
        h.registry.put(f"r{n:02}", (1, "SUBMITTED", 0))
    h.scan()
    # A change the summary does not show (a new stamp for the same status).
    h.registry.put("r17", (1, "SUBMITTED", 500))
    baseline_read = h.now
    reads = []
    for _ in range(15):  # hourly scans
        reads.append(h.scan(advance=timedelta(hours=1)).reads_by_reason["reconcile"])
    # ceil(30 × 1 h / 24 h) = 2 per scan, least recently read first: all 30 in 15 scans.
    assert reads == [2] * 15
    assert [d["registrationId"] for d in h.publisher.details()] == ["r17"]
    read_at = [s.full_read_at for s in h.store.load_registrations(KEY).values()]
    assert all(t is not None and t > baseline_read for t in read_at)


def test_native_event_rescans_one_registration() -> None:
    h = Harness(BaselineAlerts.NONE)
    h.registry.put("r1", (1, "SUBMITTED", 0))
    h.registry.put("r2", (1, "SUBMITTED", 0))
    h.scan()
    h.registry.put("r2", (1, "REQUIRES_AUTHENTICATION", 7), status="REQUIRES_AUTHENTICATION")
    h.registry.calls.clear()
    report = h.scanner().scan_registration(REGION, "r2")
    assert report.complete
    assert h.registry.calls == ["DescribeRegistrations", "DescribeRegistrationVersions"]
    assert [d["status"] for d in h.publisher.details()] == [
        "REQUIRES_AUTHENTICATION",
        "REQUIRES_AUTHENTICATION",
    ]
    missing = h.scanner().scan_registration(REGION, "nope")
    assert missing.skipped and missing.complete


def test_a_malformed_registration_is_skipped_reported_and_retried_until_its_value_is_fixed() -> None:
    h = Harness(BaselineAlerts.NONE)
    for rid in ("r1", "r2", "r3", "r4"):
        h.registry.put(rid, (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    for rid in ("r1", "r2", "r3"):
        h.registry.put(rid, (1, "REVIEWING", 10))
    h.registry.malformed_versions["r2"] = "RegistrationVersions[VersionNumber=1].RegistrationVersionStatus"
    for _ in range(2):  # persistent: every scan skips and reports it again
        report = h.scan()
        # The others proceed; the region still completes (the heartbeat keeps beating).
        assert report.complete and report.stop_reason is None
        assert [(m.registration_id, m.field) for m in report.malformed] == [
            ("r2", "RegistrationVersions[VersionNumber=1].RegistrationVersionStatus")
        ]
        assert any("r2" in error for error in report.errors)
        assert report.as_dict()["malformed"] == 1
    stored = h.store.load_registration(KEY, "r2")
    assert stored is not None and stored.registration_status == "SUBMITTED"
    assert stored.versions[1].status == "SUBMITTED"  # untouched: the next scan tries again
    assert sorted(h.publisher.summary(without_registration_status=True)) == [
        ("r1", "VERSION", 1, "REVIEWING"),
        ("r3", "VERSION", 1, "REVIEWING"),
    ]

    del h.registry.malformed_versions["r2"]
    fixed = h.scan()
    assert fixed.complete and fixed.malformed == []
    assert h.publisher.summary(without_registration_status=True)[-1] == ("r2", "VERSION", 1, "REVIEWING")
    ids = [d["eventId"] for d in h.publisher.details()]
    assert len(ids) == len(set(ids)) == 6  # a version and a registration event each


def test_a_malformed_summary_is_skipped_and_never_taken_for_a_deletion() -> None:
    h = Harness(BaselineAlerts.NONE)
    for rid in ("r1", "r2", "r3"):
        h.registry.put(rid, (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    h.registry.put("r1", (1, "DENIED", 5), status="REQUIRES_UPDATES")
    h.registry.put("r3", (1, "APPROVED", 5), status="COMPLETE")
    h.registry.malformed_summaries["r1"] = "CurrentVersionNumber"
    report = h.scan()
    assert report.complete and report.deleted == 0
    assert [(m.registration_id, m.field) for m in report.malformed] == [("r1", "CurrentVersionNumber")]
    assert [d["registrationId"] for d in h.publisher.details()] == ["r3", "r3"]
    assert not h.store.load_registration(KEY, "r1").is_tombstone  # type: ignore[union-attr]
    del h.registry.malformed_summaries["r1"]
    h.scan()
    assert [d["status"] for d in h.publisher.details() if d["registrationId"] == "r1"] == [
        "DENIED",
        "REQUIRES_UPDATES",
    ]


def test_an_item_without_a_readable_id_suspends_deletion_detection() -> None:
    h = Harness(BaselineAlerts.NONE)
    for rid in ("r1", "r2"):
        h.registry.put(rid, (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    h.registry.delete("r2")
    h.registry.unidentified_items = 1  # that item may be r2: it cannot be called deleted
    blind = h.scan()
    assert blind.deleted == 0 and blind.malformed[0].registration_id is None
    assert any("deletions not checked" in error for error in blind.errors)
    h.registry.unidentified_items = 0
    assert h.scan().deleted == 1


class CallBudget:
    """Remaining time that is spent only by API calls: `calls` of them per invocation."""

    def __init__(self, registry: FakeRegistry, calls: int) -> None:
        self.registry = registry
        self.start = len(registry.calls)
        self.calls = calls

    def __call__(self) -> float:
        return float(self.calls - (len(self.registry.calls) - self.start))


def test_a_listing_that_spans_invocations_resumes_where_it_stopped() -> None:
    h = Harness(BaselineAlerts.NONE)
    ids = [f"r{n}" for n in range(9)]  # 5 pages of 2
    for rid in ids:
        h.registry.put(rid, (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    for rid in ids[:8]:
        h.registry.put(rid, (1, "REVIEWING", 10))
    h.registry.delete("r8")  # on the last page: only decided when the cycle ends
    reports = []
    cursors = []
    while True:
        # Three calls per invocation: a list call and two version reads, or so.
        budget = TimeBudget(CallBudget(h.registry, 3), margin_seconds=0, seconds_per_call=1)
        reports.append(h.scan(budget, advance=timedelta(seconds=30)))
        cursors.append(h.store.load_state(KEY).cursor)
        if reports[-1].complete:
            break
        assert reports[-1].stop_reason == "time budget" and reports[-1].deleted == 0
        assert len(reports) < 20
    assert len(reports) >= 3
    # One listing cycle across all of them: same cycle id, the cursor moves forward.
    assert len({r.listing_cycle_id for r in reports}) == 1
    assert all(c is not None for c in cursors[:-1]) and cursors[-1] is None
    assert [r.listing_complete for r in reports] == [False] * (len(reports) - 1) + [True]
    assert reports[0].resumed is False and all(r.resumed for r in reports[1:])
    # Every change exactly once, one deletion, and no registration listed in an earlier
    # invocation of the cycle mistaken for a deleted one.
    assert sorted(h.publisher.summary(without_registration_status=True)) == sorted(
        [(rid, "VERSION", 1, "REVIEWING") for rid in ids[:8]] + [("r8", "REGISTRATION", 1, "DELETED")]
    )
    assert sum(r.deleted for r in reports) == 1
    assert sum(r.reads_by_reason["changed"] for r in reports) == 8
    assert h.store.load_state(KEY).has_baseline and not h.store.load_state(KEY).incomplete


def test_a_refused_next_token_restarts_the_listing_in_the_same_cycle() -> None:
    h = Harness(BaselineAlerts.NONE)
    ids = [f"r{n}" for n in range(6)]  # 3 pages of 2
    for rid in ids:
        h.registry.put(rid, (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    for rid in ids:
        h.registry.put(rid, (1, "REVIEWING", 10))
    first = h.scan(TimeBudget(CallBudget(h.registry, 4), 0, 1))  # page 1 (2 reads), page 2
    cursor = h.store.load_state(KEY).cursor
    assert not first.complete and cursor is not None and cursor.next_token is not None
    h.registry.refuse_next_tokens = 1  # the stored token expired meanwhile
    h.registry.calls.clear()
    second = h.scan()
    assert second.complete and second.listing_restarts == 1
    assert second.listing_cycle_id == first.listing_cycle_id
    # Page 1 again costs only its list call: its registrations were done in this cycle.
    assert h.registry.calls.count("DescribeRegistrationVersions") == 6 - first.reads_by_reason["changed"]
    expected = sorted((rid, "VERSION", 1, "REVIEWING") for rid in ids)
    assert sorted(h.publisher.summary(without_registration_status=True)) == expected
    assert second.deleted == 0


def test_a_token_refused_twice_stops_the_scan_cleanly() -> None:
    h = Harness(BaselineAlerts.NONE)
    for n in range(5):
        h.registry.put(f"r{n}", (1, "SUBMITTED", 0), status="SUBMITTED")
    h.registry.refuse_next_tokens = 2
    stopped = h.scan()
    assert not stopped.complete and "INVALID_NEXT_TOKEN" in str(stopped.stop_reason)
    assert h.scan().complete


def test_an_unfinished_cycle_too_old_to_trust_starts_over() -> None:
    h = Harness(BaselineAlerts.NONE)
    for n in range(6):
        h.registry.put(f"r{n}", (1, "SUBMITTED", 0), status="SUBMITTED")
    h.scan()
    h.registry.put("r5", (1, "REVIEWING", 10))
    h.registry.delete("r0")
    stalled = h.scan(TimeBudget(CallBudget(h.registry, 1), 0, 1))
    assert not stalled.complete and h.store.load_state(KEY).cursor is not None
    h.store.listed.clear()  # what the store's TTL does to the saved ids after 3 days
    later = h.scan(advance=timedelta(days=3))
    assert later.complete and later.listing_cycle_id != stalled.listing_cycle_id
    assert later.deleted == 1  # r0, and only r0: r1 (listed by the stale cycle) is not lost
    assert [d["registrationId"] for d in h.publisher.details() if d["status"] == "DELETED"] == ["r0"]
