"""Alarms of the fan-out: broken targets, stale targets, dead-lettered work, a backlog.

"No target scanned at all" is the existing `ScannerMissedScans` alarm (ScanHeartbeat summed
over every target). Because a sum hides one failing target among many, the dispatcher
also publishes, from the per-target health it reads on every schedule:
- `UnhealthyTargets`: targets whose last scans failed (AssumeRole refused, access denied,
  region not enabled, suspended account, persistent throttling);
- `StaleTargets`: targets without a healthy scan for three schedule intervals, whatever
  the reason (the per-target heartbeat).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from constructs import Construct

from infra.config import MISSED_SCANS_ALARM_INTERVALS, RegwatchConfig
from infra.fanout import DISPATCHER_SERVICE_NAME, FanOutResources
from infra.monitoring import HEARTBEAT_DIMENSION, Monitoring, runbook_link

# Sections of docs/runbook.md (tests/infra/test_runbook.py pairs them with the alarms).
RUNBOOK_UNHEALTHY_TARGETS = "fanout-unhealthy-targets"
RUNBOOK_STALE_TARGETS = "fanout-stale-targets"
RUNBOOK_SCAN_QUEUE_DLQ = "fanout-scan-queue-dlq"
RUNBOOK_SCAN_QUEUE_BACKLOG = "fanout-scan-queue-backlog"
UNHEALTHY_TARGETS_METRIC = "UnhealthyTargets"
STALE_TARGETS_METRIC = "StaleTargets"


def dispatcher_metric(config: RegwatchConfig, name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=config.metrics_namespace,
        metric_name=name,
        dimensions_map={HEARTBEAT_DIMENSION: DISPATCHER_SERVICE_NAME},
        statistic="Maximum",
        period=Duration.minutes(config.heartbeat_minutes),
    )


def add_fanout_alarms(
    scope: Construct, config: RegwatchConfig, *, monitoring: Monitoring, fanout: FanOutResources
) -> None:
    action = actions.SnsAction(monitoring.topic)

    def alarm(construct_id: str, runbook: str, description: str, **props: object) -> None:
        created = cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_description=f"{description} {runbook_link(runbook)}",
            **props,  # type: ignore[arg-type]
        )
        created.add_alarm_action(action)
        monitoring.alarms.append(created)

    at_least_one = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    alarm(
        "UnhealthyTargetsAlarm",
        RUNBOOK_UNHEALTHY_TARGETS,
        "At least one target (account, region) cannot be scanned: see the 'Target Unhealthy' alert and "
        "the dispatcher's log ('unhealthyTargets').",
        metric=dispatcher_metric(config, UNHEALTHY_TARGETS_METRIC),
        threshold=1,
        comparison_operator=at_least_one,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm(
        "StaleTargetsAlarm",
        RUNBOOK_STALE_TARGETS,
        f"At least one target had no healthy scan for {MISSED_SCANS_ALARM_INTERVALS} schedule intervals "
        "(the per-target heartbeat): see the dispatcher's log ('staleTargets').",
        metric=dispatcher_metric(config, STALE_TARGETS_METRIC),
        threshold=1,
        comparison_operator=at_least_one,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    alarm(
        "ScanQueueDlqAlarm",
        RUNBOOK_SCAN_QUEUE_DLQ,
        "Scan work items were dead-lettered after repeated scanner failures (e.g. the snapshot table "
        "unreachable): those targets were not scanned.",
        metric=fanout.scan_dead_letter_queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic="Maximum"
        ),
        threshold=1,
        comparison_operator=at_least_one,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    backlog_seconds = MISSED_SCANS_ALARM_INTERVALS * config.heartbeat_minutes * 60
    alarm(
        "ScanQueueBacklogAlarm",
        RUNBOOK_SCAN_QUEUE_BACKLOG,
        f"The oldest scan work item waited over {MISSED_SCANS_ALARM_INTERVALS} schedule intervals: the "
        "fan-out cannot keep up; raise regwatch.maxScannerConcurrency.",
        metric=fanout.scan_queue.metric_approximate_age_of_oldest_message(
            period=Duration.minutes(5), statistic="Maximum"
        ),
        threshold=backlog_seconds,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
