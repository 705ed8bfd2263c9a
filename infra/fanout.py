"""The fan-out: schedule → dispatcher → scan queue (one message per target) → scanner.

AWS's own engine does the parallel work: the scanner consumes the scan queue through a
Lambda SQS event source mapping with batch size 1, `MaximumConcurrency` =
`regwatch.maxScannerConcurrency` and partial batch responses; a message that keeps
failing goes to the scan queue's dead-letter queue (alarmed). Two scans of the same
target never overlap because each takes the target's lease in the snapshot table
(docs/scanner.md); different targets run side by side. docs/scanner.md says why this
and not Step Functions Map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import RegwatchConfig
from infra.functions import regwatch_function
from infra.nag import acknowledge
from infra.queues import dead_letter_queue
from infra.rule_targets import lambda_target
from regwatch_aws.organizations import ORGANIZATIONS_READ_ACTIONS

DISPATCHER_SERVICE_NAME = "regwatch-dispatcher"
# Lambda's guidance for SQS event sources: visibility timeout at least 6x the function timeout,
# so a message is not handed to a second scanner while the first may still be running.
VISIBILITY_TIMEOUT_FACTOR = 6
# A work item that failed this often (e.g. the snapshot table unreachable) is dead-lettered.
MAX_RECEIVE_COUNT = 3
DISPATCHER_TIMEOUT = Duration.seconds(120)
SCANNER_ROLE_NAME_PREFIX = "regwatch-scanner-"


def multi_account(config: RegwatchConfig) -> bool:
    return bool(config.accounts) or config.organization.enabled


def scanner_role_name(scope: Construct) -> str:
    """A fixed, per-region name: member accounts' spoke roles trust exactly this role ARN."""
    return f"{SCANNER_ROLE_NAME_PREFIX}{Stack.of(scope).region}"


def target_environment(config: RegwatchConfig) -> dict[str, str]:
    """The target settings both functions read (function_support/target_settings.py)."""
    if not multi_account(config):
        return {}
    environment = {
        "SPOKE_ROLE_NAME": config.spoke_role_name,
        "TARGET_ACCOUNTS": json.dumps(
            [account.model_dump(by_alias=True) for account in config.accounts], separators=(",", ":")
        ),
        "ORGANIZATION": json.dumps(
            {
                "enabled": config.organization.enabled,
                "ouIds": config.organization.ou_ids,
                "excludeAccounts": config.organization.exclude_accounts,
                "includeAccounts": config.organization.include_accounts,
            },
            separators=(",", ":"),
        ),
    }
    if config.external_id:
        environment["EXTERNAL_ID"] = config.external_id
    return environment


@dataclass(frozen=True)
class FanOutResources:
    dispatcher: lambda_.Function
    dispatcher_dead_letter_queue: sqs.Queue
    scan_queue: sqs.Queue
    scan_dead_letter_queue: sqs.Queue
    event_source: event_sources.SqsEventSource
    schedule_rule: events.Rule


def add_scan_queue(scope: Construct, config: RegwatchConfig) -> tuple[sqs.Queue, sqs.Queue]:
    dlq = dead_letter_queue(scope, "ScanQueueDlq")
    interval_seconds = config.heartbeat_minutes * 60
    queue = sqs.Queue(
        scope,
        "ScanQueue",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * config.scanner_timeout_seconds),
        # A work item older than two schedules is superseded by the next schedule's item.
        retention_period=Duration.seconds(min(14 * 86400, max(3600, 2 * interval_seconds))),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=MAX_RECEIVE_COUNT),
    )
    return queue, dlq


