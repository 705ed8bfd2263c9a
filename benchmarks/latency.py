"""`python -m benchmarks.run --scenario latency`: change at the emulator → Slack post and SNS message.

Runs on the local stack of `make demo` (local.run.LocalStack: the synthesized template
provisioned on moto, the bundled functions under awslambdaric), one region, a few hundred
generated registrations, and keeps it running in real time the way AWS would:

- the emulator emits AWS's native "Registration Status Change" events to moto's default
  bus, where the template's rule (infra/scanner.py, NativeStatusChangeRule) routes them to
  the scanner's delivery queue; `LiveStack` invokes the scanner from it in a second
  execution environment (Lambda runs a rescan beside a scheduled scan, not after it);
- the schedule runs every `schedule_seconds` of wall time (dispatcher → scan queue →
  scanner, local.schedule);
- every other rule target (the notifiers) is delivered as soon as it has an event.

Status changes are injected at seeded random moments through the emulator's control API,
each on a registration not changed before. Two runs: native events delivered (drop rate
0) and all dropped (drop rate 1: only the schedule can catch the changes). Figures:
benchmarks/latency_report.py.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.docs_sections import GeneratedSection, Provenance, Results
from benchmarks.latency_report import (
    NATIVE,
    SCHEDULE,
    Arrival,
    Change,
    Latency,
    Publication,
    RunResult,
    Trigger,
    match,
    table,
)
from local.delivery import TargetDelivery
from local.functions import LocalFunction
from local.lambda_events import scheduled_event
from local.provision import LambdaTarget
from local.run import ACCOUNT_ID, EVENT_ID_IN_TEXT, REGION, LocalStack, StackOptions
from local.schedule import run_schedule

SECTION = "performance-latency"
PERFORMANCE_DOC = "docs/performance.md"
RESULTS_CHAPTER = "## Results as measured"
# How often an idle delivery queue and the Slack sink are looked at (EventBridge and Lambda
# push; locally we poll): adds up to this much per hop to every figure.
POLL_SECONDS = 0.1
SLACK_POLL_SECONDS = 0.05
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
STACK_CONTEXT: dict[str, Any] = {
    "slackSeverities": ALL_SEVERITIES,
    "snsSeverities": ALL_SEVERITIES,
    "baselineAlerts": "none",
}
Log = Callable[[str], None]


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


class _Loop:
    """A daemon thread running `step` until stopped; `step` returns whether it did work."""

    def __init__(self, name: str, step: Callable[[], bool], idle_seconds: float, log: Log) -> None:
        self._step, self._idle, self._log = step, idle_seconds, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.errors = 0

    def start(self) -> _Loop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self._step()
            except Exception as error:  # a benchmark loop reports and goes on, like EventBridge
                self.errors += 1
                self._log(f"{self._thread.name}: {error!r}")
                busy = False
            if not busy:
                self._stop.wait(self._idle)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=120)


class LiveStack:
    """The local stack kept running in real time: schedule, native-event rescans, deliveries.

    Records what the figures are made of: scanner triggers, and the moment each Slack post
    arrived at the local Slack server.
    """

    def __init__(self, stack: LocalStack, schedule_seconds: float, log: Log) -> None:
        self.stack = stack
        self.schedule_seconds = schedule_seconds
        self.log = log
        self.triggers: list[Trigger] = []
        self.slack: list[Arrival] = []
        self._lock = threading.Lock()
        self._loops: list[_Loop] = []
        self._slack_seen = len(stack.slack.deliveries)
        self._next_scan = 0.0
        self.rescanner = self._second_scanner_environment()

    def _second_scanner_environment(self) -> LocalFunction:
        spec = self.stack.scanner.spec
        return LocalFunction(
            spec,
            extra_env=self.stack.function_env(),
            region=REGION,
            account_id=ACCOUNT_ID,
            log_path=self.stack.options.output_dir / "logs" / f"{spec.name}-rescans.log",
        ).start()

    def _native_delivery(self, target: LambdaTarget) -> TargetDelivery:
        def rescan(event: dict[str, Any]) -> Any:
            registration = event.get("detail", {}).get("registrationDetails", {}).get("registrationId")
            with self._lock:
                self.triggers.append(Trigger(NATIVE, time.time(), registration))
            return self.rescanner.invoke(event)

        return TargetDelivery(
            self.stack.sqs,
            target.delivery_queue_url,
            rescan,
            target.dead_letter_queue_url,
            target.max_retries,
            target.max_event_age_seconds,
            rule_arn=target.rule_arn,
            target_arn=target.target_arn,
        )

    def _deliveries_by_function(self) -> dict[str, list[TargetDelivery]]:
        scanner_id = self.stack.scanner.spec.logical_id
        grouped: dict[str, list[TargetDelivery]] = {}
        for target in self.stack.stack.lambda_targets:
            if target.schedule_expression is not None:
                continue
            if target.function_logical_id == scanner_id:
                grouped.setdefault("rescans", []).append(self._native_delivery(target))
            elif target.rule_logical_id in self.stack.deliveries:
                grouped.setdefault(target.function_logical_id, []).append(
                    self.stack.deliveries[target.rule_logical_id]
                )
        if "rescans" not in grouped:
            raise RuntimeError("the template has no rule from AWS's native events to the scanner")
        return grouped

    def start(self) -> LiveStack:
        for name, deliveries in self._deliveries_by_function().items():

            def drain(deliveries: list[TargetDelivery] = deliveries) -> bool:
                stats = [delivery.drain() for delivery in deliveries]
                return any(s.delivered or s.dead_lettered or s.dropped for s in stats)

            self._loops.append(_Loop(f"deliver-{name}", drain, POLL_SECONDS, self.log).start())
        self._loops.append(_Loop("slack-sink", self._watch_slack, SLACK_POLL_SECONDS, self.log).start())
        self._next_scan = time.time() + self.schedule_seconds
        self._loops.append(_Loop("schedule", self._schedule, POLL_SECONDS, self.log).start())
        return self

    def _watch_slack(self) -> bool:
        posts = list(self.stack.slack.deliveries)[self._slack_seen :]
        now = time.time()
        for payload in posts:
            for event_id in EVENT_ID_IN_TEXT.findall(json.dumps(payload)):
                self.slack.append(Arrival(event_id, now))
        self._slack_seen += len(posts)
        return False

    def _schedule(self) -> bool:
        if time.time() < self._next_scan:
            return False
        # Like an EventBridge rate(): the next tick does not wait for this scan to end.
        self._next_scan += self.schedule_seconds
        self.scan_now()
        return True

    def scan_now(self) -> dict[str, Any]:
        with self._lock:
            self.triggers.append(Trigger(SCHEDULE, time.time()))
        return scheduled_scan(self.stack)

    def errors(self) -> int:
        return sum(loop.errors for loop in self._loops)

    def stop(self) -> None:
        while self._loops:
            self._loops.pop().stop()
        self.rescanner.stop()


def scheduled_scan(stack: LocalStack) -> dict[str, Any]:
    """What one tick of the schedule rule does: dispatcher → scan queue → scanner."""
    event = scheduled_event(REGION, rule_arn=stack.schedule_rule_arn())
    return run_schedule(list(stack.functions.values()), stack.scanner.invoke, stack.sqs, event, region=REGION)


def _receive_all(sqs: Any, queue_url: str) -> list[tuple[dict[str, Any], float]]:
    """Every message waiting (body, SentTimestamp in seconds), deleted once read."""
    out: list[tuple[dict[str, Any], float]] = []
    while True:
        response = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["SentTimestamp"]
        )
        messages = response.get("Messages", [])
        if not messages:
            return out
        for message in messages:
            sent = int(message["Attributes"]["SentTimestamp"]) / 1000
            out.append((json.loads(message["Body"]), sent))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


class Observations:
    """What the bus tap and the SNS subscriber queue received, with their SQS timestamps."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.publications: list[Publication] = []
        self.sns: list[Arrival] = []

    def collect(self) -> None:
        for event, sent in _receive_all(self.stack.sqs, self.stack.tap_url):
            detail = event.get("detail", {})
            if detail.get("registrationId") and detail.get("eventId"):
                self.publications.append(Publication(detail["registrationId"], detail["eventId"], sent))
        if self.stack.sns_inbox_url is not None:
            for envelope, sent in _receive_all(self.stack.sqs, self.stack.sns_inbox_url):
                for event_id in EVENT_ID_IN_TEXT.findall(str(envelope.get("Message", ""))):
                    self.sns.append(Arrival(event_id, sent))


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
        2,
        f"{config.changes} changes per run at seeded random moments over {config.spread_seconds:.0f} s "
        f"(seed {config.seed}), each on a different registration; delivery queues polled every "
        f"{POLL_SECONDS:.1f} s, the Slack sink every {SLACK_POLL_SECONDS:.2f} s.\n",
    )
    section = GeneratedSection(SECTION, PERFORMANCE_DOC, "\n".join(body), RESULTS_CHAPTER)
    return Results("bench", results_format, origin, (section,))
