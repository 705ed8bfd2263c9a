"""First scan of a large target at the deployed pace, on a simulated clock.

`python -m benchmarks.run --first-scan [--first-scan-size N]` (or `make bench ARGS=--first-scan`).

AWS's default quota is 1 call/s per operation; regwatch paces each operation at 0.8 call/s
(`apiCallsPerSecond`). At 100,000 registrations a first scan makes ~101,000 calls, about
35 hours, far beyond what a wall-clock run can wait for. So time is simulated, not
compressed: regwatch's real Scanner (listing, plan, triage, time budget) runs invocation
after invocation, each with a 15-minute budget, and every SMS call first takes a token
from regwatch's own RateLimiter (one bucket per operation, 0.8/s) on a virtual clock, then
costs CALL_SECONDS; the clock moves only by those waits. Invocations start on the
5-minute schedule; while one holds the lease the schedules in between skip.

The ports are in memory (this module): the registry answers from a generated fleet, the
store keeps snapshots with the DynamoDB adapter's revision rules, the publisher records
when each event went out. DynamoDB, EventBridge and the emulator's HTTP are not in the
loop: their latency is small next to the 1.25 s per call the quota imposes, and at
100,000 registrations and ~140 invocations moto would take hours here.

Measured: time to the first and to the last actionable alert (a registration whose
version waits on a person: REQUIRES_AUTHENTICATION), time until 50 % and 100 % of the
registrations were read in full, invocations, SMS calls per operation, and this
process's peak RSS. With triage off (`triage_baseline=False`) the same run shows the
order regwatch read in before (listing order).
"""

from __future__ import annotations

import functools
import json
import math
import random
import resource
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.errors import RegistrationNotFound, SnapshotConflict
from regwatch.model import (
    Association,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
    history_key_for_status,
)
from regwatch.ports import RegistrationPage
from regwatch.ratelimit import RateLimiter
from regwatch.scan import PAGE_SIZE, Scanner, ScanOptions
from regwatch.snapshot import PlanEntry, PlanningRead, RegionKey, RegistrationSnapshot, ScanState

ACCOUNT = "123456789012"
REGION = "us-east-1"
RATE = 0.8  # deployed apiCallsPerSecond, per operation
CALL_SECONDS = 0.1  # a round trip once the token is granted (benchmarks/pacing.py)
INVOCATION_SECONDS = 900.0  # the scanner's Lambda timeout
SCHEDULE_SECONDS = 300.0
START = datetime(2026, 1, 5, tzinfo=UTC)
HOUR = 3600.0


class _SimClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def moment(self) -> datetime:
        return START + timedelta(seconds=self.now)


class _PacedRegistry:
    """A generated fleet behind regwatch's per-operation token buckets on the simulated clock."""

    def __init__(
        self,
        fleet: Sequence[RegistrationSummary],
        versions: Mapping[str, list[RegistrationVersion]],
        clock: _SimClock,
    ) -> None:
        self.fleet = list(fleet)
        self.by_id = {s.registration_id: s for s in fleet}
        self.versions = versions
        self.clock = clock
        self.limiter = RateLimiter(RATE, clock, clock.sleep)
        self.calls: Counter[str] = Counter()

    def _call(self, operation: str) -> None:
        self.limiter.acquire(operation)
        self.clock.sleep(CALL_SECONDS)
        self.calls[operation] += 1

    def list_registrations(
        self, next_token: str | None, statuses: frozenset[str] | None = None
    ) -> RegistrationPage:
        self._call("DescribeRegistrations")
        listed = (
            self.fleet if statuses is None else [s for s in self.fleet if s.registration_status in statuses]
        )
        start = int(next_token or 0)
        end = start + PAGE_SIZE
        return RegistrationPage(tuple(listed[start:end]), str(end) if end < len(listed) else None)

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]:
        self._call("DescribeRegistrations")
        return [self.by_id[i] for i in registration_ids if i in self.by_id]

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]:
        self._call("DescribeRegistrationVersions")
        if registration_id not in self.versions:
            raise RegistrationNotFound(registration_id)
        return list(self.versions[registration_id])

    def field_values(self, registration_id: str, version_number: int) -> list[RegistrationFieldValue]:
        self._call("DescribeRegistrationFieldValues")
        return []

    def name_tag(self, registration_arn: str) -> str | None:
        self._call("ListTagsForResource")
        return None

    def associations(self, registration_id: str) -> list[Association]:
        self._call("ListRegistrationAssociations")
        return []


