"""The evaluator: an hourly (configurable) function that turns deadlines in the snapshot
into reminder events. It reads and updates the snapshot table and puts events on the bus;
it makes no SMS API call, so it has no sms-voice permission.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import RegwatchConfig
from infra.functions import regwatch_function
from infra.queues import dead_letter_queue
from infra.rule_targets import lambda_target

EVALUATOR_SERVICE_NAME = "regwatch-evaluator"
# Scan (every registration item), GetItem (re-read after a conflict; the day's digest
# record), UpdateItem (sent reminders), PutItem (the day's digest record, conditional).
EVALUATOR_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem")


@dataclass(frozen=True)
class EvaluatorResources:
    function: lambda_.Function
    schedule_rule: events.Rule
    dead_letter_queue: sqs.Queue


def reminder_settings(config: RegwatchConfig) -> str:
    """The evaluator's REMINDER_SETTINGS (parsed again, with the same rules, by the function)."""
    return json.dumps(
        {
            "authLinkWarning": config.reminder_auth_link_warning,
            "resendWindowWarning": config.reminder_resend_window_warning,
            "draftForgottenAfter": config.reminder_draft_forgotten_after,
            "reviewExpected": config.reminder_review_expected,
            "reviewExpectedDefault": config.reminder_review_expected_default,
        },
        sort_keys=True,
    )


def add_evaluator(
    scope: Construct,
    config: RegwatchConfig,
    *,
    code: lambda_.Code,
    bus: events.IEventBus,
    table: dynamodb.ITable,
) -> EvaluatorResources:
    dlq = dead_letter_queue(scope, "EvaluatorDlq")
    function = regwatch_function(
        scope,
        "Evaluator",
        config=config,
        code=code,
        handler="evaluator.handler.lambda_handler",
        description="regwatch evaluator: snapshot deadlines -> reminder events (no SMS API calls)",
        environment={
            "SNAPSHOT_TABLE_NAME": table.table_name,
            "EVENT_BUS_NAME": bus.event_bus_name,
            "EVENT_SOURCE": config.event_source,
            "REMINDER_SETTINGS": reminder_settings(config),
            "DIGEST_TIME": config.digest_time or "",
            "DIGEST_TIMEZONE": config.digest_timezone,
            "POWERTOOLS_SERVICE_NAME": EVALUATOR_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
        },
        timeout=Duration.minutes(5),
        memory_mb=config.notifier_memory_mb,
        # One evaluation at a time: two would race on the same records (safe, but wasteful).
        reserved_concurrency=1,
        async_failure_queue=dlq,
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=list(EVALUATOR_TABLE_ACTIONS), resources=[table.table_arn])
    )
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
    )
    rule = events.Rule(
        scope,
        "EvaluatorSchedule",
        description="regwatch: deadline reminders (its own schedule, independent of the scans)",
        schedule=events.Schedule.expression(config.evaluator_schedule),
    )
    rule.add_target(
        lambda_target(function, dlq, config)
    )
    return EvaluatorResources(function, rule, dlq)