def add_fanout(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    scanner: lambda_.Function,
    table: dynamodb.ITable,
) -> FanOutResources:
    queue, scan_dlq = add_scan_queue(scope, config)
    dispatcher_dlq = dead_letter_queue(scope, "DispatcherDlq")
    environment = {
        "SCAN_QUEUE_URL": queue.queue_url,
        "SNAPSHOT_TABLE_NAME": table.table_name,
        "HEARTBEAT_MINUTES": str(config.heartbeat_minutes),
        "POWERTOOLS_SERVICE_NAME": DISPATCHER_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
        **target_environment(config),
    }
    if config.monitored_regions:
        environment["MONITORED_REGIONS"] = ",".join(config.monitored_regions)
    dispatcher = regwatch_function(
        scope,
        "Dispatcher",
        config=config,
        code=code,
        handler="dispatcher.handler.lambda_handler",
        description="regwatch dispatcher: one scan-queue message per target (account, region)",
        environment=environment,
        timeout=DISPATCHER_TIMEOUT,
        memory_mb=256,
        async_failure_queue=dispatcher_dlq,
    )
    dispatcher.add_to_role_policy(
        iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])
    )
    # The health gauges: one Query of the target-health partition.
    dispatcher.add_to_role_policy(
        iam.PolicyStatement(actions=["dynamodb:Query"], resources=[table.table_arn])
    )
    if config.organization.enabled:
        dispatcher.add_to_role_policy(
            iam.PolicyStatement(actions=list(ORGANIZATIONS_READ_ACTIONS), resources=["*"])
        )
        assert dispatcher.role is not None  # noqa: S101 - regwatch_function always passes a role
        acknowledge(
            dispatcher.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Organizations ListAccounts/ListAccountsForParent/ListChildren/DescribeAccount are read-only and "
            "authorized against '*' or resources of an organization whose id is only known at deploy time; "
            "X-Ray's PutTraceSegments/PutTelemetryRecords have no resource type.",
        )

    # The scanner: one target per invocation from the queue, at most maxScannerConcurrency at once.
    event_source = event_sources.SqsEventSource(
        queue,
        batch_size=1,
        max_concurrency=config.max_scanner_concurrency,
        report_batch_item_failures=True,
    )
    scanner.add_event_source(event_source)

    schedule_rule = events.Rule(
        scope,
        "ScanSchedule",
        description="regwatch: periodic fan-out of every target (the local demo replays this expression)",
        schedule=events.Schedule.expression(config.schedule),
    )
    schedule_rule.add_target(
        lambda_target(dispatcher, dispatcher_dlq, config)
    )
    return FanOutResources(dispatcher, dispatcher_dlq, queue, scan_dlq, event_source, schedule_rule)


def grant_assume_spoke_roles(scope: Construct, config: RegwatchConfig, scanner: lambda_.Function) -> None:
    """sts:AssumeRole on the spoke role name in any account, plus each configured roleArn."""
    if not multi_account(config):
        return
    stack = Stack.of(scope)
    resources = [f"arn:{stack.partition}:iam::*:role/{config.spoke_role_name}"]
    resources += sorted({account.role_arn for account in config.accounts if account.role_arn})
    scanner.add_to_role_policy(iam.PolicyStatement(actions=["sts:AssumeRole"], resources=resources))
    assert scanner.role is not None  # noqa: S101
    acknowledge(
        scanner.role,
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/{config.spoke_role_name}]",
        "The scanner assumes the read-only spoke role in every member account; accounts are discovered at "
        "run time (Organizations), so the account is a wildcard and the role name is fixed.",
    )


def add_member_event_rule(
    scope: Construct,
    config: RegwatchConfig,
    *,
    bus: events.EventBus,
    scanner: lambda_.Function,
    dlq: sqs.IQueue,
) -> events.Rule | None:
    """Member accounts forward aws.sms-voice status changes to the hub bus: allow them, rescan."""
    if not multi_account(config):
        return None
    if config.organization.enabled:
        assert config.organization.organization_id is not None  # noqa: S101 - validated in config
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid="MemberAccountsForwardStatusChanges",
                principals=[iam.AnyPrincipal()],
                actions=["events:PutEvents"],
                resources=[bus.event_bus_arn],
                conditions={
                    "StringEquals": {"aws:PrincipalOrgID": config.organization.organization_id},
                    "StringLike": {"events:source": ["aws.sms-voice"]},
                },
            )
        )
    else:
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid="ListedAccountsForwardStatusChanges",
                principals=[iam.AccountPrincipal(account.id) for account in config.accounts],
                actions=["events:PutEvents"],
                resources=[bus.event_bus_arn],
                conditions={"StringLike": {"events:source": ["aws.sms-voice"]}},
            )
        )
    rule = events.Rule(
        scope,
        "MemberStatusChangeRule",
        event_bus=bus,
        description="regwatch: status changes forwarded from member accounts trigger a targeted rescan",
        event_pattern=events.EventPattern(
            source=["aws.sms-voice"], detail_type=["Registration Status Change"]
        ),
    )
    rule.add_target(
        lambda_target(scanner, dlq, config)
    )
    return rule
