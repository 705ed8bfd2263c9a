"""Dispatcher Lambda: on each schedule, one scan-queue message per target (account, region).

Thin: parse the schedule, list the targets (deploying account, `regwatch.accounts`, and
in organization mode the ACTIVE accounts Organizations lists), queue them, and publish
the per-target health gauges the alarms watch (UnhealthyTargets, StaleTargets). A
discovery failure still queues every target it can, then fails the invocation with a
message naming the setting, so the errors alarm fires and nothing else stops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, ValidationError

from dispatcher.dependencies import Dependencies, get_dependencies
from dispatcher.settings import STALE_AFTER_INTERVALS
from regwatch.errors import TargetDiscoveryFailed
from regwatch.health import TargetHealth
from regwatch.targets import DiscoveredAccount, Fleet, ScanTarget

logger = Logger()
metrics = Metrics()
tracer = Tracer()


class InvalidSchedule(ValueError):
    """The dispatcher was invoked with something other than a scheduled event."""


class DispatchFailed(RuntimeError):
    """Some targets could not be listed; the message names the setting to fix."""


class ScheduledEvent(EventBridgeModel):
    source: Literal["aws.events", "aws.scheduler"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    detail: dict[str, Any] = Field(default_factory=dict)


def _parse(event: Any) -> ScheduledEvent:
    try:
        return parse(event=event, model=ScheduledEvent)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
        raise InvalidSchedule(
            "The dispatcher accepts an EventBridge scheduled event (source aws.events or aws.scheduler, "
            f"detail-type 'Scheduled Event'). Problems: {problems}"
        ) from None


def health_gauges(
    targets: list[ScanTarget], health: dict[Any, TargetHealth], now: datetime, interval: timedelta
) -> dict[str, Any]:
    """Unhealthy targets, and stale ones: no healthy scan for STALE_AFTER_INTERVALS intervals."""
    unhealthy: list[str] = []
    stale: list[str] = []
    cutoff = now - STALE_AFTER_INTERVALS * interval
    for target in targets:
        known = health.get(target.key)
        if known is None:
            continue  # never scanned yet: new targets are not stale on their first schedules
        if not known.healthy:
            unhealthy.append(target.label)
        last_good = known.last_healthy_at or known.first_seen_at
        if last_good is not None and last_good < cutoff:
            stale.append(target.label)
    return {"unhealthy": unhealthy, "stale": stale}


def _discover(deps: Dependencies) -> tuple[list[DiscoveredAccount], TargetDiscoveryFailed | None]:
    organization = deps.settings.targets.organization
    if deps.directory is None:
        return [], None
    try:
        return deps.directory.accounts(organization.ou_ids, organization.include_accounts), None
    except TargetDiscoveryFailed as error:
        return [], error


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    schedule = _parse(event)
    logger.set_correlation_id(schedule.id)
    deps = get_dependencies()
    settings = deps.settings
    parts = context.invoked_function_arn.split(":")
    plan = settings.targets.plan(parts[4], settings.monitored_regions, partition=parts[1])
    discovered, discovery_error = _discover(deps)
    if deps.directory is not None and discovery_error is None:
        # What the scanner checks AWS's native events of member accounts against.
        fleet = Fleet.of(discovered, settings.targets.organization.exclude_accounts)
        deps.fleet.save(fleet, datetime.now(UTC))
    targets = plan.targets(discovered)
    batches_before = deps.queue.batches_sent
    queued = deps.queue.send(targets, schedule.id)
    gauges = health_gauges(
        targets, deps.health.load_all(), datetime.now(UTC), timedelta(minutes=settings.heartbeat_minutes)
    )
    count = MetricUnit.Count
    metrics.add_metric(name="TargetsDispatched", unit=count, value=queued)
    metrics.add_metric(name="AccountsDiscovered", unit=count, value=len(discovered))
    metrics.add_metric(name="UnhealthyTargets", unit=count, value=len(gauges["unhealthy"]))
    metrics.add_metric(name="StaleTargets", unit=count, value=len(gauges["stale"]))
    metrics.add_metric(name="DiscoveryFailures", unit=count, value=1 if discovery_error else 0)
    summary = {
        "scheduleId": schedule.id,
        "targets": queued,
        "accounts": len({t.account_id for t in targets}),
        "discovered": len(discovered),
        "skippedInactive": sorted(a.account_id for a in discovered if a.status != "ACTIVE"),
        "unhealthyTargets": gauges["unhealthy"],
        "staleTargets": gauges["stale"],
        "sqsBatches": deps.queue.batches_sent - batches_before,
    }
    logger.info("Targets dispatched", extra=summary)
    if discovery_error is not None:
        logger.error("Organization discovery failed", extra={"error": str(discovery_error)})
        raise DispatchFailed(str(discovery_error))
    return summary
