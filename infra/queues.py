"""Dead-letter queues: where an event lands when a target or function keeps failing."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge


def dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        # The longest SQS allows: failed events wait for a human (the DLQ alarm fires at once).
        retention_period=Duration.days(14),
    )
    acknowledge(
        queue,
        "AwsSolutions-SQS3",
        "This queue is itself a dead-letter queue (terminal store for failed deliveries, alarmed on); "
        "a DLQ of a DLQ would only move the same messages further from the alarm.",
    )
    return queue
