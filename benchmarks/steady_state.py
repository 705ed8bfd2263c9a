"""A simulated hour of steady state at the deployed pace: quota share, detection delay, misses.

`python -m benchmarks.run --steady-state [--steady-size N] [--steady-change-rate R]`.

One target of N registrations whose baseline is complete, changing at R changes an hour.
Per change AWS's native "Registration Status Change" event arrives 1–3 s later and runs
`Scanner.scan_registration` (the rescan path); the schedule runs `Scanner.scan_region`
every 5 minutes with a 15-minute budget. Three deliveries of the native events: all, 10 %
dropped (seeded), none. Time is simulated as in benchmarks/first_scan.py: regwatch's real
Scanner on the in-memory ports of benchmarks/sim_ports.py, every SMS call paced on a
virtual clock, then CALL_SECONDS.

Concurrency, approximated: deployed, each rescan is its own Lambda invocation beside the
scheduled scan, and they share each operation's budget through the snapshot table
(regwatch_aws/api_budget.py). Here every invocation has its own SimClock (a lane starting
at its trigger) and its own TableCallPacer, all over one BudgetTable, so the slot rule is
the deployed one. The lanes run one after another in time order: before each call of the
scheduled scan, every event that has arrived by the scan's clock is rescanned first, to
its end. So a rescan's second call may take a slot a few seconds ahead of a scan call it
would really follow; the fleet moves to the latest lane's time, so the scan may see a
change a few seconds early. Both are seconds against a 5-minute schedule.

The fleet and its changes are benchmarks/steady_fleet.py. Changes the registration's
summary does not show get no native event: only reconciliation finds them (every
registration re-read within 24 h), so a run goes on after its hours until every change
was published or that period passed; calls are counted for what the hours triggered.

The baseline is built by the Scanner's own first scan, unpaced and before the hour (triage
off, so every registration is read); then each snapshot's last full read is spread evenly
over the previous 24 hours, as reconciliation leaves them in steady state.

Listing: `full_listing_minutes` 0 lists everything on every schedule; otherwise adaptive
listing (regwatch/listing_policy.py) with that interval and the deployed native-event
window. Every run starts with the target's last native event 10 minutes before the hour:
events were flowing; in the all-dropped run they stop as the hour begins.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from benchmarks.sim_ports import (
    ACCOUNT,
    HOUR,
    INVOCATION_SECONDS,
    RATE,
    REGION,
    SCHEDULE_SECONDS,
    START,
    BudgetTable,
    Fleet,
    MemoryStore,
    PacedRegistry,
    PublishedEvent,
    RecordingPublisher,
    SimClock,
)
from benchmarks.steady_fleet import (
    DELIVERIES,
    Change,
    ChangingFleet,
    SteadyConfig,
    initial_fleet,
    plan_changes,
)
from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.listing_policy import ListingPolicy
from regwatch.scan import Scanner, ScanOptions
from regwatch.snapshot import RegionKey
from regwatch_aws.api_budget import TableCallPacer
from scanner.settings import DEFAULT_NATIVE_EVENT_WINDOW_HOURS

__all__ = ["DELIVERIES", "RECONCILE_PERIOD", "SteadyConfig", "SteadyResult", "run_steady_state"]

RECONCILE_PERIOD = timedelta(hours=24)  # the deployed default (RECONCILE_HOURS)
NATIVE_EVENT_LEAD = timedelta(minutes=10)  # the last native event before the hour


@dataclass
class SteadyResult:
    config: SteadyConfig
    changes: list[Change]
    detected_at: dict[int, float] = field(default_factory=dict)  # change index → first event
    calls: Counter[str] = field(default_factory=Counter)  # scans and rescans triggered in the hours
    rescan_calls: Counter[str] = field(default_factory=Counter)  # the rescans' part of `calls`
    scan_calls: list[int] = field(default_factory=list)  # per scheduled scan in the hours
    listings: Counter[str] = field(default_factory=Counter)  # listing mode of those scans
    fallbacks: int = 0
    rescans: int = 0  # native events that arrived in the hours
    simulated_until: float = 0.0
    wall_seconds: float = 0.0

    def delays(self, shown: bool) -> list[float]:
        return sorted(
            self.detected_at[i] - c.at
            for i, c in enumerate(self.changes)
            if c.shown == shown and i in self.detected_at
        )

    @property
    def missed(self) -> int:
        return len(self.changes) - len(self.detected_at)


def _seconds_left(clock: SimClock, deadline: float) -> float:
    return deadline - clock.now


class _Detector:
    """Matches published events to injected changes (registration, version, status, not before it).

    Each registration changes at most once per run, so the key names one change. An event
    stamped before its change (the lanes' few seconds of skew) is not counted: such a skew
    would show as a miss, never as a detection.
    """

    def __init__(self, changes: Sequence[Change], published: list[PublishedEvent]) -> None:
        self.published = published
        self.seen = 0
        self.wanted = {
            (c.summary.registration_id, c.version_number, c.status): i for i, c in enumerate(changes)
        }
        self.changes = changes
        self.detected_at: dict[int, float] = {}

    def update(self) -> None:
        for event in self.published[self.seen :]:
            index = self.wanted.get((event.registration_id, event.version_number, event.status))
            if index is not None and index not in self.detected_at and event.at >= self.changes[index].at:
                self.detected_at[index] = event.at
        self.seen = len(self.published)

    @property
    def all_detected(self) -> bool:
        return len(self.detected_at) == len(self.changes)


def _options(config: SteadyConfig, *, baseline: bool = False) -> ScanOptions:
    return ScanOptions(
        account_id=ACCOUNT,
        event_source="regwatch",
        event_bus_name="bench",
        baseline_alerts=BaselineAlerts.ACTIONABLE,
        reconcile_period=RECONCILE_PERIOD,
        triage_baseline=not baseline,
        listing=ListingPolicy(
            full_listing_interval=timedelta(minutes=config.full_listing_minutes),
            native_event_window=timedelta(hours=DEFAULT_NATIVE_EVENT_WINDOW_HOURS),
        ),
    )


def build_baseline(config: SteadyConfig, fleet: Fleet, store: MemoryStore) -> None:
    """The Scanner's own first scan, unpaced, ending SCHEDULE_SECONDS before the hour; then
    each last full read spread over the reconcile period, as steady reconciliation leaves them.

    AWS's native events flowed until the hour began (the last NATIVE_EVENT_LEAD before it):
    in the all-dropped run they stop there, the case adaptive listing must notice.
    """
    clock = SimClock(-SCHEDULE_SECONDS)
    registry = PacedRegistry(fleet, clock, None)
    scanner = Scanner(
        registry_for=lambda _: registry,
        store=store,
        publisher=RecordingPublisher(clock),
        clock=clock.moment,
        options=_options(config, baseline=True),
    )
    report = scanner.scan_region(REGION, TimeBudget.unlimited(), "baseline")
    if not report.complete:
        raise RuntimeError(f"steady state: the baseline did not complete ({report.stop_reason})")
    rng = random.Random(config.seed + 3)
    period = RECONCILE_PERIOD.total_seconds()
    for registration_id, snapshot in store.items.items():
        read_at = START - timedelta(seconds=rng.uniform(SCHEDULE_SECONDS, period))
        store.items[registration_id] = replace(snapshot, full_read_at=read_at)
    store.record_native_event(RegionKey(ACCOUNT, REGION), START - NATIVE_EVENT_LEAD)


class _SteadyHour:
    """One run: the scheduled scans on their lane, each native event's rescan on its own."""

    def __init__(self, config: SteadyConfig) -> None:
        self.config = config
        summaries, versions = initial_fleet(config, random.Random(config.seed))
        changes = plan_changes(config, summaries, {k: list(v) for k, v in versions.items()})
        self.fleet = ChangingFleet(summaries, versions, changes)
        self.store = MemoryStore()
        build_baseline(config, self.fleet, self.store)
        self.result = SteadyResult(config, changes)
        self.table = BudgetTable()
        self.published: list[PublishedEvent] = []
        self.detector = _Detector(changes, self.published)
        arrivals = ((c.event_at, c.summary.registration_id) for c in changes if c.event_at is not None)
        self.events = deque(sorted(arrivals))
        self.hours = config.hours * HOUR
        self.later: Counter[str] = Counter()  # calls of what the drain after the hours triggered

    def invocation(
        self, clock: SimClock, calls: Counter[str], before_call: Callable[[], None] | None = None
    ) -> Scanner:
        """A Scanner as one Lambda invocation has it: its own clock and pacer, the shared budget table."""
        pacer = TableCallPacer(
            self.table, "bench", f"{ACCOUNT}/{REGION}", RATE, clock=clock, sleep=clock.sleep
        )
        registry = PacedRegistry(self.fleet, clock, pacer, calls=calls, before_call=before_call)
        return Scanner(
            registry_for=lambda _: registry,
            store=self.store,
            publisher=RecordingPublisher(clock, self.published),
            clock=clock.moment,
            options=_options(self.config),
        )

    def rescan_arrived(self, until: float) -> None:
        """Rescan every native event that arrived by `until`, each from its arrival on."""
        while self.events and self.events[0][0] <= until:
            arrival, registration_id = self.events.popleft()
            lane = SimClock(arrival)
            in_hours = arrival < self.hours
            self.invocation(lane, self.result.rescan_calls if in_hours else self.later).scan_registration(
                REGION, registration_id
            )
            self.result.rescans += in_hours

    def scheduled_scan(self, moment: float, number: int) -> float:
        """The schedule's scan from `moment`; returns when it ended."""
        lane = SimClock(moment)
        calls: Counter[str] = Counter()
        scanner = self.invocation(
            lane, calls, functools.partial(_rescan_until_clock, self.rescan_arrived, lane)
        )
        budget = TimeBudget.for_invocation(
            functools.partial(_seconds_left, lane, moment + INVOCATION_SECONDS), RATE
        )
        report = scanner.scan_region(REGION, budget, f"scan-{number:05d}")
        if moment < self.hours:
            self.result.calls.update(calls)
            self.result.scan_calls.append(sum(calls.values()))
            self.result.listings[report.listing_mode or "full"] += 1
            self.result.fallbacks += report.listing_fallback
        else:
            self.later.update(calls)
        return lane.now

    def run(self, log: Callable[[str], None]) -> SteadyResult:
        """The hours, then on until every change was published or the reconcile period passed."""
        limit = self.hours + RECONCILE_PERIOD.total_seconds() + 2 * SCHEDULE_SECONDS
        moment, scans = 0.0, 0
        while moment < limit:
            self.detector.update()
            if moment >= self.hours and not self.events and self.detector.all_detected:
                break
            self.rescan_arrived(moment)
            ended = self.scheduled_scan(moment, scans)
            scans += 1
            # The next schedule after this scan ended (the ones in between found the lease held).
            moment = max(moment + SCHEDULE_SECONDS, math.ceil(ended / SCHEDULE_SECONDS) * SCHEDULE_SECONDS)
            if scans % 50 == 0:
                log(f"steady state {self.config.delivery}: {moment / HOUR:.1f} h simulated, {scans} scans")
        self.rescan_arrived(math.inf)
        self.detector.update()
        self.result.calls.update(self.result.rescan_calls)
        self.result.detected_at = self.detector.detected_at
        self.result.simulated_until = moment
        return self.result


def run_steady_state(config: SteadyConfig, log: Callable[[str], None] = lambda _: None) -> SteadyResult:
    started = time.perf_counter()
    result = _SteadyHour(config).run(log)
    result.wall_seconds = time.perf_counter() - started
    return result


def _rescan_until_clock(rescan: Callable[[float], None], lane: SimClock) -> None:
    """Before a scheduled scan's call: the native events that arrived by then are rescanned first."""
    rescan(lane.now)
