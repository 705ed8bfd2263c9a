"""Scanner Lambda: one target (account, region) per work item, a summary out.

Thin on purpose: parse the trigger, build the adapters (cached per execution
environment), run regwatch.target_scan, turn its reports into metrics and a summary.

Triggers:
- the scan queue (SQS event source mapping, batch size 1): one work item per target,
  sent by the dispatcher on every schedule; partial batch responses via Powertools' batch
  utility, so only a failed item is retried (and dead-lettered after the queue's retries);
- AWS's native "Registration Status Change" event (own account, or forwarded from a member
  account to the hub bus): rescan that registration in the event's account and region, if
  regwatch monitors that target (else counted in `NativeEventsNotMonitored` and dropped with
  the reason logged).
Every SMS API call, whichever trigger, waits for a slot of its target's shared API budget
(regwatch_aws/api_budget.py), so rescans and the scheduled scan of one target together stay
within its rate however many execution environments run them.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from regwatch.budget import TimeBudget
from regwatch.scan import RegionReport, ScanOptions
from regwatch.target_scan import TargetReport, TargetScanner, is_healthy
from regwatch.targets import NotMonitored, ScanTarget, TargetPlan
from scanner.dependencies import Dependencies, get_dependencies
from scanner.messaging import messaging_watch
from scanner.triggers import (
    InvalidTrigger,
    RegistrationStatusChangeTrigger,
    parse_trigger,
    parse_work_item,
)

logger = Logger()
metrics = Metrics()
tracer = Tracer()
processor = BatchProcessor(event_type=EventType.SQS)

__all__ = ["build_summary", "is_healthy", "lambda_handler"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _arn_parts(context: LambdaContext) -> list[str]:
    # arn:<partition>:lambda:<region>:<account>:function:<name>[:alias]; no STS call needed.
    parts = context.invoked_function_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        raise ValueError(f"Cannot read the account id from {context.invoked_function_arn!r}")
    return parts


def account_id_of(context: LambdaContext) -> str:
    return _arn_parts(context)[4]


def _plan(deps: Dependencies, context: LambdaContext) -> TargetPlan:
    parts = _arn_parts(context)
    return deps.settings.targets.plan(parts[4], deps.settings.monitored_regions, partition=parts[1])


def _scanner(deps: Dependencies, account_id: str) -> TargetScanner:
    settings = deps.settings
    return TargetScanner(
        registry_for=deps.registry_for_target,
        store=deps.store,
        health=deps.health,
        publisher=deps.publisher,
        clock=utc_now,
        options=ScanOptions(
            account_id=account_id,
            event_source=settings.event_source,
            event_bus_name=settings.event_bus_name,
            baseline_alerts=settings.baseline_alerts,
            reconcile_period=settings.reconcile_period,
            deletion_guard=settings.deletion_guard,
            listing=settings.listing,
        ),
        messaging=messaging_watch(deps),
    )


def _api_counters(deps: Dependencies) -> dict[str, tuple[Counter[str], Counter[str]]]:
    return {label: registry.counters() for label, registry in deps.registries().items()}


def build_summary(
    scan_id: str,
    trigger: str,
    reports: list[TargetReport],
    *,
    own_account_id: str,
    before: dict[str, tuple[Counter[str], Counter[str]]],
    after: dict[str, tuple[Counter[str], Counter[str]]],
    duration_ms: int,
) -> dict[str, Any]:
    """The JSON-serializable result of one invocation.

    `targets` is keyed by `account/region`; `regions` repeats the deploying account's
    targets keyed by region (the single-account shape of earlier releases).
    """
    api_calls: Counter[str] = Counter()
    throttles: Counter[str] = Counter()
    transitions: Counter[str] = Counter()
    targets: dict[str, Any] = {}
    regions: dict[str, Any] = {}
    for result in reports:
        report, label = result.region_report, result.target.label
        empty: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        calls = after.get(label, empty)[0] - before.get(label, empty)[0]
        throttled = after.get(label, empty)[1] - before.get(label, empty)[1]
        api_calls += calls
        throttles += throttled
        transitions += report.transitions
        entry = {
            **report.as_dict(),
            "accountId": result.target.account_id,
            "apiCalls": dict(calls),
            "throttles": dict(throttled),
            "health": None
            if result.health is None
            else ("healthy" if result.health.healthy else "unhealthy"),
            "healthEvent": result.health_event["detailType"] if result.health_event else None,
        }
        targets[label] = entry
        if result.target.account_id == own_account_id:
            regions[report.region] = entry
    region_reports = [r.region_report for r in reports]
    return {
        "scanId": scan_id,
        "trigger": trigger,
        "complete": all(r.complete for r in region_reports),
        "resumed": any(r.resumed for r in region_reports),
        "targets": targets,
        "regions": regions,
        "apiCalls": dict(api_calls),
        "throttles": dict(throttles),
        "transitions": sum(transitions.values()),
        "transitionsByStatus": dict(transitions),
        "eventsPublished": sum(r.events_published for r in region_reports),
        "healthEvents": sum(1 for r in reports if r.health_event),
        "durationMs": duration_ms,
    }


def _record_region_heartbeats(reports: list[RegionReport]) -> None:
    """`ScanHeartbeat` per region (dimension `region`): one failing region is never hidden by a
    healthy one. Its own EMF record, since the shared record's dimensions cover every region."""
    for report in reports:
        if report.trigger == "schedule" and is_healthy(report):
            with single_metric(name="ScanHeartbeat", unit=MetricUnit.Count, value=1) as metric:
                metric.add_dimension(name="region", value=report.region)


