"""The local stack of the fault suite: scanner → EventBridge → rules → SQS → TargetDelivery → notifiers.

Everything is real and reached over sockets: the SMS API emulator, moto (DynamoDB,
EventBridge, SQS, SNS, Secrets Manager) and the Slack-compatible webhook server. The
three handlers run in this process, invoked as Lambda would: the scanner by a
scheduled event, the notifiers by `local.delivery.TargetDelivery` with EventBridge's
retry policy and a dead-letter queue per target. An extra catch-all rule copies every
published event to an audit queue, which is how "published" is measured.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from benchmarks.dataset import Dataset, InjectedTransition
from benchmarks.transitions import VersionTransition
from benchmarks.workers import FakeLambdaContext
from local.delivery import DeliveryStats, TargetDelivery, redrive
from local.lambda_events import LOCAL_ACCOUNT_ID, work_item_event
from local.schedule import merge_summaries
from regwatch_aws.planning_index import snapshot_table_request

REGION = "us-east-1"


class WorkItemFailed(RuntimeError):
    """The scanner reported the schedule's work item failed (SQS would retry it)."""
ACCOUNT_ID = "123456789012"
EVENT_SOURCE = "regwatch"
BUS = "regwatch-faults"
SNAPSHOT_TABLE = "regwatch-faults-snapshots"
IDEMPOTENCY_TABLE = "regwatch-faults-idempotency"
SCAN_INTERVAL_SECONDS = 300
START_EPOCH = 1_767_571_200.0  # 2026-01-05T00:00:00Z
# EventBridge target retry policy of the stack under test (kept small so storms end in the DLQ).
TARGET_MAX_RETRIES = 2
SLACK_TIMEOUT_SECONDS = 1
_EVENT_ID = re.compile(r"regwatch event ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def event_ids_in(text: str) -> list[str]:
    """The regwatch event ids a rendered message carries (Slack and SNS text both print one)."""
    return _EVENT_ID.findall(text)


@dataclass
class Target:
    name: str
    delivery: TargetDelivery
    dead_letter_queue_url: str
    stats: DeliveryStats = field(default_factory=DeliveryStats)


@dataclass
class Outcome:
    injected: int
    published: int  # distinct eventIds published
    published_copies: int  # PutEvents entries accepted, repeats included
    lost: int
    duplicates: int
    dead_lettered: int
    left_in_dead_letter_queues: int
    redriven: int
    invocation_errors: list[str]
    per_destination: dict[str, Counter[str]]
    unpublished: list[VersionTransition] = field(default_factory=list)
    expected_per_destination: dict[str, int] = field(default_factory=dict)  # eventIds each must get

    def line(self, name: str) -> str:
        delivered = " ".join(f"{d}={sum(c.values()):3}" for d, c in self.per_destination.items())
        return (
            f"{name:42} injected={self.injected:3} published={self.published:3} "
            f"(copies {self.published_copies:3}) {delivered} lost={self.lost} dup={self.duplicates} "
            f"dead-lettered={self.dead_lettered} left-in-DLQ={self.left_in_dead_letter_queues} "
            f"redriven={self.redriven} invocation-errors={len(self.invocation_errors)}"
        )


class Pipeline:
    def __init__(
        self,
        emulator: Any,
        control: Any,
        slack: Any,
        monkeypatch: pytest.MonkeyPatch,
        extra_destinations: tuple[str, ...] = (),
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`emulator`: the in-process EmulatorServer (None when it runs in another process);
        `clock`: the emulator's clock in epoch seconds (default: the in-process emulator's)."""
        import scanner.handler
        from notifier.handler import notifier_function
        from scanner.dependencies import get_dependencies

        self.emulator, self.control, self.slack = emulator, control, slack
        # destination -> the access key its notifier signs with (set behind the IAM gate)
        self.access_keys: dict[str, str] = {}
        # destination -> event ids its notifier did not show: a newer status of the same
        # registration was shown first (the ordering rule, docs/notifications.md)
        self.superseded: dict[str, set[str]] = {}
        self._clock: Callable[[], float] = clock if clock is not None else emulator.store.clock.now
        self._scanner, self._slack_handler, self._sns_handler = (
            scanner.handler,
            notifier_function("slack"),
            notifier_function("sns"),
        )
        self._reset_handlers = [
            get_dependencies.cache_clear,
            self._slack_handler.runtime.reset,
            self._sns_handler.runtime.reset,
        ]
        self.sqs = boto3.client("sqs")
        self.events = boto3.client("events")
        self.tick = 0
        self.invocation_errors: list[str] = []
        self.scan_summaries: list[dict[str, Any]] = []
        self.audit_details: list[dict[str, Any]] = []
        self.sns_event_ids: list[str] = []
        self.redriven = 0
        self.extra: dict[str, Any] = {}
        self._extra_names = extra_destinations
        self._create_resources(monkeypatch)
        monkeypatch.setattr(scanner.handler, "utc_now", self.emulator_now)
        self.reset_handlers()
        slack.clear()
        control.set_clock(START_EPOCH)
        self._dataset = None if emulator is None else Dataset(emulator, control, REGION, seed=11)

    # --- wiring -------------------------------------------------------------------

    def _queue(self, name: str) -> tuple[str, str]:
        url: str = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn: str = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, arn

    def _rule_to_queue(self, rule: str, queue_arn: str) -> str:
        arn: str = self.events.put_rule(
            Name=rule, EventBusName=BUS, EventPattern=json.dumps({"source": [EVENT_SOURCE]})
        )["RuleArn"]
        self.events.put_targets(Rule=rule, EventBusName=BUS, Targets=[{"Id": "target", "Arn": queue_arn}])
        return arn

    def _create_resources(self, monkeypatch: pytest.MonkeyPatch) -> None:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**snapshot_table_request(SNAPSHOT_TABLE))
        dynamodb.create_table(
            TableName=IDEMPOTENCY_TABLE,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.events.create_event_bus(Name=BUS)
        audit_url, audit_arn = self._queue("regwatch-faults-audit")
        self.audit_queue_url = audit_url
        self._rule_to_queue("regwatch-faults-audit", audit_arn)

        secret_arn = boto3.client("secretsmanager").create_secret(
            Name="regwatch/slack-webhook", SecretString=self.slack.webhook_url
        )["ARN"]
        sns = boto3.client("sns")
        topic_arn = sns.create_topic(Name="regwatch-faults-alerts")["TopicArn"]
        inbox_url, inbox_arn = self._queue("regwatch-faults-sns-inbox")
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn)
        self.sns_inbox_url = inbox_url

        self.targets: list[Target] = []
        extra_environment: dict[str, str] = {}
        for extra_name in self._extra_names:
            from tests.faults.destinations import start_extra_destination

            self.extra[extra_name] = start_extra_destination(extra_name, extra_environment)
            self._reset_handlers.append(self.extra[extra_name].runtime.reset)
        handlers = [("slack", self._slack_handler), ("sns", self._sns_handler), *self.extra.items()]
        for name, handler in handlers:
            queue_url, queue_arn = self._queue(f"regwatch-faults-{name}-delivery")
            dlq_url, _ = self._queue(f"regwatch-faults-{name}-dlq")
            rule_arn = self._rule_to_queue(f"regwatch-faults-{name}", queue_arn)

            def invoke(event: dict[str, Any], handler: Any = handler, name: str = name) -> Any:
                context = FakeLambdaContext(f"regwatch-notify-{name}", REGION, 30_000)
                key = self.access_keys.get(name)
                # Its clients are built on first use: they sign with the key set while it runs.
                saved = os.environ.get("AWS_ACCESS_KEY_ID", "")
                os.environ["AWS_ACCESS_KEY_ID"] = key or saved
                try:
                    result = handler.lambda_handler(event, context)
                finally:
                    os.environ["AWS_ACCESS_KEY_ID"] = saved
                if isinstance(result, dict) and result.get("result") == "superseded":
                    self.superseded.setdefault(name, set()).add(str(result.get("eventId")))
                return result

            delivery = TargetDelivery(
                self.sqs,
                queue_url,
                invoke,
                dlq_url,
                TARGET_MAX_RETRIES,
                86_400,
                rule_arn,
                f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:regwatch-notify-{name}",
            )
            self.targets.append(Target(name, delivery, dlq_url))

        for variable, value in {
            "SNAPSHOT_TABLE_NAME": SNAPSHOT_TABLE,
            "EVENT_BUS_NAME": BUS,
            "EVENT_SOURCE": EVENT_SOURCE,
            "MONITORED_REGIONS": REGION,
            "API_CALLS_PER_SECOND": "1000",
            "RECONCILE_HOURS": "24",
            "BASELINE_ALERTS": "none",
            "SLACK_WEBHOOK_SECRET_ARN": secret_arn,
            "SLACK_TIMEOUT_SECONDS": str(SLACK_TIMEOUT_SECONDS),
            "NOTIFICATION_TOPIC_ARN": topic_arn,
            "MESSAGE_FORMAT": "text",
            "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE,
            "POWERTOOLS_SERVICE_NAME": "regwatch-faults",
            "POWERTOOLS_LOG_LEVEL": "CRITICAL",
            "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would drown the per-row figures
            **extra_environment,
        }.items():
            monkeypatch.setenv(variable, value)

    def stop_extra_sinks(self) -> None:
        for extra in self.extra.values():
            extra.sink.stop()

    def reset_handlers(self) -> None:
        """A fresh execution environment for every function (settings and clients rebuilt)."""
        for reset in self._reset_handlers:
            reset()

    @property
    def dataset(self) -> Dataset:
        """The fault suite's registrations, changed in the in-process emulator's store."""
        if self._dataset is None:
            raise RuntimeError(
                "no in-process emulator: the soak brings its own datasets (tests/soak/fleet.py)"
            )
        return self._dataset

    def emulator_now(self) -> datetime:
        """The emulator's clock: every function of the pipeline reads it (frozen, advanced per scan)."""
        return datetime.fromtimestamp(self._clock(), tz=UTC)

    # --- the run ------------------------------------------------------------------

    def seed(self, count: int) -> None:
        self.dataset.generate(count, versions_min=1, versions_max=3, seed=11)

    def scan(self, remaining_millis: int = 60_000) -> dict[str, Any] | None:
        """One scheduled invocation, 5 minutes after the previous one; None if it failed."""
        from tests.faults.sdk_faults import INJECTOR

        self.tick += 1
        self.control.advance_clock(SCAN_INTERVAL_SECONDS)
        context = FakeLambdaContext("regwatch-scanner", REGION, remaining_millis)
        try:
            # The deployed path: the dispatcher's work item for the one target, as the queue delivers it.
            response = self._scanner.lambda_handler(work_item_event(LOCAL_ACCOUNT_ID, REGION), context)
            if response.get("batchItemFailures"):
                raise WorkItemFailed(str(response["batchItemFailures"]))
            summary: dict[str, Any] = merge_summaries(response["scans"])
        except BaseException as error:  # a failed invocation (or a simulated kill), as Lambda reports it
            self.invocation_errors.append(f"{type(error).__name__}: {error}")
            with INJECTOR.lock:
                INJECTOR.dead = False
            # A killed or failed environment may be reused or replaced; replace it, the harder case.
            self.reset_handlers()
            return None
        self.scan_summaries.append(summary)
        return summary

    def drain(self) -> None:
        """EventBridge delivers what the rules matched, with retries and dead-lettering."""
        for target in self.targets:
            target.stats.add(target.delivery.drain())
        self._collect()

    def redrive_dead_letters(self) -> None:
        for target in self.targets:
            self.redriven += redrive(self.sqs, target.dead_letter_queue_url, target.delivery)
        self._collect()

    def _receive_all(self, queue_url: str) -> list[str]:
        bodies: list[str] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _collect(self) -> None:
        self.audit_details += [json.loads(body)["detail"] for body in self._receive_all(self.audit_queue_url)]
        for body in self._receive_all(self.sns_inbox_url):
            self.sns_event_ids += event_ids_in(json.loads(body)["Message"])

    def start_measuring(self) -> None:
        """Forget the baseline: what counts starts now."""
        self.drain()
        self.audit_details.clear()
        self.sns_event_ids.clear()
        self.superseded.clear()
        self.slack.clear()
        for extra in self.extra.values():
            extra.sink.clear()
        for target in self.targets:
            target.stats = DeliveryStats()
        self.invocation_errors.clear()
        self.scan_summaries.clear()

    def dead_letter_depth(self) -> int:
        """What an alarm on ApproximateNumberOfMessagesVisible of the DLQs would see."""
        total = 0
        for target in self.targets:
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=target.dead_letter_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            total += int(attributes["ApproximateNumberOfMessages"])
        return total

    def outcome(self, truth: list[InjectedTransition]) -> Outcome:
        self._collect()
        self.slack.wait_idle()
        # Events without an eventId are not regwatch's (the poison row puts one on the bus).
        published_ids = Counter(d["eventId"] for d in self.audit_details if "eventId" in d)
        published_keys = {
            VersionTransition(d["registrationId"], int(d["versionNumber"]), d["status"], d["statusTimestamp"])
            for d in self.audit_details
            if d.get("scope") == "VERSION" and "eventId" in d
        }
        unpublished = [item for item in truth if item.transition not in published_keys]
        per_destination = {
            "slack": Counter(
                i for payload in self.slack.deliveries for i in event_ids_in(json.dumps(payload))
            ),
            "sns": Counter(self.sns_event_ids),
        }
        # Only alerts reach people (contract 1.1 `alert`); the others are on the bus for automation.
        alert_ids = {d["eventId"] for d in self.audit_details if "eventId" in d and d.get("alert", True)}
        expected: dict[str, set[str]] = {name: set(alert_ids) for name in per_destination}
        for name, extra in self.extra.items():
            extra.sink.wait_idle()
            per_destination[name] = extra.counter()
            expected[name] = {
                d["eventId"]
                for d in self.audit_details
                if "eventId" in d and d.get("alert", True) and extra.expected(d)
            }
        lost = len(unpublished) + sum(
            1
            for name, counts in per_destination.items()
            for event_id in expected[name]
            if counts[event_id] == 0
        )
        duplicates = sum(max(0, n - 1) for counts in per_destination.values() for n in counts.values())
        duplicates += sum(extra.duplicates() for extra in self.extra.values() if extra.duplicates is not None)
        return Outcome(
            injected=len(truth),
            published=len(published_ids),
            published_copies=sum(published_ids.values()),
            lost=lost,
            duplicates=duplicates,
            dead_lettered=sum(t.stats.dead_lettered for t in self.targets),
            left_in_dead_letter_queues=self.dead_letter_depth(),
            redriven=self.redriven,
            invocation_errors=list(self.invocation_errors),
            per_destination=per_destination,
            unpublished=[item.transition for item in unpublished],
            expected_per_destination={name: len(ids) for name, ids in expected.items()},
        )
