"""The local stack a benchmark run measures against: moto server, the SMS API emulator,
the snapshot tables, an event bus whose rule forwards regwatch's events to an SQS queue.

Both scanners reach AWS through the IAM gate (local/iam): regwatch's signs with the Scanner
function's key and is checked against the Scanner role of the synthesized template
(resolved with this stack's names, local.iam.named); the naive scanner is unrestricted, so
both pay the same loopback hop. `LocalStack.gate.summary()` reports denied calls.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from benchmarks import iam_gate
from local.iam.gate import IamGate
from regwatch_aws.planning_index import snapshot_table_request

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
SNAPSHOT_TABLE = "regwatch-bench-snapshots"
NAIVE_TABLE = "regwatch-bench-naive"
EVENT_BUS = "regwatch-bench"
EVENT_SOURCE = "regwatch.bench"
QUEUE = "regwatch-bench-events"
MOTO_SERVICES = ("DYNAMODB", "EVENTBRIDGE", "SNS", "SQS", "SECRETS_MANAGER", "STS", "CLOUDWATCH")


def fake_aws_environment() -> dict[str, str]:
    """Credentials and region that can only ever reach the local servers."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "regwatch-bench",
        "POWERTOOLS_SERVICE_NAME": "regwatch-bench",
    }


@dataclass
class LocalStack:
    moto_url: str
    emulator: Any  # local.emulator.EmulatorServer
    control: Any  # local.emulator.EmulatorControl
    queue_url: str
    gate: IamGate | None = None
    scanner_key: str = "testing"

    def endpoint_environment(self) -> dict[str, str]:
        environment = {f"AWS_ENDPOINT_URL_{service}": self.moto_url for service in MOTO_SERVICES}
        environment["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = self.emulator.url
        return environment

    def unrestricted(self, environment: dict[str, str]) -> dict[str, str]:
        """`environment` with the harness's own credentials (not a regwatch role): the naive scanner."""
        return {**environment, "AWS_ACCESS_KEY_ID": fake_aws_environment()["AWS_ACCESS_KEY_ID"]}

    def scanner_environment(self, reconcile_hours: float, api_calls_per_second: float) -> dict[str, str]:
        """What the scanner function gets in Lambda, pointed at the local servers (through the gate)."""
        gated = (
            {}
            if self.gate is None
            else {**self.gate.endpoint_environment(), "AWS_ACCESS_KEY_ID": self.scanner_key}
        )
        return {
            **fake_aws_environment(),
            **self.endpoint_environment(),
            **gated,
            "SNAPSHOT_TABLE_NAME": SNAPSHOT_TABLE,
            "EVENT_BUS_NAME": EVENT_BUS,
            "EVENT_SOURCE": EVENT_SOURCE,
            "MONITORED_REGIONS": REGION,
            "API_CALLS_PER_SECOND": str(api_calls_per_second),
            "RECONCILE_HOURS": str(reconcile_hours),
            "BASELINE_ALERTS": "none",
        }

    def reset_aws(self) -> None:
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(self.moto_url).netloc, timeout=30)
        try:
            connection.request("POST", "/moto-api/reset")
            connection.getresponse().read()
        finally:
            connection.close()
        self.queue_url = _create_resources()

    def drain_events(self) -> list[dict[str, Any]]:
        """Every event the rule forwarded since the last drain (the `detail` objects)."""
        sqs = boto3.client("sqs")
        details: list[dict[str, Any]] = []
        while True:
            page = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = page.get("Messages", [])
            if not messages:
                return details
            for message in messages:
                details.append(json.loads(message["Body"])["detail"])
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )


def _create_resources() -> str:
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**snapshot_table_request(SNAPSHOT_TABLE))
    dynamodb.update_time_to_live(
        TableName=SNAPSHOT_TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    dynamodb.create_table(
        TableName=NAIVE_TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    events = boto3.client("events")
    events.create_event_bus(Name=EVENT_BUS)
    events.put_rule(
        Name="regwatch-bench-all",
        EventBusName=EVENT_BUS,
        EventPattern=json.dumps({"source": [EVENT_SOURCE]}),
    )
    sqs = boto3.client("sqs")
    queue_url: str = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_targets(
        Rule="regwatch-bench-all", EventBusName=EVENT_BUS, Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    return queue_url


def start_gate(moto_url: str, emulator_url: str) -> tuple[IamGate, str]:
    """The gate with the Scanner role of the template, resolved with this stack's names;
    returns it and the key the regwatch scanner signs with."""
    names = {"SnapshotTable": SNAPSHOT_TABLE, "EventBus": EVENT_BUS}
    gate, keys = iam_gate.start_gate(
        moto_url, emulator_url, names, regions=[REGION], region=REGION, account=ACCOUNT_ID
    )
    return gate, keys[iam_gate.SCANNER_HANDLER]


@contextmanager
def local_stack() -> Iterator[LocalStack]:
    """Start moto and the emulator in this process; point this process's boto3 at them."""
    from moto.server import ThreadedMotoServer

    from local.emulator import EmulatorControl, EmulatorServer

    saved = dict(os.environ)
    os.environ.update(fake_aws_environment())
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    # werkzeug logs every request of moto's server; a benchmark makes millions.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    emulator = EmulatorServer.start(port=0)
    gate: IamGate | None = None
    try:
        moto_url = f"http://127.0.0.1:{_port(moto)}"
        gate, scanner_key = start_gate(moto_url, emulator.url)
        stack = LocalStack(
            moto_url=moto_url,
            emulator=emulator,
            control=EmulatorControl(emulator.url),
            queue_url="",
            gate=gate,
            scanner_key=scanner_key,
        )
        os.environ.update(stack.endpoint_environment())
        stack.queue_url = _create_resources()
        yield stack
    finally:
        if gate is not None:
            gate.stop()
        emulator.stop()
        moto.stop()
        os.environ.clear()
        os.environ.update(saved)


def _port(server: Any) -> int:
    assert server._server is not None, "moto server not started"
    return int(server._server.server_port)