class _MemoryStore:
    """The SnapshotStore port in memory, with the DynamoDB adapter's revision rules."""

    def __init__(self, on_full_read: Callable[[str], None]) -> None:
        self.items: dict[str, RegistrationSnapshot] = {}
        self.state = ScanState()
        self.lease: tuple[str, datetime] | None = None
        self.listed: dict[str, set[str]] = {}
        self.on_full_read = on_full_read

    def load_state(self, key: RegionKey) -> ScanState:
        return self.state

    def acquire_lease(self, key: RegionKey, owner: str, now: datetime, until: datetime) -> ScanState | None:
        if self.lease is not None and self.lease[1] > now and self.lease[0] != owner:
            return None
        self.lease = (owner, until)
        return self.state

    def release_lease(self, key: RegionKey, owner: str, state: ScanState) -> None:
        # Like the DynamoDB adapter: the lease holder never writes nativeEventAt.
        self.lease, self.state = None, replace(state, native_event_at=self.state.native_event_at)

    def record_native_event(self, key: RegionKey, at: datetime) -> None:
        if self.state.native_event_at is None or self.state.native_event_at < at:
            self.state = replace(self.state, native_event_at=at)

    def load_plan(self, key: RegionKey) -> PlanningRead:
        return PlanningRead({rid: PlanEntry.of(snapshot) for rid, snapshot in self.items.items()})

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        return self.items.get(registration_id)

    def save_listed_ids(self, key: RegionKey, cycle_id: str, part: str, registration_ids: Set[str]) -> None:
        self.listed.setdefault(cycle_id, set()).update(registration_ids)

    def load_listed_ids(self, key: RegionKey, cycle_id: str) -> set[str]:
        return set(self.listed.get(cycle_id, ()))

    def save_registration(
        self, key: RegionKey, snapshot: RegistrationSnapshot, expected_revision: int | None
    ) -> None:
        stored = self.items.get(snapshot.registration_id)
        if (stored.revision if stored else None) != expected_revision:
            raise SnapshotConflict(snapshot.registration_id)
        self.items[snapshot.registration_id] = snapshot
        if snapshot.full_read_at is not None and (stored is None or stored.full_read_at is None):
            self.on_full_read(snapshot.registration_id)

    def deletions_confirmed(self, key: RegionKey, cycle_id: str) -> bool:
        return False


class _RecordingPublisher:
    def __init__(self, clock: _SimClock) -> None:
        self.clock = clock
        self.first_event_at: dict[str, float] = {}

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        for entry in entries:
            registration_id = str(json.loads(str(entry["Detail"]))["registrationId"])
            self.first_event_at.setdefault(registration_id, self.clock.now)
        return len(entries)


@dataclass(frozen=True)
class FirstScanConfig:
    size: int = 100_000
    actionable_share: float = 0.01  # a version waiting on a person (REQUIRES_AUTHENTICATION)
    in_review_share: float = 0.02  # not settled, nothing to alert at baseline (REVIEWING)
    triage: bool = True
    seed: int = 7
    max_invocations: int = 1_000


@dataclass
class FirstScanResult:
    config: FirstScanConfig
    actionable: int
    invocations: int = 0
    first_actionable_alert_s: float | None = None
    all_actionable_alerted_s: float | None = None
    half_read_s: float | None = None
    all_read_s: float | None = None
    calls: Counter[str] = field(default_factory=Counter)
    peak_rss_mib: float = 0.0
    wall_seconds: float = 0.0


def _fleet(
    config: FirstScanConfig,
) -> tuple[list[RegistrationSummary], dict[str, list[RegistrationVersion]], set[str]]:
    rng = random.Random(config.seed)
    fleet: list[RegistrationSummary] = []
    versions: dict[str, list[RegistrationVersion]] = {}
    actionable: set[str] = set()
    moment = START - timedelta(days=30)
    for number in range(config.size):
        registration_id = f"registration-{number:06d}"
        draw = rng.random()
        if draw < config.actionable_share:
            status, version_status, approved = "REQUIRES_UPDATES", "REQUIRES_AUTHENTICATION", None
            actionable.add(registration_id)
        elif draw < config.actionable_share + config.in_review_share:
            status, version_status, approved = "REVIEWING", "REVIEWING", None
        else:
            status, version_status, approved = "COMPLETE", "APPROVED", 1
        history = {
            history_key_for_status("SUBMITTED"): moment,
            history_key_for_status(version_status): moment,
        }
        versions[registration_id] = [RegistrationVersion(1, version_status, history)]
        fleet.append(
            RegistrationSummary(
                registration_id=registration_id,
                registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:registration/{registration_id}",
                registration_type="US_TEN_DLC_BRAND_REGISTRATION",
                registration_status=status,
                current_version_number=1,
                approved_version_number=approved,
            )
        )
    return fleet, versions, actionable


