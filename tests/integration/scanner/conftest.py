"""Scanner fixtures: the SMS API emulator and moto (DynamoDB, EventBridge bus -> rule ->
SQS, the scan queue) over real sockets. The handlers run for real with their real adapters;
a schedule is what AWS runs: the dispatcher queues one work item per target, the scan queue
is drained into the scanner (local.fanout, as Lambda's event source mapping); published
events are read back from the SQS queue the rule targets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from dispatcher.dependencies import get_dependencies as dispatcher_dependencies

from local.fanout import EventSourceMapping
from local.lambda_events import scheduled_event
from local.schedule import merge_summaries
from scanner.dependencies import get_dependencies
from tests.integration.snapshot_table import create_snapshot_table

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
TABLE = "regwatch-snapshots"
BUS = "regwatch-test-bus"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:regwatch-scanner"
DISPATCHER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:regwatch-dispatcher"


@dataclass
class FakeLambdaContext:
    """The attributes Powertools and the scanner read from the Lambda context object.

    `remaining_ms` may be a callable, so a test can make the remaining time shrink.
    """

    remaining_ms: int | Callable[[], int] = 300_000
    function_name: str = "regwatch-scanner"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms() if callable(self.remaining_ms) else self.remaining_ms


def status_change_event(
    registration_id: str, status: str = "REQUIRES_UPDATES", region: str = REGION
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Registration Status Change",
        "source": "aws.sms-voice",
        "account": ACCOUNT_ID,
        "time": "2026-11-23T12:00:00Z",
        "region": region,
        "resources": [],
        "detail": {
            "registrationDetails": {
                "registrationId": registration_id,
                "registrationVersionNumber": 1,
                "registrationType": "US_TEN_DLC_BRAND_REGISTRATION",
                "registrationStatusChangeTimestamp": 1_763_900_000_000,
                "currentStatus": status,
            },
            "registrationArn": f"arn:aws:sms-voice:{region}:{ACCOUNT_ID}:registration/{registration_id}",
        },
    }


@dataclass
class ScannerWorld:
    control: Any  # local.emulator.EmulatorControl
    sms: Any  # boto3 pinpoint-sms-voice-v2 client on the emulator (to act like a user)
    dynamodb: Any
    sqs: Any
    queue_url: str
    monkeypatch: pytest.MonkeyPatch
    scan_queue_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    failed_work_items: int = 0

    def configure(self, **env: str) -> None:
        """Change the functions' environment variables; the next invocation re-reads them."""
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        get_dependencies.cache_clear()
        dispatcher_dependencies.cache_clear()

    def invoke(self, event: dict[str, Any] | None = None, context: FakeLambdaContext | None = None) -> Any:
        """The scanner with `event` (a native event), or without one a whole schedule."""
        from scanner.handler import lambda_handler

        if event is None:
            return self.schedule(context)
        return lambda_handler(event, context or FakeLambdaContext())

    def schedule(self, context: FakeLambdaContext | None = None) -> dict[str, Any]:
        """One schedule as deployed: dispatcher → scan queue → scanner, one invocation per
        target; the targets' summaries merged (local.schedule.merge_summaries)."""
        from dispatcher.handler import lambda_handler as dispatch

        from scanner.handler import lambda_handler

        dispatch(scheduled_event(REGION), FakeLambdaContext(invoked_function_arn=DISPATCHER_ARN))
        results = EventSourceMapping(
            self.sqs,
            self.scan_queue_url,
            [lambda event: lambda_handler(event, context or FakeLambdaContext())],
            region=REGION,
        ).drain()
        self.failed_work_items += results.failed
        return merge_summaries([scan for result in results.results for scan in result.get("scans", [])])

    def drain(self) -> list[dict[str, Any]]:
        """Events the bus delivered since the last drain (full EventBridge envelopes)."""
        new: list[dict[str, Any]] = []
        while True:
            response = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                new.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.received.extend(new)
        return new

    def details(self) -> list[dict[str, Any]]:
        return [event["detail"] for event in self.drain()]

    def snapshot_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        paginator = self.dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=TABLE):
            items.extend(page["Items"])
        return items

    def create_registration(self, registration_type: str = "US_TEN_DLC_BRAND_REGISTRATION") -> str:
        return str(self.sms.create_registration(RegistrationType=registration_type)["RegistrationId"])


@pytest.fixture
def world(aws: str, emulator_control: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScannerWorld]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_snapshot_table(dynamodb, TABLE)
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name=BUS)
    queue_url = sqs.create_queue(QueueName="regwatch-scanner-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="all-regwatch-events", EventBusName=BUS, EventPattern=json.dumps({"source": ["regwatch"]})
    )
    events.put_targets(
        Rule="all-regwatch-events", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    scan_queue_url = sqs.create_queue(QueueName="regwatch-scan-queue")["QueueUrl"]

    for name, value in {
        "SNAPSHOT_TABLE_NAME": TABLE,
        "EVENT_BUS_NAME": BUS,
        "EVENT_SOURCE": "regwatch",
        "MONITORED_REGIONS": REGION,
        # The emulator has no quota unless a test sets one; keep the suite fast.
        "API_CALLS_PER_SECOND": "200",
        "BASELINE_ALERTS": "actionable",
        "POWERTOOLS_SERVICE_NAME": "regwatch-scanner",
        "SCAN_QUEUE_URL": scan_queue_url,
        "HEARTBEAT_MINUTES": "5",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("RECONCILE_HOURS", "TARGET_ACCOUNTS", "ORGANIZATION", "SPOKE_ROLE_NAME"):
        monkeypatch.delenv(name, raising=False)
    get_dependencies.cache_clear()
    dispatcher_dependencies.cache_clear()
    sms = boto3.client("pinpoint-sms-voice-v2", region_name=REGION)
    yield ScannerWorld(emulator_control, sms, dynamodb, sqs, queue_url, monkeypatch, scan_queue_url)
    get_dependencies.cache_clear()
    dispatcher_dependencies.cache_clear()


def emf_metrics(output: str) -> dict[str, float]:
    """The metric values of the Powertools EMF blobs printed to stdout."""
    values: dict[str, float] = {}
    for line in output.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for definition in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                name = definition["Name"]
                value = blob[name]
                values[name] = float(sum(value) if isinstance(value, list) else value)
    return values
