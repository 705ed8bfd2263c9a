"""Alarms (to the alarm topic) and one dashboard.

Hand-written CloudWatch L2 constructs rather than cdk-monitoring-constructs: regwatch needs a
dozen alarms with exact semantics (the missed-scan heartbeat especially), and tests assert
them one by one; a facade would add many resources and defaults to acknowledge and review.

The heartbeat: the scanner emits `ScanHeartbeat` (Powertools Metrics, namespace
`regwatch.metricsNamespace`, dimension `service` = `regwatch-scanner`) once per healthy
scheduled scan of a region: completed, or stopped by its time budget after making progress
(a first scan of a large account spans many invocations). Three schedule intervals without
one raise `ScannerMissedScans`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import MISSED_SCANS_ALARM_INTERVALS, RegwatchConfig
from infra.scanner import SCANNER_SERVICE_NAME
from infra.topics import encrypted_topic

HEARTBEAT_METRIC = "ScanHeartbeat"
HEARTBEAT_DIMENSION = "service"
# SMS API ThrottlingException count the scanner emits per invocation (lambdas/scanner/handler.py).
API_THROTTLES_METRIC = "Throttles"
MISSED_INTERVALS = MISSED_SCANS_ALARM_INTERVALS
_FIVE_MINUTES = Duration.minutes(5)


@dataclass(frozen=True)
class MonitoredFunction:
    label: str
    function: lambda_.IFunction
    dead_letter_queue: sqs.IQueue


@dataclass
class Monitoring:
    topic: sns.Topic
    alarms: list[cloudwatch.Alarm] = field(default_factory=list)
    dashboard: cloudwatch.Dashboard | None = None


def heartbeat_metric(config: RegwatchConfig) -> cloudwatch.Metric:
    return scanner_metric(config, HEARTBEAT_METRIC)


def scanner_metric(config: RegwatchConfig, name: str) -> cloudwatch.Metric:
    """A Powertools metric of the scanner, summed per schedule interval."""
    return cloudwatch.Metric(
        namespace=config.metrics_namespace,
        metric_name=name,
        dimensions_map={HEARTBEAT_DIMENSION: SCANNER_SERVICE_NAME},
        statistic="Sum",
        period=Duration.minutes(config.heartbeat_minutes),
    )


def add_monitoring(
    scope: Construct,
    config: RegwatchConfig,
    *,
    key: kms.IKey,
    scanner: MonitoredFunction,
    notifiers: list[MonitoredFunction],
) -> Monitoring:
    topic = encrypted_topic(scope, "AlarmTopic", key, "regwatch alarms")
    if config.alarm_email:
        topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
    monitoring = Monitoring(topic)
    action = actions.SnsAction(topic)

    def alarm(construct_id: str, description: str, **props: object) -> cloudwatch.Alarm:
        created = cloudwatch.Alarm(scope, construct_id, alarm_description=description, **props)  # type: ignore[arg-type]
        created.add_alarm_action(action)
        monitoring.alarms.append(created)
        return created

    alarm(
        "ScannerMissedScansAlarm",
        f"No completed scan for {MISSED_INTERVALS} schedule intervals ({config.schedule}): the scanner "
        "is failing, timing out before completing, or not triggered.",
        metric=heartbeat_metric(config),
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluation_periods=MISSED_INTERVALS,
        treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
    )
    for watched in (scanner, *notifiers):
        alarm(
            f"{watched.label}ErrorsAlarm",
            f"{watched.label} raised errors (see its log group).",
            metric=watched.function.metric_errors(period=_FIVE_MINUTES, statistic="Sum"),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            f"{watched.label}DlqAlarm",
            f"Events for {watched.label} are in its dead-letter queue: they were not processed.",
            metric=watched.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=_FIVE_MINUTES, statistic="Maximum"
            ),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
    # The scan queue's MaximumConcurrency keeps the scanner below the account's concurrency;
    # throttling through a whole missed-scan window means the account's Lambda capacity is exhausted.
    alarm(
        "ScannerThrottlesAlarm",
        "The scanner was throttled in every period of three schedule intervals: triggers pile up.",
        metric=scanner.function.metric_throttles(
            period=Duration.minutes(config.heartbeat_minutes), statistic="Sum"
        ),
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=MISSED_INTERVALS,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    # The scanner paces itself below the SMS API quota and retries ThrottlingException; throttles
    # in three consecutive intervals mean something else in the account is using the quota.
    alarm(
        "ScannerApiThrottlesAlarm",
        "The SMS API throttled the scanner in every period of three schedule intervals: another "
        "client shares the Describe* quota, or regwatch.apiCallsPerSecond is above it.",
        metric=scanner_metric(config, API_THROTTLES_METRIC),
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=MISSED_INTERVALS,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
    for watched in notifiers:
        alarm(
            f"{watched.label}ThrottlesAlarm",
            f"{watched.label} was throttled: the account's Lambda concurrency is exhausted.",
            metric=watched.function.metric_throttles(period=_FIVE_MINUTES, statistic="Sum"),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
    monitoring.dashboard = _dashboard(scope, config, scanner, notifiers, monitoring.alarms)
    return monitoring


def _dashboard(
    scope: Construct,
    config: RegwatchConfig,
    scanner: MonitoredFunction,
    notifiers: list[MonitoredFunction],
    alarms: list[cloudwatch.Alarm],
) -> cloudwatch.Dashboard:
    dashboard = cloudwatch.Dashboard(scope, "Dashboard")
    dashboard.add_widgets(
        cloudwatch.AlarmStatusWidget(title="regwatch alarms", alarms=list(alarms), width=24),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Completed scans / SMS API throttles",
            left=[heartbeat_metric(config)],
            right=[scanner_metric(config, API_THROTTLES_METRIC)],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Scanner duration (ms)",
            left=[scanner.function.metric_duration(statistic="Maximum")],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Dead-letter queues",
            left=[
                watched.dead_letter_queue.metric_approximate_number_of_messages_visible(
                    label=watched.label, statistic="Maximum"
                )
                for watched in (scanner, *notifiers)
            ],
            width=8,
        ),
    )
    dashboard.add_widgets(
        *(
            cloudwatch.GraphWidget(
                title=f"{watched.label} invocations",
                left=[
                    watched.function.metric_invocations(statistic="Sum"),
                    watched.function.metric_errors(statistic="Sum"),
                    watched.function.metric_throttles(statistic="Sum"),
                ],
                width=8,
            )
            for watched in (scanner, *notifiers)
        )
    )
    return dashboard