def _seconds_left(clock: _SimClock, deadline: float) -> float:
    return deadline - clock.now


def run_first_scan(config: FirstScanConfig, log: Callable[[str], None] = lambda _: None) -> FirstScanResult:
    started = time.perf_counter()
    fleet, versions, actionable = _fleet(config)
    clock = _SimClock()
    read_count = 0
    result = FirstScanResult(config, actionable=len(actionable))

    def on_full_read(_: str) -> None:
        nonlocal read_count
        read_count += 1
        if result.half_read_s is None and read_count * 2 >= config.size:
            result.half_read_s = clock.now
        if read_count >= config.size:
            result.all_read_s = clock.now

    registry = _PacedRegistry(fleet, versions, clock)
    store = _MemoryStore(on_full_read)
    publisher = _RecordingPublisher(clock)
    options = ScanOptions(
        account_id=ACCOUNT,
        event_source="regwatch",
        event_bus_name="bench",
        baseline_alerts=BaselineAlerts.ACTIONABLE,
        triage_baseline=config.triage,
    )
    scanner = Scanner(
        registry_for=lambda _: registry, store=store, publisher=publisher, clock=clock.moment, options=options
    )
    while result.all_read_s is None and result.invocations < config.max_invocations:
        deadline = clock.now + INVOCATION_SECONDS
        budget = TimeBudget.for_invocation(functools.partial(_seconds_left, clock, deadline), RATE)
        scanner.scan_region(REGION, budget, f"scan-{result.invocations:04d}")
        result.invocations += 1
        # The next schedule after this invocation ended (the ones in between found the lease held).
        clock.now = math.ceil(clock.now / SCHEDULE_SECONDS) * SCHEDULE_SECONDS
        if result.invocations % 20 == 0:
            log(
                f"first scan N={config.size}: {result.invocations} invocations, {read_count} read, "
                f"{clock.now / HOUR:.1f} h simulated"
            )
    alerted = [publisher.first_event_at[r] for r in actionable if r in publisher.first_event_at]
    if alerted:
        result.first_actionable_alert_s = min(alerted)
    if len(alerted) == len(actionable):
        result.all_actionable_alerted_s = max(alerted, default=0.0)
    result.calls = registry.calls
    result.peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.wall_seconds = time.perf_counter() - started
    return result


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "not reached"
    if seconds < HOUR:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / HOUR:.1f} h"


TABLE_ROWS = (
    "First actionable alert",
    "All actionable alerted",
    "50 % read in full",
    "100 % read in full",
    "Invocations (15 min each)",
    "SMS API calls",
    "Peak RSS of the run",
)


def render_first_scan(results: Sequence[FirstScanResult]) -> str:
    """The generated section's body: one column per run."""
    header = (
        "| | "
        + " | ".join(f"N = {r.config.size:,}, triage {'on' if r.config.triage else 'off'}" for r in results)
        + " |"
    )
    rule = "|---|" + "---|" * len(results)
    cells = {
        TABLE_ROWS[0]: [_duration(r.first_actionable_alert_s) for r in results],
        TABLE_ROWS[1]: [_duration(r.all_actionable_alerted_s) for r in results],
        TABLE_ROWS[2]: [_duration(r.half_read_s) for r in results],
        TABLE_ROWS[3]: [_duration(r.all_read_s) for r in results],
        TABLE_ROWS[4]: [str(r.invocations) for r in results],
        TABLE_ROWS[5]: [f"{sum(r.calls.values()):,}" for r in results],
        TABLE_ROWS[6]: [f"{r.peak_rss_mib:.0f} MiB" for r in results],
    }
    lines = [header, rule] + [f"| {row} | " + " | ".join(values) + " |" for row, values in cells.items()]
    first = results[0].config
    lines += [
        "",
        f"{first.actionable_share:.0%} of the registrations need a person (a version in "
        f"REQUIRES_AUTHENTICATION), {first.in_review_share:.0%} are in review, the rest COMPLETE; "
        f"`baselineAlerts: actionable`; {RATE} call/s per operation, {CALL_SECONDS} s per call once "
        f"its token is granted; invocations of {INVOCATION_SECONDS / 60:.0f} minutes on the "
        f"{SCHEDULE_SECONDS / 60:.0f}-minute schedule. Simulated time (benchmarks/first_scan.py): the real "
        "Scanner on in-memory ports, DynamoDB/EventBridge latency not included. Wall time of the runs: "
        + ", ".join(f"{r.wall_seconds:.0f} s" for r in results)
        + ".",
    ]
    return "\n".join(lines)