def _record_metrics(summary: dict[str, Any], results: list[TargetReport]) -> None:
    reports = [r.region_report for r in results]
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
    # Scheduled scans that finished what they set out to list (a full cycle, or the in-flight list).
    completed = sum(1 for r in reports if r.complete and r.trigger == "schedule")
    metrics.add_metric(name="ScansCompleted", unit=count, value=completed)
    # Adaptive listing (regwatch/listing_policy.py): schedules that listed only what is in flight,
    # full listings made only because native events are not known to flow, and the changes a
    # listing found that no native event announced (each one makes the target list fully).
    metrics.add_metric(
        name="InFlightListings", unit=count, value=sum(1 for r in reports if r.listing_mode == "in-flight")
    )
    metrics.add_metric(
        name="FullListingFallback", unit=count, value=sum(1 for r in reports if r.listing_fallback)
    )
    metrics.add_metric(
        name="UnannouncedChanges", unit=count, value=sum(r.unannounced_changes for r in reports)
    )
    # The heartbeat infra alarms on ("no target scanned at all"): scheduled scans that were
    # healthy, i.e. completed or stopped by their time budget after making progress. A first
    # scan of 10,000 registrations spans many invocations; it must not look like a dead
    # scanner. One broken target among many is caught by the per-target health instead
    # (UnhealthyTargets / StaleTargets from the dispatcher).
    healthy = sum(1 for r in reports if r.trigger == "schedule" and is_healthy(r))
    metrics.add_metric(name="ScanHeartbeat", unit=count, value=healthy)
    _record_region_heartbeats(reports)
    metrics.add_metric(name="TargetsUnreachable", unit=count, value=sum(1 for r in results if r.unreachable))
    metrics.add_metric(name="HealthEvents", unit=count, value=summary["healthEvents"])
    metrics.add_metric(name="ScanDuration", unit=MetricUnit.Milliseconds, value=summary["durationMs"])
    for operation, calls in summary["apiCalls"].items():
        metrics.add_metric(name=f"ApiCalls{operation}", unit=count, value=calls)


def _budget(deps: Dependencies, context: LambdaContext) -> TimeBudget:
    return TimeBudget.for_invocation(
        lambda: context.get_remaining_time_in_millis() / 1000.0, deps.settings.api_calls_per_second
    )


def _native(
    deps: Dependencies, plan: TargetPlan, trigger: RegistrationStatusChangeTrigger
) -> list[TargetReport]:
    account = trigger.account or plan.own_account_id
    logger.append_keys(registration_id=trigger.registration_id, region=trigger.region, account_id=account)
    fleet = deps.fleet.load() if plan.organization.enabled else None
    target = plan.target_for(account, trigger.region, fleet)
    if isinstance(target, NotMonitored):
        # The bus policy lets the whole organization in; regwatch's scope is narrower.
        with single_metric(name="NativeEventsNotMonitored", unit=MetricUnit.Count, value=1) as metric:
            metric.add_dimension(name="reason", value=target.reason)
        logger.warning(
            "Status change of a target regwatch does not monitor: dropped", extra={"reason": target.reason}
        )
        return []
    return [_scanner(deps, plan.own_account_id).rescan_registration(target, trigger.registration_id)]


