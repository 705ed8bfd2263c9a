"""One benchmark run at one size: both scanners on the same dataset, scan after scan.

Timeline (emulator clock frozen, advanced 5 minutes per tick, like the schedule):
  tick 0            baseline scan of both scanners (no alerts; cost reported apart)
  ticks 1..S        `share` of the registrations change, then regwatch scans, then the
                    naive scanner scans: the steady-state figures are the mean of these
  ticks S+1..S+C    one full reconciliation cycle of regwatch scans without new changes,
                    at RECONCILE_HOURS=cycle_hours (C = cycle_hours * 12 scans); the naive
                    scanner has nothing left to find by then (it reads everything each scan)
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from benchmarks.dataset import Dataset, InjectedTransition, detection_ticks
from benchmarks.instrument import SMS_SERVICE
from benchmarks.stack import NAIVE_TABLE, REGION, LocalStack
from benchmarks.transitions import VersionTransition
from benchmarks.workers import ScanMeasurement, ScannerProcess

SCAN_INTERVAL_SECONDS = 300
# Lambda retries a failed asynchronous (scheduled) invocation twice; so does the benchmark,
# e.g. when a machine shared with other work makes moto answer slower than the SDK waits.
LAMBDA_ASYNC_RETRIES = 2
# 2026-01-05T00:00:00Z: a fixed start so runs are reproducible.
START_EPOCH = 1_767_571_200.0


@dataclass
class RunConfig:
    size: int
    share: float = 0.01
    hidden_share: float = 0.2
    steady_scans: int = 3
    reconcile_hours: float = 24.0
    cycle_hours: float = 1.0
    run_cycle: bool = True
    # The naive scanner costs ~3 calls per registration per scan: at 100,000 that is hours here.
    run_naive: bool = True
    api_calls_per_second: float = 1000.0
    versions_min: int = 1
    versions_max: int = 5
    seed: int = 7
    trace_heap: bool = False


@dataclass
class ScannerFigures:
    name: str
    baseline: ScanMeasurement | None = None
    baseline_sms_calls: dict[str, int] = field(default_factory=dict)
    steady: list[ScanMeasurement] = field(default_factory=list)
    steady_sms_calls: list[dict[str, int]] = field(default_factory=list)
    cycle_sms_calls: list[dict[str, int]] = field(default_factory=list)
    cycle_scans: int = 0
    cycle_rss: list[int] = field(default_factory=list)
    detected_at: dict[VersionTransition, int] = field(default_factory=dict)
    spurious: set[VersionTransition] = field(default_factory=set)
    duplicate_events: int = 0
    registration_events: int = 0
    failed_invocations: int = 0  # retried, as Lambda retries a failed asynchronous invocation
    rss_peak_bytes: int = 0  # the whole run
    # A first scan too large for one invocation (100,000 here) continues in the next ones, as
    # the deployed scanner does; the baseline figures cover all of them.
    baseline_invocations: int = 0
    heap_peak_bytes: int | None = None

    def add_to_baseline(self, measured: ScanMeasurement, sms: dict[str, int]) -> None:
        """One more invocation of an unfinished first scan: calls and time add up, memory peaks."""
        assert self.baseline is not None
        self.baseline = replace(
            self.baseline,
            wall_seconds=self.baseline.wall_seconds + measured.wall_seconds,
            rss_peak_bytes=max(self.baseline.rss_peak_bytes, measured.rss_peak_bytes),
            paced_seconds=self.baseline.paced_seconds + measured.paced_seconds,
        )
        self.baseline_sms_calls = dict(Counter(self.baseline_sms_calls) + Counter(sms))
        self.baseline_invocations += 1

    def steady_rss_peak_bytes(self) -> int:
        return max((m.rss_peak_bytes for m in self.steady), default=0)

    def cycle_rss_peak_bytes(self) -> int:
        return max(self.cycle_rss, default=0)

    def record(self, measurement: ScanMeasurement) -> None:
        self.rss_peak_bytes = max(self.rss_peak_bytes, measurement.rss_peak_bytes)
        if measurement.heap_peak_bytes is not None:
            self.heap_peak_bytes = max(self.heap_peak_bytes or 0, measurement.heap_peak_bytes)

    def steady_calls(self) -> dict[str, float]:
        """Mean calls per steady-state scan, per `service:Operation`.

        SMS API calls come from the emulator's counters (every HTTP request, retries
        included); the other services from the botocore hooks in the scanner's process.
        """
        totals: Counter[str] = Counter()
        for measured, sms in zip(self.steady, self.steady_sms_calls, strict=True):
            totals.update({op: n for op, n in measured.calls.items() if not op.startswith(SMS_SERVICE)})
            totals.update({f"{SMS_SERVICE}:{op}": n for op, n in sms.items()})
        scans = max(1, len(self.steady))
        return {op: n / scans for op, n in sorted(totals.items())}

    def mean(self, attribute: str) -> float:
        values = [float(getattr(m, attribute)) for m in self.steady]
        return statistics.fmean(values) if values else 0.0


@dataclass
class SizeResult:
    config: RunConfig
    injected: list[InjectedTransition]
    naive: ScannerFigures
    regwatch: ScannerFigures
    scanner_results: list[Any] = field(default_factory=list)
    # Calls of the regwatch scanner the IAM gate refused (local/iam), per (caller, action).
    denied_calls: dict[tuple[str, str], int] = field(default_factory=dict)
    checked_calls: int = 0


def _sms_counts(raw: dict[str, int]) -> dict[str, int]:
    """Requests per operation from the emulator's counters (`Op:throttled`/`Op:faulted` are
    subsets of `Op` and reported by the fault suite, not here), minus zero rows."""
    return {op: int(n) for op, n in sorted(raw.items()) if n and ":" not in op}


def _regwatch_transitions(
    details: list[dict[str, Any]], figures: ScannerFigures, seen: set[str]
) -> list[VersionTransition]:
    found: list[VersionTransition] = []
    for detail in details:
        if detail["eventId"] in seen:
            figures.duplicate_events += 1
            continue
        seen.add(detail["eventId"])
        if detail.get("baseline"):
            continue
        if detail["scope"] != "VERSION":
            figures.registration_events += 1
            continue
        found.append(
            VersionTransition(
                detail["registrationId"],
                int(detail["versionNumber"]),
                detail["status"],
                detail["statusTimestamp"],
            )
        )
    return found


def _note_detections(
    figures: ScannerFigures, found: list[VersionTransition], tick: int, truth: set[VersionTransition]
) -> None:
    for transition in found:
        if transition not in truth:
            figures.spurious.add(transition)
        figures.detected_at.setdefault(transition, tick)


class _Run:
    """The mutable state of one size's run: the stack, both workers, the truth so far."""

    def __init__(self, stack: LocalStack, config: RunConfig, log: Any) -> None:
        self.stack, self.config, self.log = stack, config, log
        self.dataset = Dataset(stack.emulator, stack.control, REGION, seed=config.seed)
        self.truth: set[VersionTransition] = set()
        self.seen_event_ids: set[str] = set()
        self.scanner_results: list[Any] = []
        self.figures = {"regwatch": ScannerFigures("regwatch"), "naive": ScannerFigures("naive")}

    def scan(self, process: ScannerProcess, tick: int, phase: str) -> None:
        control, figures = self.stack.control, self.figures[process.kind]
        control.reset_counters()
        for attempt in range(LAMBDA_ASYNC_RETRIES + 1):
            try:
                measured = process.scan(control.now(), trace_heap=self.config.trace_heap)
                break
            except RuntimeError as failure:
                figures.failed_invocations += 1
                self.log(
                    f"[N={self.config.size}] tick {tick} {process.kind} invocation failed: "
                    f"{str(failure).strip().splitlines()[-1][:160]}"
                )
                if attempt == LAMBDA_ASYNC_RETRIES:
                    raise
        sms = _sms_counts(control.counters())
        figures.record(measured)
        if process.kind == "regwatch":
            self.scanner_results.append(measured.result)
            found = _regwatch_transitions(self.stack.drain_events(), figures, self.seen_event_ids)
        else:
            found = [VersionTransition(*t) for t in measured.transitions]
        if phase == "baseline":
            figures.baseline, figures.baseline_sms_calls = measured, sms
            figures.baseline_invocations = 1
        elif phase == "baseline+":
            figures.add_to_baseline(measured, sms)
        elif phase == "steady":
            figures.steady.append(measured)
            figures.steady_sms_calls.append(sms)
        else:
            figures.cycle_sms_calls.append(sms)
            figures.cycle_rss.append(measured.rss_peak_bytes)
            figures.cycle_scans += 1
        _note_detections(figures, found, tick, self.truth)
        self.log(
            f"[N={self.config.size}] tick {tick} {phase:8} {process.kind:8} "
            f"sms={sum(sms.values()):6d} wall={measured.wall_seconds:7.2f}s found={len(found)}"
        )

    def inject(self, tick: int) -> None:
        injected = self.dataset.mutate(self.config.share, self.config.hidden_share, tick)
        self.truth.update(item.transition for item in injected)
        self.log(f"[N={self.config.size}] tick {tick} injected {len(injected)} transitions")


