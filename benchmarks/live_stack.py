"""The local stack of `make demo` kept running in real time, as AWS would run it.

`LiveStack` starts loops that do continuously what local.run.LocalStack does per scan:
the schedule fires every `schedule_seconds` of wall time (dispatcher → scan queue →
scanner, local.schedule); AWS's native "Registration Status Change" events that moto's
default bus routed to the scanner's delivery queue (the template's NativeStatusChangeRule)
are handed over asynchronously, as EventBridge invokes Lambda, to a small pool of further
execution environments of the scanner (each its own process with its own token buckets),
so rescans run beside a scheduled scan and beside each other as in Lambda; every other
rule target (the notifiers) is delivered as soon as it has an event. It records the scanner
triggers and when each Slack post arrived; `Observations` reads the bus tap and the SNS
subscriber queue with their SQS timestamps.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.latency_report import NATIVE, SCHEDULE, Arrival, Publication, Trigger
from local.delivery import TargetDelivery
from local.functions import LocalFunction
from local.lambda_events import scheduled_event
from local.provision import LambdaTarget
from local.run import ACCOUNT_ID, EVENT_ID_IN_TEXT, REGION, LocalStack
from local.schedule import run_schedule

# How often an idle delivery queue and the Slack sink are looked at (EventBridge and Lambda
# push; locally we poll): adds up to this much per hop to every figure.
POLL_SECONDS = 0.1
SLACK_POLL_SECONDS = 0.05
# Execution environments for native-event rescans: Lambda starts another one when all are
# busy; a few are enough for the scenario's rate of changes.
RESCAN_ENVIRONMENTS = 4
Log = Callable[[str], None]


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
        self.rescan_errors = 0
        self._outstanding = 0  # rescans accepted and not finished
        self._idle: queue.Queue[LocalFunction] = queue.Queue()
        self._rescanners = [self._scanner_environment(n) for n in range(RESCAN_ENVIRONMENTS)]
        for environment in self._rescanners:
            self._idle.put(environment)
        self._pool = ThreadPoolExecutor(RESCAN_ENVIRONMENTS, thread_name_prefix="rescan")

    def _scanner_environment(self, number: int) -> LocalFunction:
        spec = self.stack.scanner.spec
        return LocalFunction(
            spec,
            extra_env=self.stack.function_env(),
            region=REGION,
            account_id=ACCOUNT_ID,
            log_path=self.stack.options.output_dir / "logs" / f"{spec.name}-rescans-{number}.log",
        ).start()

    def _rescan_in_free_environment(self, event: dict[str, Any]) -> None:
        environment = self._idle.get()
        registration = event.get("detail", {}).get("registrationDetails", {}).get("registrationId")
        with self._lock:
            self.triggers.append(Trigger(NATIVE, time.time(), registration))
        try:
            environment.invoke(event)
        except Exception as failure:  # counted and logged: the figures say what was missed
            with self._lock:
                self.rescan_errors += 1
            self.log(f"rescan of {registration} failed: {failure}")
        finally:
            self._idle.put(environment)
            with self._lock:
                self._outstanding -= 1

    def idle(self) -> bool:
        """No rescan accepted and unfinished."""
        with self._lock:
            return self._outstanding == 0

    def _native_delivery(self, target: LambdaTarget) -> TargetDelivery:
        def rescan(event: dict[str, Any]) -> Any:
            # EventBridge invokes Lambda asynchronously: accepted now, run in a free environment.
            with self._lock:
                self._outstanding += 1
            self._pool.submit(self._rescan_in_free_environment, event)
            return None

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
        return sum(loop.errors for loop in self._loops) + self.rescan_errors

    def stop(self) -> None:
        while self._loops:
            self._loops.pop().stop()
        self._pool.shutdown(wait=True)
        for environment in self._rescanners:
            environment.stop()


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