def _finish(
    deps: Dependencies,
    scan_id: str,
    trigger_name: str,
    results: list[TargetReport],
    *,
    own_account_id: str,
    before: dict[str, tuple[Counter[str], Counter[str]]],
    started: float,
) -> dict[str, Any]:
    duration_ms = int((time.monotonic() - started) * 1000)
    summary = build_summary(
        scan_id,
        trigger_name,
        results,
        own_account_id=own_account_id,
        before=before,
        after=_api_counters(deps),
        duration_ms=duration_ms,
    )
    _record_metrics(summary, results)
    for result in results:
        _log_report(result.region_report, summary["targets"][result.target.label], result.target)
    logger.info(
        "Scan finished",
        extra={k: summary[k] for k in ("trigger", "complete", "resumed", "transitions", "eventsPublished")},
    )
    return summary


def _log_report(report: RegionReport, entry: dict[str, Any], target: ScanTarget) -> None:
    for bad in report.malformed:
        # Skipped this scan, retried (and logged again) every scan until the value is fixed.
        logger.error(
            "Malformed registration skipped",
            extra={
                "account_id": target.account_id,
                "region": report.region,
                "registration_id": bad.registration_id,
                "field": bad.field,
                "problem": bad.problem,
            },
        )
    if report.listing_fallback:
        # Says why this target costs a full listing every schedule (docs/scanner.md, "Adaptive listing").
        logger.warning(
            "Full listing on every schedule: native events not known to flow for this target",
            extra={"target": target.label, "reason": report.listing_reason},
        )
    log = logger.warning if report.errors or not report.complete else logger.info
    log("Target scanned", extra={"target": target.label, "scan": entry})


# The summaries of this invocation's work items (returned beside `batchItemFailures`, which
# is all Lambda's event source mapping reads; local runs and tests read the rest).
_work_item_summaries: list[dict[str, Any]] = []


def _scan_work_item(record: SQSRecord) -> None:
    """One queued target; raising makes SQS retry only this item (partial batch response)."""
    context: LambdaContext = processor.lambda_context
    started = time.monotonic()
    try:
        item = parse_work_item(record.body)
        deps = get_dependencies()
        plan = _plan(deps, context)
        # The role comes from this function's own settings, not from the message: the queue
        # says what to scan, never with which credentials.
        target = ScanTarget(item.account_id, item.region, plan.role_for(item.account_id))
        logger.append_keys(target=target.label, schedule_id=item.schedule_id)
        before = _api_counters(deps)
        scan_id = f"{context.aws_request_id}:{record.message_id}"
        result = _scanner(deps, plan.own_account_id).scan(target, _budget(deps, context), scan_id)
    except Exception:
        metrics.add_metric(name="ScanFailures", unit=MetricUnit.Count, value=1)
        raise
    summary = _finish(
        deps,
        scan_id,
        "schedule",
        [result],
        own_account_id=plan.own_account_id,
        before=before,
        started=started,
    )
    _work_item_summaries.append(summary)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    started = time.monotonic()
    scan_id = context.aws_request_id
    logger.set_correlation_id(scan_id)
    if isinstance(event, dict) and "Records" in event:
        # Any exception of one item (bad configuration, an unreachable snapshot table) is
        # reported as that item's failure; the queue retries it, then dead-letters it.
        _work_item_summaries.clear()
        response = process_partial_response(
            event=event, record_handler=_scan_work_item, processor=processor, context=context
        )
        return {**response, "scans": list(_work_item_summaries)}
    try:
        trigger = parse_trigger(event)
    except InvalidTrigger:
        metrics.add_metric(name="InvalidEvents", unit=MetricUnit.Count, value=1)
        raise
    try:
        deps = get_dependencies()
        plan = _plan(deps, context)
        before = _api_counters(deps)
        results = _native(deps, plan, trigger)
    except Exception:
        # Bad configuration, an unreachable snapshot table…: count it for the alarm and let
        # Lambda record the failure; the next scan resumes from the snapshot.
        metrics.add_metric(name="ScanFailures", unit=MetricUnit.Count, value=1)
        raise
    return _finish(
        deps,
        scan_id,
        "registration-status-change",
        results,
        own_account_id=plan.own_account_id,
        before=before,
        started=started,
    )
