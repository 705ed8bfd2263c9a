"""The notifiers, built from the destination registry: one function, rule and DLQ per enabled destination.

For each entry of lambdas/destinations/registry.py whose settings enable it: a function
(the entry's handler; `DESTINATION` names the entry for the generic notifier), its rule on
the bus (routing from the entry's `<prefix>…` keys, infra/routing.py), a dead-letter queue,
and IAM for exactly what it calls: its configured secrets, the idempotency table (also the
home of per-key delivery state), and the SNS topic and key for the SNS destination. Alarms
come from infra/monitoring.py for every notifier returned here. A destination that is not
configured gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import ArnFormat, Duration, Stack, aws_sns
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from destinations.registry import NOTIFIER_HANDLER, Destination, Resource, SettingKind
from infra.config import RegwatchConfig
from infra.destination_config import DestinationConfig
from infra.functions import regwatch_function
from infra.nag import acknowledge
from infra.queues import dead_letter_queue
from infra.routing import event_pattern
from infra.rule_targets import lambda_target
from infra.topics import encrypted_topic

# What Powertools' DynamoDBPersistenceLayer does with the idempotency table (the delivery
# state of PagerDuty and Slack threads uses GetItem and PutItem of the same table).
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
    destination: Destination
    function: lambda_.Function
    rule: events.Rule
    dead_letter_queue: sqs.Queue

    @property
    def label(self) -> str:
        return self.destination.construct_id


@dataclass(frozen=True)
class NotifierResources:
    idempotency_table: dynamodb.Table | None
    topic: aws_sns.Topic | None
    by_name: dict[str, Notifier] = field(default_factory=dict)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.by_name.values())


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


def secret_arn_pattern(scope: Construct, secret: str) -> str:
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


def _rule(
    scope: Construct,
    config: RegwatchConfig,
    destination: DestinationConfig,
    *,
    bus: events.IEventBus,
    function: lambda_.Function,
    dlq: sqs.IQueue,
) -> events.Rule:
    spec = destination.spec
    pattern = event_pattern(
        config.event_source,
        destination.severities,
        destination.routing("statuses"),
        accounts=destination.routing("accounts"),
        regions=destination.routing("regions"),
        registration_types=destination.routing("registration_types"),
        detail_types=spec.routing.detail_types,
    )
    keys = spec.routing_keys()
    rule = events.Rule(
        scope,
        f"{spec.construct_id}Rule",
        event_bus=bus,
        description=f"regwatch: transitions routed to {spec.label} "
        f"(regwatch.{keys['severities']}/{keys['statuses']}/{keys['accounts']}/{keys['regions']}/"
        f"{keys['registration_types']})",
        event_pattern=events.EventPattern(source=pattern["source"]),
    )
    # The full pattern (it may hold `$or`, which the L2 EventPattern cannot express).
    cfn_rule = rule.node.default_child
    assert isinstance(cfn_rule, events.CfnRule)  # noqa: S101
    cfn_rule.add_property_override("EventPattern", pattern)
    rule.add_target(
        lambda_target(function, dlq, config)
    )
    return rule


def _environment(
    config: RegwatchConfig, destination: DestinationConfig, resources: dict[Resource, str]
) -> dict[str, str]:
    spec = destination.spec
    environment: dict[str, str] = {}
    if spec.handler == NOTIFIER_HANDLER:
        environment["DESTINATION"] = spec.name
    for setting in spec.settings:
        value = destination.values[setting.key]
        # A setting at its default is not passed: the destination's settings parser has it.
        if setting.env is not None and value is not None and value != setting.default:
            environment[setting.env] = str(value)
    if Resource.NOTIFICATION_TOPIC in resources:
        environment["NOTIFICATION_TOPIC_ARN"] = resources[Resource.NOTIFICATION_TOPIC]
    environment |= {
        "IDEMPOTENCY_TABLE_NAME": resources[Resource.IDEMPOTENCY_TABLE],
        "EVENT_SOURCE": config.event_source,
        "POWERTOOLS_SERVICE_NAME": spec.idempotency_key_prefix,
        "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
    }
    return environment


def _grant_secrets(scope: Construct, function: lambda_.Function, destination: DestinationConfig) -> None:
    for key, _env in destination.spec.secrets:
        secret = destination.values.get(key)
        if secret is None:
            continue
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[secret_arn_pattern(scope, secret)]
            )
        )
        if not secret.startswith("arn:"):
            assert function.role is not None  # noqa: S101
            acknowledge(
                function.role,
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:"
                f"<AWS::AccountId>:secret:{secret}-??????]",
                "The secret is configured by name; '-??????' matches exactly the 6-character suffix Secrets "
                "Manager appends to that one secret's ARN, not other secrets.",
            )


def add_notifier(
    scope: Construct,
    config: RegwatchConfig,
    destination: DestinationConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    table: dynamodb.ITable,
    topic: aws_sns.Topic | None,
    key: kms.IKey,
) -> Notifier:
    spec = destination.spec
    dlq = dead_letter_queue(scope, f"{spec.construct_id}Dlq")
    resources = {Resource.IDEMPOTENCY_TABLE: table.table_name}
    if Resource.NOTIFICATION_TOPIC in spec.resources and topic is not None:
        resources[Resource.NOTIFICATION_TOPIC] = topic.topic_arn
    function = regwatch_function(
        scope,
        spec.construct_id,
        config=config,
        code=code,
        handler=spec.handler,
        description=spec.description,
        environment=_environment(config, destination, resources),
        timeout=NOTIFIER_TIMEOUT,
        memory_mb=config.notifier_memory_mb,
        async_failure_queue=dlq,
    )
    _grant_secrets(scope, function, destination)
    if Resource.NOTIFICATION_TOPIC in resources and topic is not None:
        function.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn]))
        # Publishing to an encrypted topic: SNS encrypts with a data key made under the caller's rights.
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn])
        )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(IDEMPOTENCY_TABLE_ACTIONS), resources=[table.table_arn])
    )
    rule = _rule(scope, config, destination, bus=bus, function=function, dlq=dlq)
    return Notifier(spec, function, rule, dlq)


def _notification_topic(
    scope: Construct, key: kms.IKey, publishers: list[DestinationConfig]
) -> aws_sns.Topic:
    """The topic, with the email subscriptions its publishing destinations list (an EMAILS setting)."""
    topic = encrypted_topic(scope, "NotificationTopic", key, "regwatch registration notifications")
    for destination in publishers:
        for setting in destination.spec.settings:
            if setting.kind is SettingKind.EMAILS:
                for email in destination.values[setting.key]:
                    topic.add_subscription(subscriptions.EmailSubscription(email))
    return topic


def add_notifiers(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    key: kms.IKey,
) -> NotifierResources:
    enabled = [d for d in config.destinations() if d.enabled]
    if not enabled:
        return NotifierResources(None, None)
    table = add_idempotency_table(scope)
    publishers = [d for d in enabled if Resource.NOTIFICATION_TOPIC in d.spec.resources]
    topic = _notification_topic(scope, key, publishers) if publishers else None
    notifiers = {
        d.spec.name: add_notifier(scope, config, d, code=code, bus=bus, table=table, topic=topic, key=key)
        for d in enabled
    }
    return NotifierResources(table, topic, notifiers)
