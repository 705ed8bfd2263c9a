"""Stack outputs the `regwatch` command reads (regwatch_cli/resources.py names the same keys).

The command finds every resource it needs from these outputs (`DescribeStacks`, or the
`cdk deploy --outputs-file` JSON), so it never guesses generated names. Destinations are
published generically as `Destination<Label>FunctionName|DlqUrl|RuleArn`: a new notifier
only adds one entry to the list the stack passes here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, CfnOutput
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import RegwatchConfig

# The id infra/events.py gives the bus archive (a child of the bus construct).
ARCHIVE_CONSTRUCT_ID = "EventArchive"


@dataclass(frozen=True)
class PublishedDestination:
    label: str  # `Slack`, `Sns`, …: the command lower-cases it (`regwatch dlq list --destination slack`)
    function: lambda_.IFunction
    dead_letter_queue: sqs.IQueue
    rule: events.IRule


def add_operator_outputs(
    scope: Construct,
    config: RegwatchConfig,
    *,
    bus: events.EventBus,
    snapshot_table: dynamodb.ITable,
    idempotency_table: dynamodb.ITable | None,
    scanner: lambda_.IFunction,
    scanner_dlq: sqs.IQueue,
    destinations: Sequence[PublishedDestination],
) -> None:
    def output(key: str, value: str, description: str) -> None:
        CfnOutput(scope, key, value=value, description=description)

    output("SnapshotTableName", snapshot_table.table_name, "regwatch status/history read it")
    if idempotency_table is not None:
        output("IdempotencyTableName", idempotency_table.table_name, "notifier idempotency records")
    output("EventSource", config.event_source, "source of every regwatch event")
    output(
        "MonitoredRegions",
        ",".join(config.monitored_regions) or Aws.REGION,
        "regions the scanner reads (comma-separated)",
    )
    archive = bus.node.try_find_child(ARCHIVE_CONSTRUCT_ID)
    if isinstance(archive, events.Archive):
        output("EventArchiveArn", archive.archive_arn, "regwatch replay starts replays from it")
    output(
        "ScannerFunctionName",
        scanner.function_name,
        "the scanner (regwatch dlq redrive --destination scanner)",
    )
    output("ScannerDlqUrl", scanner_dlq.queue_url, "the scanner's dead-letter queue")
    for destination in destinations:
        prefix = f"Destination{destination.label}"
        output(f"{prefix}FunctionName", destination.function.function_name, f"{destination.label} notifier")
        output(
            f"{prefix}DlqUrl",
            destination.dead_letter_queue.queue_url,
            f"{destination.label} dead-letter queue",
        )
        output(f"{prefix}RuleArn", destination.rule.rule_arn, f"{destination.label} routing rule")