MAX_BASELINE_INVOCATIONS = 12


def _first_scan_complete(result: Any) -> bool:
    """Whether a scanner invocation's result says every region's listing cycle completed
    with nothing left of the baseline: no registration deferred or first read in it (the
    triage-first baseline's settled registrations, docs/scanner.md), so the steady-state
    figures measure changes only."""
    if not isinstance(result, dict):
        return True  # an unreadable result: do not loop on it
    regions = result.get("regions") or {}
    return all(
        bool(region.get("listing", {}).get("complete"))
        and not region.get("firstReadsDeferred")
        and not (region.get("readsByReason") or {}).get("first-read")
        for region in regions.values()
    )


def run_size(stack: LocalStack, config: RunConfig, log: Any = print) -> SizeResult:
    stack.control.reset()
    stack.reset_aws()
    stack.control.set_clock(START_EPOCH)
    run = _Run(stack, config, log)
    run.dataset.generate(config.size, config.versions_min, config.versions_max, seed=config.seed)
    log(f"[N={config.size}] generated {len(run.dataset.ids)} registrations")
    environment = stack.scanner_environment(config.reconcile_hours, config.api_calls_per_second)
    regwatch = ScannerProcess("regwatch", environment)
    naive = (
        ScannerProcess("naive", stack.unrestricted(environment), naive_table=NAIVE_TABLE)
        if config.run_naive
        else None
    )
    try:
        run.scan(regwatch, 0, "baseline")
        # Steady state starts once the first listing cycle is complete and the settled
        # registrations it deferred are read: until then the scanner is still taking its
        # baseline (each invocation resumes the listing where the last stopped).
        while not _first_scan_complete(run.scanner_results[-1]):
            if run.figures["regwatch"].baseline_invocations > MAX_BASELINE_INVOCATIONS:
                raise RuntimeError(
                    f"the first scan did not complete in {MAX_BASELINE_INVOCATIONS} invocations"
                )
            stack.control.advance_clock(SCAN_INTERVAL_SECONDS)
            run.scan(regwatch, 0, "baseline+")
        if naive is not None:
            run.scan(naive, 0, "baseline")
        tick = 0
        for _ in range(config.steady_scans):
            tick += 1
            stack.control.advance_clock(SCAN_INTERVAL_SECONDS)
            run.inject(tick)
            run.scan(regwatch, tick, "steady")
            if naive is not None:
                run.scan(naive, tick, "steady")
        if config.run_cycle:
            # A fresh function instance: settings are parsed on the first invocation.
            regwatch.close()
            regwatch = ScannerProcess(
                "regwatch", stack.scanner_environment(config.cycle_hours, config.api_calls_per_second)
            )
            for _ in range(round(config.cycle_hours * 3600 / SCAN_INTERVAL_SECONDS)):
                tick += 1
                stack.control.advance_clock(SCAN_INTERVAL_SECONDS)
                run.scan(regwatch, tick, "cycle")
    finally:
        regwatch.close()
        if naive is not None:
            naive.close()
    denied = stack.gate.denied_by() if stack.gate is not None else {}
    checked = stack.gate.checked_total if stack.gate is not None else 0
    if stack.gate is not None:
        log(f"[N={config.size}] {stack.gate.summary()}")
    figures = (run.figures["naive"], run.figures["regwatch"])
    return SizeResult(config, run.dataset.injected, *figures, run.scanner_results, denied, checked)


def latency_summary(result: SizeResult, figures: ScannerFigures) -> dict[str, Any]:
    """Scans-to-detection of the injected transitions, split by what the summary revealed."""
    out: dict[str, Any] = {}
    for label, revealed in (("revealed", True), ("hidden", False)):
        items = [item for item in result.injected if item.revealed is revealed]
        ticks = detection_ticks(items, figures.detected_at)
        found = [t for t in ticks if t is not None]
        out[label] = {
            "injected": len(items),
            "detected": len(found),
            "max_scans": max(found) if found else None,
            "histogram": dict(sorted(Counter(found).items())),
        }
    return out
