"""`python -m benchmarks.run --scenario latency`: change at the emulator → Slack post and SNS message.

Runs on the local stack of `make demo` (local.run.LocalStack: the synthesized template
provisioned on moto, the bundled functions under awslambdaric), one region, a few hundred
generated registrations, kept running in real time by benchmarks.live_stack (schedule,
native-event rescans, notifier deliveries). Status changes are injected at seeded random
moments through the emulator's control API, each on a registration not changed before.
Two runs: native events delivered (drop rate 0) and all dropped (drop rate 1: only the
schedule can catch the changes). Matching and the table: benchmarks/latency_report.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.docs_sections import GeneratedSection, Provenance, Results
from benchmarks.latency_report import (
    Change,
    Latency,
    RunResult,
    match,
    table,
)
from benchmarks.live_stack import (
    POLL_SECONDS,
    SLACK_POLL_SECONDS,
    LiveStack,
    Log,
    Observations,
    scheduled_scan,
)
from local.run import REGION, LocalStack, StackOptions

SECTION = "performance-latency"
PERFORMANCE_DOC = "docs/performance.md"
RESULTS_CHAPTER = "## Results as measured"
# Changes that always move the registration's own status (so AWS emits its native event):
# the current version's status → the next one (see local/emulator/lifecycle.py).
NEXT_STATUS = {
    "DRAFT": ("SUBMITTED",),
    "SUBMITTED": ("AWS_REVIEWING",),
    "AWS_REVIEWING": ("REVIEWING",),
    "REVIEWING": ("APPROVED", "DENIED"),
    "REQUIRES_AUTHENTICATION": ("REVIEWING",),
    "APPROVED": ("REVOKED",),
}
ALL_SEVERITIES = ["ACTION_REQUIRED", "GOOD_NEWS", "INFO"]
# The benchmark's deployment settings on top of the demo's: every change goes to both
# destinations, and the baseline scan of the generated registrations alerts nothing.
# The deployed pace, not the demo's compressed one: latency on-call feels is measured with
# regwatch at its default rate under AWS's default quota.
DEPLOYED_API_CALLS_PER_SECOND = 0.8
AWS_QUOTA_RPS = 1.0
STACK_CONTEXT: dict[str, Any] = {
    "slackSeverities": ALL_SEVERITIES,
    "snsSeverities": ALL_SEVERITIES,
    "baselineAlerts": "none",
    "apiCallsPerSecond": DEPLOYED_API_CALLS_PER_SECOND,
}


@dataclass(frozen=True)
class LatencyConfig:
    registrations: int = 300
    changes: int = 40
    spread_seconds: float = 180.0  # changes are injected at random moments within this window
    schedule_seconds: float = 25.0  # the compressed schedule interval (deployed: rate(5 minutes))
    seed: int = 7

    @property
    def settle_seconds(self) -> float:
        """How long to wait after the last change for its messages: two schedules and a margin."""
        return 2 * self.schedule_seconds + 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--latency-registrations", type=int, default=LatencyConfig.registrations)
    parser.add_argument("--latency-changes", type=int, default=LatencyConfig.changes)
    parser.add_argument(
        "--latency-spread", type=float, default=LatencyConfig.spread_seconds, help="seconds of injection"
    )
    parser.add_argument(
        "--latency-schedule",
        type=float,
        default=LatencyConfig.schedule_seconds,
        help="schedule interval in wall seconds",
    )


def config_from(arguments: argparse.Namespace) -> LatencyConfig:
    return LatencyConfig(
        registrations=arguments.latency_registrations,
        changes=arguments.latency_changes,
        spread_seconds=arguments.latency_spread,
        schedule_seconds=arguments.latency_schedule,
        seed=arguments.seed,
    )


class Injector:
    """Status changes through the emulator's control API; the change time is the emulator's
    own, taken from its native-event hook (which also sees the events it drops)."""

    def __init__(self, stack: LocalStack, registration_ids: list[str], seed: int) -> None:
        self.stack = stack
        self.available = list(registration_ids)
        self.rng = random.Random(seed)
        self.changes: list[Change] = []
        self._lock = threading.Lock()
        self._unsubscribe = stack.emulator.native_events.subscribe(self._on_native_event)

    def _on_native_event(self, event: Any) -> None:
        details = event.detail["registrationDetails"]
        with self._lock:
            self.changes.append(
                Change(details["registrationId"], details["currentStatus"], event.observed_at, event.dropped)
            )

    def change_one(self) -> str | None:
        """Move one unchanged registration's current version on; returns its id (None: none left)."""
        store = self.stack.emulator.store
        while self.available:
            registration_id = self.available.pop(self.rng.randrange(len(self.available)))
            with store.lock:
                registration = store.region(REGION).registrations[registration_id]
                current_number, current_status = registration.current.number, registration.current.status
            choices = NEXT_STATUS.get(current_status)
            if choices is None:
                continue
            self.stack.control.set_version_status(
                REGION, registration_id, current_number, self.rng.choice(choices)
            )
            return registration_id
        return None

    def close(self) -> None:
        self._unsubscribe()


def _scenario_file(directory: Path) -> Path:
    path = directory / "latency-scenario.json"
    path.write_text(
        json.dumps(
            {"description": "alert-latency benchmark: registrations are generated", "registrations": []}
        )
    )
    return path


