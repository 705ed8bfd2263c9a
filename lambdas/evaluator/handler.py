"""Evaluator: on its own schedule, turn deadlines in the snapshot into reminder events.

No SMS API call: it reads the snapshot table, publishes "Registration Reminder" events,
and records what it sent (regwatch/evaluate.py). Each invocation carries the pass over the
table on within its time budget; a large fleet's pass resumes in the next invocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from evaluator.settings import EvaluatorSettings
from function_support.lazy import Lazy
from regwatch.budget import TimeBudget
from regwatch.evaluate import Evaluator
from regwatch_aws.publisher import EventBridgePublisher
from regwatch_aws.reminder_store import DynamoReminderStore

_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
tracer = Tracer()


def utc_now() -> datetime:
    """The evaluator's clock (the local demo points it at the emulator's clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Runtime:
    settings: EvaluatorSettings
    evaluator: Evaluator


def _build_runtime() -> _Runtime:
    settings = EvaluatorSettings.from_environment()
    session = boto3.session.Session()
    evaluator = Evaluator(
        store=DynamoReminderStore(
            session.client("dynamodb", config=_BOTO_CONFIG), settings.snapshot_table_name
        ),
        publisher=EventBridgePublisher(session.client("events", config=_BOTO_CONFIG)),
        policy=settings.policy,
        clock=lambda: utc_now(),  # noqa: PLW0108 - late-bound so the demo/tests can repoint utc_now
        event_source=settings.event_source,
        event_bus_name=settings.event_bus_name,
        digest_schedule=settings.digest,
    )
    return _Runtime(settings, evaluator)


runtime = Lazy(_build_runtime)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = TimeBudget.for_invocation(lambda: context.get_remaining_time_in_millis() / 1000, 1.0)
    report = runtime.get().evaluator.run(budget)
    for kind, count in report.reminders_published.items():
        metrics.add_metric(
            name=f"Reminders{kind.title().replace('_', '')}", unit=MetricUnit.Count, value=count
        )
    metrics.add_metric(
        name="RemindersPublished", unit=MetricUnit.Count, value=sum(report.reminders_published.values())
    )
    metrics.add_metric(name="EvaluatorErrors", unit=MetricUnit.Count, value=len(report.errors))
    metrics.add_metric(name="EvaluatorPassesCompleted", unit=MetricUnit.Count, value=int(report.complete))
    summary = report.as_dict()
    if report.errors:
        logger.error("Evaluation finished with errors", extra=summary)
    else:
        logger.info("Evaluation finished", extra=summary)
    return summary
