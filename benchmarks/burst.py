"""`python -m benchmarks.run --scenario burst`: a burst of AWS's native events for one account.

Runs on the local stack of `make demo` at the deployed pace (scanner `apiCallsPerSecond` 0.8)
against the emulator's quota of AWS's default 1 call/s per account, region and operation.
`--burst-events` status changes (default 200) are made at once on `--burst-registrations`
registrations of the one account (each registration steps through review several times when
there are more events than registrations), so the emulator emits one native event per change;
benchmarks.live_stack delivers each to a pool of separate scanner processes (each its own
execution environment, as Lambda runs concurrent asynchronous invocations) while the schedule
keeps firing. What is measured: the emulator's throttled answers per operation (the quota is a
token bucket of capacity 1: a call less than 1 s after the previous one of its operation is
refused, so 0 throttles means the account never saw more than 1 call/s per operation), the
calls made, the rescans run, and how long the burst took to be worked off.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.docs_sections import GeneratedSection, Provenance, Results
from benchmarks.latency import AWS_QUOTA_RPS, DEPLOYED_API_CALLS_PER_SECOND, NEXT_STATUS, latency_stack
from benchmarks.latency_report import NATIVE
from benchmarks.live_stack import RESCAN_ENVIRONMENTS, LiveStack, Log, scheduled_scan
from local.run import REGION, LocalStack

SECTION = "performance-native-burst"
PERFORMANCE_DOC = "docs/performance.md"
RESULTS_CHAPTER = "## Results as measured"
# The schedule keeps running beside the burst (compressed: the deployed one is 5 minutes).
SCHEDULE_SECONDS = 30.0


@dataclass(frozen=True)
class BurstConfig:
    events: int = 200
    registrations: int = 50
    seed: int = 7


@dataclass(frozen=True)
class BurstResult:
    config: BurstConfig
    events_emitted: int
    rescans: int
    scheduled_scans: int
    calls: dict[str, int]
    throttles: dict[str, int]
    seconds: float  # until the last rescan finished
    counted_seconds: float  # until the calls were counted (the schedule's scan ends after the burst)
    errors: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--burst-events", type=int, default=BurstConfig.events, help="native events at once")
    parser.add_argument(
        "--burst-registrations", type=int, default=BurstConfig.registrations, help="registrations they are on"
    )


def config_from(arguments: argparse.Namespace) -> BurstConfig:
    return BurstConfig(arguments.burst_events, arguments.burst_registrations, arguments.seed)


def _step_all(stack: LocalStack, ids: list[str], events: int) -> int:
    """`events` status changes, round-robin over `ids`, each moving a current version on."""
    store, made = stack.emulator.store, 0
    while made < events:
        moved = False
        for registration_id in ids:
            if made >= events:
                break
            with store.lock:
                current = store.region(REGION).registrations[registration_id].current
                number, status = current.number, current.status
            following = NEXT_STATUS.get(status)
            if following is None:
                continue
            stack.control.set_version_status(REGION, registration_id, number, following[0])
            made, moved = made + 1, True
        if not moved:
            raise RuntimeError(f"only {made} changes possible: use more registrations")
    return made


def _worked_off(stack: LocalStack, live: LiveStack, expected: int) -> bool:
    counters = stack.control.counters()
    delivered = counters.get("NativeEvents:delivered", 0)
    rescans = sum(1 for trigger in live.triggers if trigger.kind == NATIVE)
    return delivered >= expected and rescans >= delivered and live.idle()


def measure(config: BurstConfig, log: Log) -> BurstResult:
    with tempfile.TemporaryDirectory(prefix="regwatch-burst-") as directory, latency_stack(
        Path(directory), log
    ) as stack:
        ids = stack.control.generate(REGION, config.registrations, 1, 1, seed=config.seed)
        for registration_id in ids:  # every registration starts where the review steps begin
            stack.control.set_version_status(REGION, registration_id, 1, "DRAFT")
        scheduled_scan(stack)
        log(f"burst: {len(ids)} registrations, baseline scanned; {config.events} changes at once")
        stack.control.native_events(endpoint_url=stack.moto_url, drop_rate=0.0, seed=config.seed)
        stack.control.reset_counters()
        live = LiveStack(stack, SCHEDULE_SECONDS, log).start()
        started = time.time()
        try:
            made = _step_all(stack, ids, config.events)
            stack.control.flush_native_events(timeout=30)
            while not _worked_off(stack, live, made):
                time.sleep(0.5)
            seconds = time.time() - started
        finally:
            live.stop()
        counters = stack.control.counters()
        counted_seconds = time.time() - started
    operations = sorted(k for k in counters if ":" not in k)
    return BurstResult(
        config=config,
        events_emitted=int(counters.get("NativeEvents:emitted", 0)),
        rescans=sum(1 for trigger in live.triggers if trigger.kind == NATIVE),
        scheduled_scans=sum(1 for trigger in live.triggers if trigger.kind != NATIVE),
        calls={op: int(counters[op]) for op in operations},
        throttles={op: int(counters.get(f"{op}:throttled", 0)) for op in operations},
        seconds=seconds,
        counted_seconds=counted_seconds,
        errors=live.errors(),
    )


def table(result: BurstResult) -> list[str]:
    config = result.config
    lines = [
        f"{config.events} status changes made at once on {config.registrations} registrations of one "
        f"account and region (seed {config.seed}): AWS's native event for each, delivered to "
        f"{RESCAN_ENVIRONMENTS} scanner processes (separate execution environments) while the "
        f"schedule fired every {SCHEDULE_SECONDS:.0f} s; scanner `apiCallsPerSecond` "
        f"{DEPLOYED_API_CALLS_PER_SECOND} (the deployed default) against an emulator quota of "
        f"{AWS_QUOTA_RPS:g} call/s per operation. Native events emitted: {result.events_emitted}; "
        f"rescans run: {result.rescans}; scheduled scans beside them: {result.scheduled_scans}; "
        f"worked off in {result.seconds:.0f} s (calls counted until the schedule's scan ended, "
        f"{result.counted_seconds:.0f} s); errors: {result.errors}; {os.cpu_count()} CPUs.",
        "",
        "| Operation | Calls | Throttled by the quota | Mean calls/s over the counted time |",
        "|---|---|---|---|",
    ]
    for operation, calls in result.calls.items():
        rate = calls / result.counted_seconds if result.counted_seconds else 0.0
        lines.append(f"| {operation} | {calls} | {result.throttles[operation]} | {rate:.2f} |")
    total = sum(result.throttles.values())
    lines.append(f"| **all** | {sum(result.calls.values())} | **{total}** | |")
    return lines


def main_burst(config: BurstConfig, origin: Provenance, output: Path, results_format: int) -> Results:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    result = measure(config, log)
    body = "\n".join(table(result))
    text = f"{origin.line()}\n\n{body}"
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    saved = Results(
        "bench", results_format, origin, (GeneratedSection(SECTION, PERFORMANCE_DOC, body, RESULTS_CHAPTER),)
    )
    saved.save(output.with_suffix(".json"))
    log(f"\nwritten to {output}")
    return saved