@contextlib.contextmanager
def latency_stack(directory: Path, log: Log) -> Iterator[LocalStack]:
    options = StackOptions(
        scenario_path=_scenario_file(directory),
        regions=(REGION,),
        output_dir=directory / "output",
        context=STACK_CONTEXT,
        emulator_rate_limit=AWS_QUOTA_RPS,
    )
    stack = LocalStack(
        options, observer=lambda note: log(str(note.data.get("text", ""))) if note.kind == "phase" else None
    )
    with stack:
        yield stack


def measure_run(
    stack: LocalStack,
    injector: Injector,
    config: LatencyConfig,
    *,
    name: str,
    drop_rate: float,
    run_seed: int,
    log: Log,
) -> RunResult:
    """Native events at `drop_rate`; `config.changes` changes at random moments; their latencies."""
    stack.control.native_events(endpoint_url=stack.moto_url, drop_rate=drop_rate, seed=run_seed)
    observations = Observations(stack)
    observations.collect()  # whatever earlier runs left
    rng = random.Random(run_seed)
    offsets = sorted(rng.uniform(0, config.spread_seconds) for _ in range(config.changes))
    load_before = os.getloadavg()
    started = time.time()
    first_change = len(injector.changes)
    live = LiveStack(stack, config.schedule_seconds, log).start()
    changed: list[str] = []
    try:
        for offset in offsets:
            time.sleep(max(0.0, started + offset - time.time()))
            registration_id = injector.change_one()
            if registration_id is None:
                log("latency: no unchanged registration left; use more registrations")
                break
            changed.append(registration_id)
        deadline = time.time() + config.settle_seconds
        while time.time() < deadline:
            time.sleep(1.0)
            observations.collect()
            latencies = _latencies(injector, first_change, live, observations)
            waiting = sum(1 for item in latencies if item.slack_at is None or item.sns_at is None)
            if len(latencies) == len(changed) and not waiting:
                break
        stack.control.flush_native_events(timeout=10)
    finally:
        live.stop()
    observations.collect()
    latencies = _latencies(injector, first_change, live, observations)
    notes = []
    if len(latencies) != len(changed):
        notes.append(f"{len(changed)} changes made, {len(latencies)} seen as registration status changes")
    if live.errors():
        notes.append(f"{live.errors()} errors in the local delivery loops (see the log above)")
    log(f"latency: {name}: {sum(1 for x in latencies if x.slack_at)}/{len(latencies)} reached Slack")
    return RunResult(
        name=name,
        drop_rate=drop_rate,
        schedule_seconds=config.schedule_seconds,
        registrations=config.registrations,
        latencies=latencies,
        load_before=load_before,
        load_after=os.getloadavg(),
        seconds=time.time() - started,
        notes=notes,
    )


def _latencies(
    injector: Injector, first_change: int, live: LiveStack, observations: Observations
) -> list[Latency]:
    return match(
        injector.changes[first_change:],
        list(live.triggers),
        observations.publications,
        list(live.slack),
        observations.sns,
    )


def measure(config: LatencyConfig, log: Log) -> list[RunResult]:
    """Both runs on one stack: baseline scan, native events delivered, then all dropped."""
    with (
        tempfile.TemporaryDirectory(prefix="regwatch-latency-") as directory,
        latency_stack(Path(directory), log) as stack,
    ):
        ids = stack.control.generate(REGION, config.registrations, 1, 5, seed=config.seed)
        log(f"latency: {len(ids)} registrations generated; baseline scan")
        baseline_started = time.time()
        scheduled_scan(stack)  # the snapshot every later change is compared with
        log(f"latency: baseline scan took {time.time() - baseline_started:.0f} s")
        injector = Injector(stack, ids, config.seed)
        try:
            runs = []
            for name, drop_rate, seed_offset in (
                ("native events delivered", 0.0, 1),
                ("native events all dropped", 1.0, 2),
            ):
                log(f"latency: run '{name}' ({config.changes} changes over {config.spread_seconds:.0f} s)")
                runs.append(
                    measure_run(
                        stack,
                        injector,
                        config,
                        name=name,
                        drop_rate=drop_rate,
                        run_seed=config.seed + seed_offset,
                        log=log,
                    )
                )
        finally:
            injector.close()
        return runs


def main_latency(config: LatencyConfig, origin: Provenance, output: Path, results_format: int) -> Results:
    """Measure both runs; print and save the table (OUTPUT .md and .json); the section to write."""

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    runs = measure(config, log)
    saved = results(runs, config, origin, results_format)
    (section,) = saved.sections
    text = f"{origin.line()}\n\n{section.body}"
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    saved.save(output.with_suffix(".json"))
    log(f"\nwritten to {output}")
    return saved


def results(runs: list[RunResult], config: LatencyConfig, origin: Provenance, results_format: int) -> Results:
    """The `make bench` results of a latency measurement: one generated section."""
    body = table(runs, os.cpu_count() or 0)
    body.insert(
        0,
        f"{config.changes} changes per run at seeded random moments over {config.spread_seconds:.0f} s "
        f"(seed {config.seed}), each on a different registration; delivery queues polled every "
        f"{POLL_SECONDS:.1f} s, the Slack sink every {SLACK_POLL_SECONDS:.2f} s; scanner "
        f"`apiCallsPerSecond` {STACK_CONTEXT['apiCallsPerSecond']} per operation (the deployed default) "
        f"against an emulator quota of {AWS_QUOTA_RPS:g} call/s per operation (AWS's default).\n",
    )
    section = GeneratedSection(SECTION, PERFORMANCE_DOC, "\n".join(body), RESULTS_CHAPTER)
    return Results("bench", results_format, origin, (section,))
