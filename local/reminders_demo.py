"""The demo's epilogue: days pass on the emulator clock, the evaluator reminds and sends
the daily digest, and the summary counts what reached each destination.

The evaluator runs in-process with the deployed function's own settings (its environment
in the synthesized template) and the emulator's clock: the bundled function would read
the wall clock, and the story's days pass in seconds. Everything else is the real thing:
the snapshot table and the bus on moto, delivery to the notifier functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from botocore.config import Config
from evaluator.settings import EvaluatorSettings

from regwatch.digest import DigestSchedule
from regwatch.evaluate import Evaluator
from regwatch_aws.publisher import EventBridgePublisher
from regwatch_aws.reminder_store import DynamoReminderStore

EVALUATOR_HANDLER = "evaluator.handler.lambda_handler"
DAY = 86_400.0
# Days after the story (emulator clock, which starts 13:00 UTC) at which the evaluator runs:
# the retail brand's link is about to expire (day 5.5, 01:00 UTC: before the 08:00 digest),
# then has expired (day 8, 13:00 UTC: the day's digest goes out too).
EPILOGUE_DAYS: tuple[float, ...] = (5.5, 2.5)


# `stack` is a local.local_stack.LocalStack (not imported: it calls this module).
def _client(stack: Any, service: str, access_key_id: str) -> Any:
    # Signed with the Evaluator function's own key, through the IAM gate: its calls are
    # checked against the Evaluator role in the template.
    return boto3.client(
        service,
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        aws_session_token="local",  # noqa: S106 - as the local functions sign
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def _evaluator(stack: Any) -> Evaluator:
    spec = stack.stack.function_for_handler(EVALUATOR_HANDLER)
    settings = EvaluatorSettings.from_mapping(spec.environment)
    key = stack.functions[spec.logical_id].access_key_id

    def emulator_now() -> datetime:
        return datetime.fromtimestamp(stack.control.now(), UTC)

    digest = settings.digest
    if digest is None:  # the demo shows one digest even if the template turned it off
        digest = DigestSchedule(time(0, 0), ZoneInfo("UTC"))
    return Evaluator(
        store=DynamoReminderStore(_client(stack, "dynamodb", key), settings.snapshot_table_name),
        publisher=EventBridgePublisher(_client(stack, "events", key)),
        policy=settings.policy,
        clock=emulator_now,
        event_source=settings.event_source,
        event_bus_name=settings.event_bus_name,
        digest_schedule=digest,
    )


def play_epilogue(stack: Any, days: Sequence[float] = EPILOGUE_DAYS) -> list[dict[str, Any]]:
    """Advance the emulator clock day by day: scan, evaluate, deliver. Returns the reports."""
    evaluator = _evaluator(stack)
    reports = []
    for step in days:
        stack.note("phase", text=f"{step:g} days later (emulator clock): scan, then the evaluator")
        stack.advance(step * DAY)
        stack.scan()
        report = evaluator.run().as_dict()
        stack.note("evaluator", report=report)
        reports.append(report)
        stack.collect_transitions()
        stack.deliver()
    return reports


def alert_summary(stack: Any) -> str:
    """Per destination: alerts, reminders, digests delivered; and the proof that no change
    was announced twice (no event id twice, no `alert: false` event delivered)."""
    kinds: dict[str, str] = {}
    not_alerts: set[str] = set()
    for event in stack.transitions:
        detail = event.get("detail", {})
        event_id = str(detail.get("eventId", ""))
        if event.get("detail-type") == "Registration Digest":
            kinds[event_id] = "digest"
        elif "reminder" in detail:
            kinds[event_id] = "reminder"
        else:
            kinds[event_id] = "alert"
            if detail.get("alert") is False:
                not_alerts.add(event_id)
    lines = ["", "Alerts per destination (one per change; reminders and digests counted apart):"]
    problems = []
    for destination in sorted({n.destination for n in stack.notifications}):
        delivered = [n.event_id for n in stack.notifications if n.destination == destination]
        counts = Counter(kinds.get(str(event_id), "other") for event_id in delivered)
        lines.append(
            f"  {destination:6} {counts['alert']:3} alerts, {counts['reminder']:2} reminders, "
            f"{counts['digest']:2} digests"
        )
        twice = [event_id for event_id, n in Counter(delivered).items() if n > 1]
        echoes = [event_id for event_id in delivered if event_id in not_alerts]
        if twice:
            problems.append(f"{destination}: {len(twice)} events delivered twice")
        if echoes:
            problems.append(f"{destination}: {len(echoes)} registration-level echoes of a version change")
    announced = len(kinds) - len(not_alerts)
    lines.append(
        f"  {len(stack.transitions)} events on the bus, {len(not_alerts)} of them the registration-level "
        f"echo of a version change (not announced); {announced} announced."
    )
    lines.append("  No change was announced twice." if not problems else "  PROBLEM: " + "; ".join(problems))
    return "\n".join(lines)
