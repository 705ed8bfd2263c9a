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

The ports are in memory (benchmarks/sim_ports.py, shared with the steady-state benchmark):
the registry answers from a generated fleet, the store keeps snapshots with the DynamoDB
adapter's revision rules, the publisher records when each event went out. DynamoDB,
EventBridge and the emulator's HTTP are not in the loop: their latency is small next to the
1.25 s per call the quota imposes, and at 100,000 registrations and ~140 invocations moto
would take hours here.

Measured: time to the first and to the last actionable alert (a registration whose
version waits on a person: REQUIRES_AUTHENTICATION), time until 50 % and 100 % of the
registrations were read in full, invocations, SMS calls per operation, and this
process's peak RSS. With triage off (`triage_baseline=False`) the same run shows the
order regwatch read in before (listing order).
"""

from __future__ import annotations

import functools
import math
import random
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from benchmarks.sim_ports import (
    ACCOUNT,
    CALL_SECONDS,
    HOUR,
    INVOCATION_SECONDS,
    RATE,
    REGION,
    SCHEDULE_SECONDS,
    START,
    Fleet,
    MemoryStore,
    PacedRegistry,
    RecordingPublisher,
    SimClock,
)
from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.model import RegistrationSummary, RegistrationVersion, history_key_for_status
from regwatch.ratelimit import RateLimiter
from regwatch.scan import Scanner, ScanOptions


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


def _seconds_left(clock: SimClock, deadline: float) -> float:
    return deadline - clock.now


def run_first_scan(config: FirstScanConfig, log: Callable[[str], None] = lambda _: None) -> FirstScanResult:
    started = time.perf_counter()
    fleet, versions, actionable = _fleet(config)
    clock = SimClock()
    read_count = 0
    result = FirstScanResult(config, actionable=len(actionable))

    def on_full_read(_: str) -> None:
        nonlocal read_count
        read_count += 1
        if result.half_read_s is None and read_count * 2 >= config.size:
            result.half_read_s = clock.now
        if read_count >= config.size:
            result.all_read_s = clock.now

    registry = PacedRegistry(Fleet(fleet, versions), clock, RateLimiter(RATE, clock, clock.sleep))
    store = MemoryStore(on_full_read)
    publisher = RecordingPublisher(clock)
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
