"""Scanner Lambda: schedule or native status-change event in, one scan, a summary out.

Thin on purpose: parse the trigger, build the adapters (cached per execution
environment), run regwatch.scan, turn its reports into metrics and a summary.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from regwatch.budget import TimeBudget
from regwatch.scan import RegionReport, Scanner, ScanOptions
from scanner.dependencies import Dependencies, get_dependencies
from scanner.triggers import (
    InvalidTrigger,
    RegistrationStatusChangeTrigger,
    ScheduledTrigger,
    parse_trigger,
)

logger = Logger()
metrics = Metrics()
tracer = Tracer()


def utc_now() -> datetime:
    return datetime.now(UTC)


def account_id_of(context: LambdaContext) -> str:
    # arn:aws:lambda:<region>:<account>:function:<name>[:alias]; no STS call needed.
    parts = context.invoked_function_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        raise ValueError(f"Cannot read the account id from {context.invoked_function_arn!r}")
    return parts[4]


def _options(deps: Dependencies, account_id: str) -> ScanOptions:
    settings = deps.settings
    return ScanOptions(
        account_id=account_id,
        event_source=settings.event_source,
        event_bus_name=settings.event_bus_name,
        baseline_alerts=settings.baseline_alerts,
        reconcile_period=settings.reconcile_period,
    )


def _api_counters(deps: Dependencies) -> dict[str, tuple[Counter[str], Counter[str]]]:
    return {region: registry.counters() for region, registry in deps.registries().items()}


def build_summary(
    scan_id: str,
    trigger: str,
    reports: list[RegionReport],
    *,
    before: dict[str, tuple[Counter[str], Counter[str]]],
    after: dict[str, tuple[Counter[str], Counter[str]]],
    duration_ms: int,
) -> dict[str, Any]:
    """The JSON-serializable result of one invocation."""
    api_calls: Counter[str] = Counter()
    throttles: Counter[str] = Counter()
    transitions: Counter[str] = Counter()
    regions: dict[str, Any] = {}
    for report in reports:
        empty: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        calls = after.get(report.region, empty)[0] - before.get(report.region, empty)[0]
        throttled = after.get(report.region, empty)[1] - before.get(report.region, empty)[1]
        api_calls += calls
        throttles += throttled
        transitions += report.transitions
        regions[report.region] = {**report.as_dict(), "apiCalls": dict(calls), "throttles": dict(throttled)}
    return {
        "scanId": scan_id,
        "trigger": trigger,
        "complete": all(r.complete for r in reports),
        "resumed": any(r.resumed for r in reports),
        "regions": regions,
        "apiCalls": dict(api_calls),
        "throttles": dict(throttles),
        "transitions": sum(transitions.values()),
        "transitionsByStatus": dict(transitions),
        "eventsPublished": sum(r.events_published for r in reports),
        "durationMs": duration_ms,
    }


def is_healthy(report: RegionReport) -> bool:
    """Completed, or cut short by the time budget after listing something (it resumes next time)."""
    if report.complete:
        return True
    return report.stop_reason == "time budget" and report.skipped is None and report.registrations_listed > 0


def _record_region_heartbeats(reports: list[RegionReport]) -> None:
    """`ScanHeartbeat` per region (dimension `region`): one failing region is never hidden by a
    healthy one. Its own EMF record, since the shared record's dimensions cover every region."""
    for report in reports:
        if report.trigger == "schedule" and is_healthy(report):
            with single_metric(name="ScanHeartbeat", unit=MetricUnit.Count, value=1) as metric:
                metric.add_dimension(name="region", value=report.region)


