"""The one way a regwatch rule invokes a function: retries, maximum event age, dead-letter queue.

Every rule target of the stack (schedules, native events, notifier routes, digests) uses the
same retry policy from the configuration, so an event EventBridge gives up on always lands in
the function's DLQ (alarmed) instead of being dropped.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from infra.config import RegwatchConfig


def lambda_target(
    function: lambda_.IFunction, dead_letter_queue: sqs.IQueue, config: RegwatchConfig
) -> targets.LambdaFunction:
    return targets.LambdaFunction(
        function,
        dead_letter_queue=dead_letter_queue,
        retry_attempts=config.target_retry_attempts,
        max_event_age=Duration.hours(config.target_max_event_age_hours),
    )
