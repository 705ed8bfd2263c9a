"""Alarms (to the alarm topic) and one dashboard.

Hand-written CloudWatch L2 constructs rather than cdk-monitoring-constructs: regwatch needs a
dozen alarms with exact semantics (the missed-scan heartbeat especially), and tests assert
them one by one; a facade would add many resources and defaults to acknowledge and review.

The heartbeat: the scanner emits `ScanHeartbeat` (Powertools Metrics, namespace
`regwatch.metricsNamespace`, dimension `service` = `regwatch-scanner`, and once more per
region with the dimension `region`) for each healthy scheduled scan of a region: completed,
or stopped by its time budget after making progress (a first scan of a large account spans
many invocations). Three schedule intervals without one for a region raise that region's
missed-scan alarm, so a failing region is never hidden by a healthy one.

Every alarm description ends with `Runbook: docs/runbook.md#<section>`; a test pairs the
template's alarms with the runbook's sections both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import Duration, Stack, Token
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
    # Scheduled helpers (dispatcher, evaluator) have their own runbook sections: a failed run is
    # repeated by the next schedule, unlike a notifier's dead-lettered alert.
    scheduled: bool = False


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


RUNBOOK = "docs/runbook.md"
# Runbook section ids (docs/runbook.md has one `## <id>` section per id; a test pairs them
# with the alarms of the synthesized template through the alarm descriptions).
RUNBOOK_MISSED_SCANS = "scanner-missed-scans"
RUNBOOK_SCANNER_ERRORS = "scanner-errors"
RUNBOOK_SCANNER_DLQ = "scanner-dlq"
RUNBOOK_SCANNER_THROTTLES = "scanner-throttles"
RUNBOOK_API_THROTTLES = "scanner-api-throttles"
RUNBOOK_MALFORMED = "scanner-malformed-registrations"
RUNBOOK_SCAN_ERRORS = "scanner-scan-errors"
RUNBOOK_NOTIFIER_ERRORS = "notifier-errors"
RUNBOOK_NOTIFIER_DLQ = "notifier-dlq"
RUNBOOK_NOTIFIER_THROTTLES = "notifier-throttles"
RUNBOOK_SCHEDULED_ERRORS = "scheduled-function-errors"
RUNBOOK_SCHEDULED_DLQ = "scheduled-function-dlq"
RUNBOOK_SCHEDULED_THROTTLES = "scheduled-function-throttles"
MALFORMED_METRIC = "MalformedRegistrations"
SCAN_ERRORS_METRIC = "ScanErrors"
REGION_DIMENSION = "region"


def runbook_link(section: str) -> str:
    return f"Runbook: {RUNBOOK}#{section}"


def region_heartbeat_metric(config: RegwatchConfig, region: str) -> cloudwatch.Metric:
    """`ScanHeartbeat` of one monitored region (the scanner emits it per region too)."""
    return cloudwatch.Metric(
        namespace=config.metrics_namespace,
        metric_name=HEARTBEAT_METRIC,
        dimensions_map={HEARTBEAT_DIMENSION: SCANNER_SERVICE_NAME, REGION_DIMENSION: region},
        statistic="Sum",
        period=Duration.minutes(config.heartbeat_minutes),
    )


def _region_id(region: str) -> str:
    return "".join(part.capitalize() for part in region.split("-"))


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
    intervals = f"{MISSED_INTERVALS} consecutive schedule intervals of {config.heartbeat_minutes} min"

    def alarm(construct_id: str, runbook: str, description: str, **props: object) -> cloudwatch.Alarm:
        created = cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_description=f"{description} {runbook_link(runbook)}",
            **props,  # type: ignore[arg-type]
        )
        created.add_alarm_action(action)
        monitoring.alarms.append(created)
        return created

    # One heartbeat alarm per monitored region: a healthy region never hides a failing one.
    regions = config.monitored_regions or [Stack.of(scope).region]
    for region in regions:
        label = "the stack's region" if Token.is_unresolved(region) else region
        alarm(
            "ScannerMissedScansAlarm"
            if not config.monitored_regions
            else f"ScannerMissedScans{_region_id(region)}Alarm",
            RUNBOOK_MISSED_SCANS,
            f"No healthy scheduled scan of {label} for {intervals} ({config.schedule}). The metric "
            f"{HEARTBEAT_METRIC} (dimensions service, region) counts scheduled scans of the region that "
            "completed, or that stopped at their time budget after listing registrations (a first scan of "
            "a large account spans several invocations); it is missing when the scanner fails or times out "
            "before listing anything, is not triggered, or skips the region.",
            metric=region_heartbeat_metric(config, region),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=MISSED_INTERVALS,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
    for watched in (scanner, *notifiers):
        is_scanner = watched is scanner
        alarm(
            f"{watched.label}ErrorsAlarm",
            RUNBOOK_SCANNER_ERRORS
            if is_scanner
            else RUNBOOK_SCHEDULED_ERRORS
            if watched.scheduled
            else RUNBOOK_NOTIFIER_ERRORS,
            f"{watched.label}: at least one invocation ended in an error within 5 minutes (Lambda metric "
            "Errors, sum): an unhandled exception, a timeout or an out-of-memory end. Its log group has it.",
            metric=watched.function.metric_errors(period=_FIVE_MINUTES, statistic="Sum"),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm(
            f"{watched.label}DlqAlarm",
            RUNBOOK_SCANNER_DLQ
            if is_scanner
            else RUNBOOK_SCHEDULED_DLQ
            if watched.scheduled
            else RUNBOOK_NOTIFIER_DLQ,
            f"{watched.label}'s dead-letter queue holds at least one message (SQS "
            "ApproximateNumberOfMessagesVisible, maximum over 5 minutes): an event EventBridge or Lambda "
            "gave up on after every retry. It stays there (14 days) until redriven.",
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
        RUNBOOK_SCANNER_THROTTLES,
        f"Lambda throttled the scanner (metric Throttles, sum >= 1) in each of {intervals}: triggers "
        "arrive faster than scans finish, or the account's concurrency is exhausted.",
        metric=scanner.function.metric_throttles(
            period=Duration.minutes(config.heartbeat_minutes), statistic="Sum"
        ),
        threshold=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=MISSED_INTERVALS,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )

    def scanner_count_alarm(construct_id: str, runbook: str, metric_name: str, description: str) -> None:
        alarm(
            construct_id,
            runbook,
            description,
            metric=scanner_metric(config, metric_name),
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=MISSED_INTERVALS,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    # The scanner paces itself below the SMS API quota and retries ThrottlingException; throttles
    # in three consecutive intervals mean something else in the account is using the quota.
    scanner_count_alarm(
        "ScannerApiThrottlesAlarm",
        RUNBOOK_API_THROTTLES,
        API_THROTTLES_METRIC,
        f"The SMS API answered ThrottlingException to the scanner (metric {API_THROTTLES_METRIC}, sum >= 1, "
        f"each retried) in each of {intervals}: another client shares the Describe* quota, or "
        "regwatch.apiCallsPerSecond is above it.",
    )
    scanner_count_alarm(
        "ScannerMalformedRegistrationsAlarm",
        RUNBOOK_MALFORMED,
        MALFORMED_METRIC,
        f"The SMS API returned registrations or versions regwatch cannot read (metric {MALFORMED_METRIC}, "
        f"sum >= 1) in each of {intervals}: those registrations are skipped, so their changes are not "
        "reported until the value is readable again.",
    )
    scanner_count_alarm(
        "ScannerScanErrorsAlarm",
        RUNBOOK_SCAN_ERRORS,
        SCAN_ERRORS_METRIC,
        f"Scans of a region ended with errors (metric {SCAN_ERRORS_METRIC}: SMS API, snapshot table or "
        f"EventBridge failures counted per scan, sum >= 1) in each of {intervals}; the scanner retries "
        "each scan, so a persistent count means it cannot make progress somewhere.",
    )
    for watched in notifiers:
        alarm(
            f"{watched.label}ThrottlesAlarm",
            RUNBOOK_SCHEDULED_THROTTLES if watched.scheduled else RUNBOOK_NOTIFIER_THROTTLES,
            f"Lambda throttled {watched.label} (metric Throttles, sum >= 1 in 5 minutes): the account's "
            "Lambda concurrency is exhausted; "
            + (
                "Lambda's asynchronous queue retries the scheduled run, then dead-letters it."
                if watched.scheduled
                else "EventBridge retries, then dead-letters."
            ),
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
            title="Healthy scans per region / SMS API throttles",
            left=[
                region_heartbeat_metric(config, region).with_(label=f"healthy scans {region}")
                for region in config.monitored_regions or [Stack.of(scope).region]
            ],
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