def _record_metrics(summary: dict[str, Any], reports: list[RegionReport]) -> None:
    count = MetricUnit.Count
    metrics.add_metric(
        name="RegistrationsListed", unit=count, value=sum(r.registrations_listed for r in reports)
    )
    metrics.add_metric(name="RegistrationsRead", unit=count, value=sum(r.registrations_read for r in reports))
    metrics.add_metric(name="VersionsRead", unit=count, value=sum(r.versions_read for r in reports))
    metrics.add_metric(name="Transitions", unit=count, value=summary["transitions"])
    metrics.add_metric(name="EventsPublished", unit=count, value=summary["eventsPublished"])
    metrics.add_metric(name="SnapshotConflicts", unit=count, value=sum(r.conflicts for r in reports))
    metrics.add_metric(name="ScanErrors", unit=count, value=sum(len(r.errors) for r in reports))
    metrics.add_metric(
        name="MalformedRegistrations", unit=count, value=sum(len(r.malformed) for r in reports)
    )
    metrics.add_metric(name="Throttles", unit=count, value=sum(summary["throttles"].values()))
    metrics.add_metric(name="ScansResumed", unit=count, value=sum(1 for r in reports if r.resumed))
    metrics.add_metric(name="ScansIncomplete", unit=count, value=sum(1 for r in reports if not r.complete))
    # Full scans of a region whose listing cycle completed.
    completed = sum(1 for r in reports if r.complete and r.trigger == "schedule")
    metrics.add_metric(name="ScansCompleted", unit=count, value=completed)
    # The heartbeat infra alarms on: scheduled scans that were healthy, i.e. completed or
    # stopped by their time budget after making progress. A first scan of 10,000
    # registrations spans hours of invocations; it must not look like a dead scanner.
    healthy = sum(1 for r in reports if r.trigger == "schedule" and is_healthy(r))
    metrics.add_metric(name="ScanHeartbeat", unit=count, value=healthy)
    _record_region_heartbeats(reports)
    metrics.add_metric(name="ScanDuration", unit=MetricUnit.Milliseconds, value=summary["durationMs"])
    for operation, calls in summary["apiCalls"].items():
        metrics.add_metric(name=f"ApiCalls{operation}", unit=count, value=calls)


def _run(
    deps: Dependencies,
    trigger: ScheduledTrigger | RegistrationStatusChangeTrigger,
    context: LambdaContext,
    scan_id: str,
) -> tuple[list[RegionReport], str]:
    settings = deps.settings
    scanner = Scanner(
        registry_for=deps.registry,
        store=deps.store,
        publisher=deps.publisher,
        clock=utc_now,
        options=_options(deps, account_id_of(context)),
    )
    if isinstance(trigger, RegistrationStatusChangeTrigger):
        name = "registration-status-change"
        logger.append_keys(registration_id=trigger.registration_id, region=trigger.region)
        if trigger.region not in settings.monitored_regions:
            logger.warning("Status change from a region that is not monitored; ignored")
            return [], name
        return [scanner.scan_registration(trigger.region, trigger.registration_id)], name
    budget = TimeBudget.for_invocation(
        lambda: context.get_remaining_time_in_millis() / 1000.0, settings.api_calls_per_second
    )
    return scanner.scan_regions(settings.monitored_regions, budget, scan_id), "schedule"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.monotonic()
    scan_id = context.aws_request_id
    logger.set_correlation_id(scan_id)
    try:
        trigger = parse_trigger(event)
    except InvalidTrigger:
        metrics.add_metric(name="InvalidEvents", unit=MetricUnit.Count, value=1)
        raise
    try:
        deps = get_dependencies()
        before = _api_counters(deps)
        reports, trigger_name = _run(deps, trigger, context, scan_id)
    except Exception:
        # Bad configuration, an unreachable snapshot table…: count it for the alarm and let
        # Lambda record the failure; the next scan resumes from the snapshot.
        metrics.add_metric(name="ScanFailures", unit=MetricUnit.Count, value=1)
        raise
    duration_ms = int((time.monotonic() - started) * 1000)
    summary = build_summary(
        scan_id, trigger_name, reports, before=before, after=_api_counters(deps), duration_ms=duration_ms
    )
    _record_metrics(summary, reports)
    for report in reports:
        for bad in report.malformed:
            # Skipped this scan, retried (and logged again) every scan until the value is fixed.
            logger.error(
                "Malformed registration skipped",
                extra={
                    "region": report.region,
                    "registration_id": bad.registration_id,
                    "field": bad.field,
                    "problem": bad.problem,
                },
            )
        log = logger.warning if report.errors or not report.complete else logger.info
        log("Region scanned", extra={"scan": summary["regions"][report.region]})
    logger.info(
        "Scan finished",
        extra={k: summary[k] for k in ("trigger", "complete", "resumed", "transitions", "eventsPublished")},
    )
    return summary
