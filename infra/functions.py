"""One regwatch function: own role, own log group, JSON logs, X-Ray, the shared bundle.

Each function gets a dedicated role without AWS managed policies: log writing is granted on
its own log group only, and every other permission is added by the construct that wires the
function to a table, bus, topic or secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.bundling import ARCHITECTURE, RUNTIME
from infra.config import RegwatchConfig
from infra.nag import acknowledge
from infra.setting_types import LOG_RETENTION_DAYS


def regwatch_function(
    scope: Construct,
    construct_id: str,
    *,
    config: RegwatchConfig,
    code: lambda_.Code,
    handler: str,
    description: str,
    environment: Mapping[str, str],
    timeout: Duration,
    memory_mb: int,
    reserved_concurrency: int | None = None,
    async_failure_queue: sqs.IQueue | None = None,
    role_name: str | None = None,
) -> lambda_.Function:
    """A function at `scope/<construct_id>` with its role and log group as siblings."""
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        retention=retention_days(config.log_retention_days),
        removal_policy=RemovalPolicy.DESTROY,
    )
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"regwatch {construct_id}: only what this function calls",
        role_name=role_name,
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        )
    )
    function = lambda_.Function(
        scope,
        construct_id,
        code=code,
        handler=handler,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        description=description,
        role=role,
        timeout=timeout,
        memory_size=memory_mb,
        reserved_concurrent_executions=reserved_concurrency,
        environment=dict(environment),
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
        application_log_level_v2=lambda_.ApplicationLogLevel(config.log_level),
        system_log_level_v2=lambda_.SystemLogLevel.WARN,
        tracing=lambda_.Tracing.ACTIVE,
        dead_letter_queue_enabled=async_failure_queue is not None or None,
        dead_letter_queue=async_failure_queue,
    )
    acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "X-Ray PutTraceSegments/PutTelemetryRecords (added by Tracing.ACTIVE) do not support "
        "resource-level permissions; AWS documents Resource '*' for them.",
    )
    acknowledge(
        function,
        "AwsSolutions-L1",
        "Runtime pinned to python3.12 (infra/bundling.py) by the project rule: 3.13 would still not be the "
        "newest enum member (3.14), and the bundle's wheels are fetched and import-tested for exactly the "
        "pinned interpreter. Moving up is a one-line change plus the bundle import test.",
    )
    return function


def retention_days(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a number of days (members are named, not numbered)."""
    # LOG_RETENTION_DAYS lists the periods in the same order as the enum's finite members.
    by_days = dict(
        zip(LOG_RETENTION_DAYS, [m for m in logs.RetentionDays if m.name != "INFINITE"], strict=True)
    )
    return by_days[days]
