"""The notifiers: one rule per destination, routed by status; Slack and SNS functions.

A destination that is not configured gets nothing: no function, no rule, no queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, Stack, aws_sns
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import RegwatchConfig
from infra.functions import regwatch_function
from infra.nag import acknowledge
from infra.queues import dead_letter_queue
from infra.routing import event_pattern
from infra.topics import encrypted_topic

SLACK_SERVICE_NAME = "regwatch-notify-slack"
SNS_SERVICE_NAME = "regwatch-notify-sns"
# What Powertools' DynamoDBPersistenceLayer does with the idempotency table.
IDEMPOTENCY_TABLE_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
# Slack may answer 429 with a Retry-After of tens of seconds and slack_sdk honours it (up to
# two retries); the timeout leaves room for that so a slow Slack is retried, not timed out.
NOTIFIER_TIMEOUT = Duration.seconds(120)


@dataclass(frozen=True)
class Notifier:
    function: lambda_.Function
    rule: events.Rule
    dead_letter_queue: sqs.Queue


@dataclass(frozen=True)
class NotifierResources:
    idempotency_table: dynamodb.Table | None
    slack: Notifier | None
    sns: Notifier | None
    topic: aws_sns.Topic | None


def add_idempotency_table(scope: Construct) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        "IdempotencyTable",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute="expiration",
    )


def _route(
    scope: Construct,
    construct_id: str,
    *,
    config: RegwatchConfig,
    bus: events.IEventBus,
    function: lambda_.Function,
    dlq: sqs.IQueue,
    pattern: dict[str, object],
    description: str,
) -> events.Rule:
    rule = events.Rule(
        scope,
        construct_id,
        event_bus=bus,
        description=description,
        event_pattern=events.EventPattern(
            source=pattern["source"],  # type: ignore[arg-type]
            detail=pattern.get("detail"),  # type: ignore[arg-type]
        ),
    )
    rule.add_target(
        targets.LambdaFunction(
            function,
            dead_letter_queue=dlq,
            retry_attempts=config.target_retry_attempts,
            max_event_age=Duration.hours(config.target_max_event_age_hours),
        )
    )
    return rule


def _allow_idempotency(function: lambda_.Function, table: dynamodb.ITable) -> None:
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(IDEMPOTENCY_TABLE_ACTIONS), resources=[table.table_arn])
    )


def slack_secret_arn_pattern(scope: Construct, secret: str) -> str:
    """The IAM resource for the configured secret (a name matches any of its version suffixes)."""
    if secret.startswith("arn:"):
        return secret
    # Secrets Manager appends "-" and 6 random characters to the name in the ARN.
    return Stack.of(scope).format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name=f"{secret}-??????",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def add_slack_notifier(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    table: dynamodb.ITable,
) -> Notifier:
    secret = config.slack_webhook_secret
    assert secret is not None  # noqa: S101 - only called when Slack is configured
    dlq = dead_letter_queue(scope, "NotifySlackDlq")
    function = regwatch_function(
        scope,
        "NotifySlack",
        config=config,
        code=code,
        handler="notify_slack.handler.lambda_handler",
        description="regwatch: posts registration transitions to Slack",
        environment={
            "SLACK_WEBHOOK_SECRET_ARN": secret,
            "IDEMPOTENCY_TABLE_NAME": table.table_name,
            "EVENT_SOURCE": config.event_source,
            "POWERTOOLS_SERVICE_NAME": SLACK_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
        },
        timeout=NOTIFIER_TIMEOUT,
        memory_mb=config.notifier_memory_mb,
        async_failure_queue=dlq,
    )
    secret_resource = slack_secret_arn_pattern(scope, secret)
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_resource])
    )
    _allow_idempotency(function, table)
    if not secret.startswith("arn:"):
        assert function.role is not None  # noqa: S101
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:"
            f"secret:{secret}-??????]",
            "The secret is configured by name; '-??????' matches exactly the 6-character suffix Secrets "
            "Manager appends to that one secret's ARN, not other secrets.",
        )
    rule = _route(
        scope,
        "NotifySlackRule",
        config=config,
        bus=bus,
        function=function,
        dlq=dlq,
        pattern=event_pattern(config.event_source, config.slack_severity_set, config.slack_statuses),
        description="regwatch: transitions routed to Slack (regwatch.slackSeverities/slackStatuses)",
    )
    return Notifier(function, rule, dlq)


def add_sns_notifier(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    table: dynamodb.ITable,
    key: kms.IKey,
) -> tuple[Notifier, aws_sns.Topic]:
    topic = encrypted_topic(scope, "NotificationTopic", key, "regwatch registration notifications")
    for email in config.sns_emails:
        topic.add_subscription(subscriptions.EmailSubscription(email))
    dlq = dead_letter_queue(scope, "NotifySnsDlq")
    function = regwatch_function(
        scope,
        "NotifySns",
        config=config,
        code=code,
        handler="notify_sns.handler.lambda_handler",
        description="regwatch: publishes registration transitions to the notification topic",
        environment={
            "NOTIFICATION_TOPIC_ARN": topic.topic_arn,
            "MESSAGE_FORMAT": config.sns_message_format,
            "IDEMPOTENCY_TABLE_NAME": table.table_name,
            "EVENT_SOURCE": config.event_source,
            "POWERTOOLS_SERVICE_NAME": SNS_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
        },
        timeout=NOTIFIER_TIMEOUT,
        memory_mb=config.notifier_memory_mb,
        async_failure_queue=dlq,
    )
    function.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn]))
    # Publishing to an encrypted topic: SNS encrypts with a data key made under the caller's rights.
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn])
    )
    _allow_idempotency(function, table)
    rule = _route(
        scope,
        "NotifySnsRule",
        config=config,
        bus=bus,
        function=function,
        dlq=dlq,
        pattern=event_pattern(config.event_source, config.sns_severity_set, config.sns_statuses),
        description="regwatch: transitions routed to SNS (regwatch.snsSeverities/snsStatuses)",
    )
    return Notifier(function, rule, dlq), topic


def add_notifiers(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    key: kms.IKey,
) -> NotifierResources:
    if not config.slack_enabled and not config.sns_enabled:
        return NotifierResources(None, None, None, None)
    table = add_idempotency_table(scope)
    slack = (
        add_slack_notifier(scope, config, code=code, bus=bus, table=table) if config.slack_enabled else None
    )
    sns_notifier, topic = (
        add_sns_notifier(scope, config, code=code, bus=bus, table=table, key=key)
        if config.sns_enabled
        else (None, None)
    )
    return NotifierResources(table, slack, sns_notifier, topic)
