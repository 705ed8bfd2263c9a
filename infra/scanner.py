"""The scanner: snapshot table, function, schedule, and the rescan rule for AWS's native events."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import RegwatchConfig
from infra.fanout import grant_assume_spoke_roles, multi_account, scanner_role_name, target_environment
from infra.functions import regwatch_function
from infra.nag import acknowledge
from infra.queues import dead_letter_queue
from infra.rule_targets import lambda_target
from regwatch_aws.sms_actions import (
    LIST_REGISTRATIONS_ACTION,
    MESSAGING_READ_ACTIONS,
    REGISTRATION_READ_ACTIONS,
)

SCANNER_SERVICE_NAME = "regwatch-scanner"
# AWS's own event for registration status changes (best effort, registration level only).
NATIVE_EVENT_SOURCE = "aws.sms-voice"
NATIVE_EVENT_DETAIL_TYPE = "Registration Status Change"
# What the scanner does with its snapshot table (regwatch_aws/snapshot_store.py).
SNAPSHOT_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem")


@dataclass(frozen=True)
class ScannerResources:
    function: lambda_.Function
    table: dynamodb.Table
    native_event_rule: events.Rule
    dead_letter_queue: sqs.Queue


def add_snapshot_table(scope: Construct) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        "SnapshotTable",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute="expiresAt",
    )


def scanner_environment(config: RegwatchConfig, table_name: str, bus_name: str) -> dict[str, str]:
    environment = {
        "SNAPSHOT_TABLE_NAME": table_name,
        "EVENT_BUS_NAME": bus_name,
        "EVENT_SOURCE": config.event_source,
        "API_CALLS_PER_SECOND": f"{config.api_calls_per_second:g}",
        "RECONCILE_HOURS": str(config.reconcile_hours),
        "FULL_LISTING_MINUTES": str(config.full_listing_minutes),
        "NATIVE_EVENT_WINDOW_HOURS": str(config.native_event_window_hours),
        "BASELINE_ALERTS": config.baseline_alerts,
        "DELETION_GUARD_PERCENT": f"{config.deletion_guard_percent:g}",
        "DELETION_GUARD_COUNT": str(config.deletion_guard_count),
        "POWERTOOLS_SERVICE_NAME": SCANNER_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
    }
    if config.monitored_regions:
        # Unset means "the function's own AWS_REGION" (the scanner's default).
        environment["MONITORED_REGIONS"] = ",".join(config.monitored_regions)
    return {**environment, **target_environment(config)}


def add_scanner(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
) -> ScannerResources:
    table = add_snapshot_table(scope)
    dlq = dead_letter_queue(scope, "ScannerDlq")
    function = regwatch_function(
        scope,
        "Scanner",
        config=config,
        code=code,
        handler="scanner.handler.lambda_handler",
        description="regwatch scanner: registration versions -> transitions -> EventBridge",
        environment=scanner_environment(config, table.table_name, bus.event_bus_name),
        # 10,000 registrations at ~1 call/s take hours: each run works until its time budget is
        # spent, saves its cursor and the next run resumes, so the longest timeout is the most work
        # per invocation. 512 MB: snapshots of a page of versions fit easily; more memory buys
        # nothing while the scan is bound by the API rate.
        timeout=Duration.seconds(config.scanner_timeout_seconds),
        memory_mb=config.scanner_memory_mb,
        # No reserved concurrency: targets run in parallel up to the scan queue's
        # MaximumConcurrency (infra/fanout.py); the lease of each target keeps two scans of the
        # same target apart. The native-event rescan takes no lease: its writes are conditional.
        async_failure_queue=dlq,
        role_name=scanner_role_name(scope) if multi_account(config) else None,
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(SNAPSHOT_TABLE_ACTIONS), resources=[table.table_arn])
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
    )
    # Listing registrations is not scoped to a resource (IAM evaluates it against "*");
    # reading a registration's versions is, so that one is limited to registrations in the
    # monitored regions of this account.
    list_statement = iam.PolicyStatement(
        actions=[LIST_REGISTRATIONS_ACTION, *MESSAGING_READ_ACTIONS], resources=["*"]
    )
    function.add_to_role_policy(list_statement)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=list(REGISTRATION_READ_ACTIONS), resources=registration_arns(scope, config)
        )
    )
    assert function.role is not None  # noqa: S101 - regwatch_function always passes a role
    acknowledge(
        function.role,
        "AwsSolutions-IAM5[Resource::*]",
        "sms-voice:DescribeRegistrations lists every registration of the account and region and is "
        "authorized against '*' (so are the RCS agent / Notify configuration listings); X-Ray's "
        "PutTraceSegments/PutTelemetryRecords have no resource type.",
    )
    for region in config.monitored_regions or ["<AWS::Region>"]:
        acknowledge(
            function.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:{region}:<AWS::AccountId>:registration/*]",
            "Reading versions (and, on a change, field values, tags, associations) is needed for every "
            "registration of the account in a monitored region; the set of registrations is dynamic "
            "(created in the console), so no fixed ARN list exists.",
        )

    native_rule = events.Rule(
        scope,
        "NativeStatusChangeRule",
        description="regwatch: AWS's own registration status event triggers a targeted rescan",
        event_pattern=events.EventPattern(
            source=[NATIVE_EVENT_SOURCE], detail_type=[NATIVE_EVENT_DETAIL_TYPE]
        ),
    )
    native_rule.add_target(lambda_target(function, dlq, config))
    grant_assume_spoke_roles(scope, config, function)
    return ScannerResources(function, table, native_rule, dlq)


def registration_arns(scope: Construct, config: RegwatchConfig) -> list[str]:
    """Registration ARNs in every monitored region of this account (the Describe* resource type)."""
    stack = Stack.of(scope)
    regions = config.monitored_regions or [stack.region]
    return [
        stack.format_arn(service="sms-voice", region=region, resource="registration", resource_name="*")
        for region in regions
    ]
