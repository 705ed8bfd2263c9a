"""The soak's accounts, scan fan-out and evaluator: production's path, on the local stack.

- Two accounts: the hub (123456789012, the functions' own credentials) and a member account
  listed in `TARGET_ACCOUNTS` (regwatch.accounts), reached by the scanner with credentials
  from moto STS AssumeRole on its spoke role; the emulator files those requests under the
  member account (the account is encoded in moto's access key ids, docs/emulator.md).
- Each schedule: the dispatcher handler queues one work item per (account, region) on the
  scan queue (moto SQS), local.fanout drains it into the scanner handler as Lambda's event
  source mapping does (batch size 1, partial batch responses). The visibility timeout is
  compressed to 0 (a failed item is retried at once, not minutes later) and the queue
  dead-letters an item after SCAN_MAX_RECEIVES receives, as the stack's scan queue does.
- The evaluator handler (reminders, daily digest) runs on the emulator clock.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from benchmarks.dataset import (
    InjectedTransition,
    described_states,
    pick_changing,
    plan_change,
    summary_fingerprint,
    transitions_between,
)
from benchmarks.workers import FakeLambdaContext
from local.fanout import EventSourceMapping
from local.lambda_events import scheduled_event
from tests.faults.pipeline import ACCOUNT_ID, REGION, Pipeline
from tests.faults.sdk_faults import INJECTOR

HUB = ACCOUNT_ID
MEMBER = "111122223333"
SPOKE_ROLE_NAME = "regwatch-spoke-reader"
SCAN_QUEUE = "regwatch-soak-scan-queue"
SCAN_MAX_RECEIVES = 5
ASYNC_RETRIES = 2  # Lambda's default for asynchronous invocations (the schedule's)
DISPATCHER_ARN = f"arn:aws:lambda:{REGION}:{HUB}:function:regwatch-dispatcher"


class AccountDataset:
    """One account's registrations in one region of the emulator, which runs in its own
    process: created and changed through its control API (as benchmarks/dataset.py's Dataset
    does in process), each change returning the transitions it injected."""

    def __init__(self, control: Any, account: str, region: str, seed: int = 0) -> None:
        self._control = control
        self.account, self.region = account, region
        self._rng = random.Random(seed)  # noqa: S311 - a reproducible day, not a secret
        self.ids: list[str] = []

    def generate(self, count: int, versions_min: int = 1, versions_max: int = 5, seed: int = 0) -> None:
        self.ids = list(
            self._control.generate(self.region, count, versions_min, versions_max, seed, account=self.account)
        )

    def _describe(self, registration_id: str) -> dict[str, Any]:
        described: dict[str, Any] = self._control.get_registration(
            self.region, registration_id, account=self.account
        )
        return described

    def current_version(self, registration_id: str) -> int:
        return int(self._describe(registration_id)["Versions"][-1]["VersionNumber"])

    def in_status(self, status: str) -> list[str]:
        """Ids whose current version is in `status`."""
        return [
            i for i in self.ids if self._describe(i)["Versions"][-1]["RegistrationVersionStatus"] == status
        ]

    def set_status(
        self, registration_id: str, version_number: int, status: str, *, tick: int
    ) -> list[InjectedTransition]:
        """One explicit change; returns what it injected."""
        before = self._describe(registration_id)
        after = self._control.set_version_status(
            self.region, registration_id, version_number, status, account=self.account
        )
        return self._injected(registration_id, before, after, tick)

    def mutate(self, share: float, hidden_share: float, tick: int) -> list[InjectedTransition]:
        """Change `share` of the registrations (each at most once), as Dataset.mutate does."""
        injected: list[InjectedTransition] = []
        for registration_id in pick_changing(self._rng, self.ids, share):
            before = self._describe(registration_id)
            current = before["Versions"][-1]
            hide, status = plan_change(self._rng, current["RegistrationVersionStatus"], hidden_share)
            if status is None:  # a new version always shows in the summary
                after = self._control.add_version(self.region, registration_id, account=self.account)
            else:
                after = self._control.set_version_status(
                    self.region,
                    registration_id,
                    current["VersionNumber"],
                    status,
                    update_registration=not hide,
                    account=self.account,
                )
            injected += self._injected(registration_id, before, after, tick)
        return injected

    @staticmethod
    def _injected(
        registration_id: str, before: dict[str, Any], after: dict[str, Any], tick: int
    ) -> list[InjectedTransition]:
        revealed = summary_fingerprint(after) != summary_fingerprint(before)
        return transitions_between(
            registration_id, described_states(before), described_states(after), revealed, tick
        )


@dataclass
class WorkItem:
    """One scanner invocation of one queued target."""

    target: str  # account/region
    calls: int  # SMS API requests it made (emulator counters)
    failed: bool


@dataclass
class Fleet:
    """The dispatcher → scan queue → scanner path and the evaluator, wired into `pipeline`."""

    pipeline: Pipeline
    control: Any
    monkeypatch: pytest.MonkeyPatch
    now: Callable[[], datetime]
    scan_queue_url: str = ""
    scan_dlq_url: str = ""
    items: list[WorkItem] = field(default_factory=list)
    evaluator_failures: int = 0
    dispatcher_failures: int = 0
    dispatcher_errors: list[str] = field(default_factory=list)
    evaluator_errors: list[str] = field(default_factory=list)

    @classmethod
    def wire(
        cls,
        pipeline: Pipeline,
        control: Any,
        monkeypatch: pytest.MonkeyPatch,
        *,
        regions: tuple[str, ...],
        members: tuple[str, ...],
        reminder_settings: dict[str, Any],
        digest_time: str,
        digest_timezone: str,
    ) -> Fleet:
        import dispatcher.dependencies
        import evaluator.handler

        fleet = cls(pipeline, control, monkeypatch, pipeline.emulator_now)
        sqs = pipeline.sqs
        fleet.scan_dlq_url = sqs.create_queue(QueueName=f"{SCAN_QUEUE}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=fleet.scan_dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(SCAN_MAX_RECEIVES)}
        fleet.scan_queue_url = sqs.create_queue(
            QueueName=SCAN_QUEUE, Attributes={"RedrivePolicy": json.dumps(redrive)}
        )["QueueUrl"]
        for name, value in {
            "MONITORED_REGIONS": ",".join(regions),
            "SCAN_QUEUE_URL": fleet.scan_queue_url,
            "HEARTBEAT_MINUTES": "5",
            "TARGET_ACCOUNTS": json.dumps([{"id": member} for member in members]),
            "SPOKE_ROLE_NAME": SPOKE_ROLE_NAME,
            "REMINDER_SETTINGS": json.dumps(reminder_settings),
            "DIGEST_TIME": digest_time,
            "DIGEST_TIMEZONE": digest_timezone,
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("ORGANIZATION", "EXTERNAL_ID"):
            monkeypatch.delenv(name, raising=False)
        # The evaluator reads the emulator's clock, as the scanner does (tests/faults/pipeline.py).
        monkeypatch.setattr(evaluator.handler, "utc_now", pipeline.emulator_now)
        pipeline._reset_handlers += [
            dispatcher.dependencies.get_dependencies.cache_clear,
            evaluator.handler.runtime.reset,
        ]
        pipeline.reset_handlers()
        return fleet

    # --- one schedule ------------------------------------------------------------------

    def dispatch(self) -> dict[str, Any] | None:
        """The schedule invokes the dispatcher asynchronously: Lambda retries a failed
        invocation twice (a retry may queue a target again: the scanner is idempotent)."""
        from dispatcher.handler import lambda_handler

        event = scheduled_event(REGION, moment=self.now())
        for _ in range(1 + ASYNC_RETRIES):
            context = FakeLambdaContext("regwatch-dispatcher", REGION)
            context.invoked_function_arn = DISPATCHER_ARN
            try:
                summary: dict[str, Any] = lambda_handler(event, context)
            except Exception as error:
                self.dispatcher_failures += 1
                self.dispatcher_errors.append(f"{type(error).__name__}: {error}")
                continue
            return summary
        return None

    def _invoke_scanner(self, event: dict[str, Any]) -> Any:
        import scanner.handler

        record = event["Records"][0]
        body = json.loads(record["body"])
        target = f"{body['accountId']}/{body['region']}"
        before = self._sms_calls()
        try:
            # The deployed scanner's timeout is the Lambda maximum (docs/configuration.md).
            result = scanner.handler.lambda_handler(
                event, FakeLambdaContext("regwatch-scanner", REGION, 900_000)
            )
        except BaseException:  # a killed process (SimulatedKill): Lambda reports the invocation failed
            with INJECTOR.lock:
                INJECTOR.dead = False
            self.pipeline.reset_handlers()  # a fresh execution environment, the harder case
            result = {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        calls = self._sms_calls() - before
        self.items.append(WorkItem(target, calls, bool(result.get("batchItemFailures"))))
        return result

    def _sms_calls(self) -> int:
        # Cumulative (never reset: the fault probes of tests/soak/day.py read the same counters).
        return sum(n for op, n in self.control.counters().items() if ":" not in op)

    def scan(self) -> list[WorkItem]:
        """The dispatcher, then the scan queue drained into the scanner (one worker)."""
        first = len(self.items)
        self.dispatch()
        mapping = EventSourceMapping(
            self.pipeline.sqs,
            self.scan_queue_url,
            [self._invoke_scanner],
            region=REGION,
            visibility_timeout=0,
        )
        mapping.drain()
        return self.items[first:]

    def evaluate(self) -> dict[str, Any] | None:
        """One evaluator run (hourly in the stack); None if the invocation failed."""
        import evaluator.handler

        try:
            report: dict[str, Any] = evaluator.handler.lambda_handler(
                scheduled_event(REGION, moment=self.now()), FakeLambdaContext("regwatch-evaluator", REGION)
            )
        except Exception as error:
            self.evaluator_failures += 1
            self.evaluator_errors.append(f"{type(error).__name__}: {error}")
            return None
        return report

    def dead_letter_depth(self) -> int:
        attributes = self.pipeline.sqs.get_queue_attributes(
            QueueUrl=self.scan_dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])
