"""Organization-scale fixtures, all over real sockets: moto server (Organizations, STS, SQS,
DynamoDB, EventBridge) and the multi-account SMS API emulator.

The dispatcher and the scanner handlers run for real with their real adapters; the scan
queue is drained by local.fanout (what Lambda's SQS event source mapping does); the
scanner reaches member accounts with credentials from moto STS AssumeRole, which the
emulator attributes to the role's account. moto does not enforce trust policies, so a
refused AssumeRole is simulated on the scanner's own STS client with a botocore
before-send hook answering STS's AccessDenied, exactly as STS would.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from dispatcher.dependencies import get_dependencies as dispatcher_dependencies

from local.fanout import EventSourceMapping, MappingStats
from local.lambda_events import scheduled_event
from scanner.dependencies import get_dependencies as scanner_dependencies
from tests.integration.scanner.conftest import BUS, TABLE, FakeLambdaContext
from tests.integration.snapshot_table import create_snapshot_table

REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
HUB = "123456789012"
ROLE_NAME = "regwatch-spoke-reader"
DISPATCHER_ARN = f"arn:aws:lambda:{REGION}:{HUB}:function:regwatch-dispatcher"


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def sts_access_denied(role_arn: str) -> AWSResponse:
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        f"<Message>User: arn:aws:sts::{HUB}:assumed-role/regwatch-scanner/x is not authorized to perform: "
        f"sts:AssumeRole on resource: {role_arn}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
    return AWSResponse("https://sts.invalid/", 403, {"Content-Type": "text/xml"}, _Body(body))


@dataclass
class Organization:
    client: Any
    root: str
    ous: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # name -> id

    def ou(self, name: str, parent: str | None = None) -> str:
        ou_id = self.client.create_organizational_unit(ParentId=parent or self.root, Name=name)[
            "OrganizationalUnit"
        ]["Id"]
        self.ous[name] = ou_id
        return str(ou_id)

    def account(self, name: str, ou: str | None = None) -> str:
        created = self.client.create_account(Email=f"{name}@example.com", AccountName=name)[
            "CreateAccountStatus"
        ]
        account_id = str(created["AccountId"])
        if ou is not None:
            self.client.move_account(AccountId=account_id, SourceParentId=self.root, DestinationParentId=ou)
        self.accounts[name] = account_id
        return account_id


@dataclass
class OrgWorld:
    control: Any
    sqs: Any
    dynamodb: Any
    monkeypatch: pytest.MonkeyPatch
    scan_queue_url: str
    tap_url: str
    denied_roles: set[str] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    _org: Organization | None = None

    # ---- configuration ------------------------------------------------------------------

    def configure(self, **env: str) -> None:
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        dispatcher_dependencies.cache_clear()
        scanner_dependencies.cache_clear()

    def organization(self) -> Organization:
        if self._org is None:
            client = boto3.client("organizations", region_name=REGION)
            client.create_organization(FeatureSet="ALL")
            self._org = Organization(client, client.list_roots()["Roots"][0]["Id"])
        return self._org

    def deny_assume_role(self, account_id: str) -> None:
        self.denied_roles.add(f"arn:aws:iam::{account_id}:role/{ROLE_NAME}")

    def refuse_organizations(self, code: str) -> None:
        """Every Organizations call of the dispatcher answers `code` (JSON 1.1 error shape)."""
        directory = dispatcher_dependencies().directory
        assert directory is not None, "organization mode is off"

        def refuse(request: Any, **_: Any) -> AWSResponse:
            body = json.dumps(
                {"__type": code, "Message": "You don't have permissions to access this resource."}
            )
            headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
            return AWSResponse("https://organizations.invalid/", 400, headers, _Body(body.encode()))

        directory.client.meta.events.register(
            "before-send.organizations", refuse, unique_id="org-world-refuse"
        )

    def _install_sts_hook(self) -> None:
        sts = scanner_dependencies().credentials.client

        def refuse(request: Any, **_: Any) -> AWSResponse | None:
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
            role = urllib.parse.parse_qs(body).get("RoleArn", [""])[0]
            return sts_access_denied(role) if role in self.denied_roles else None

        sts.meta.events.register("before-send.sts.AssumeRole", refuse, unique_id="org-world-deny")

    # ---- what the schedule, the queue and EventBridge do ---------------------------------

    def dispatch(self) -> dict[str, Any]:
        from dispatcher.handler import lambda_handler

        return lambda_handler(  # type: ignore[no-any-return]
            scheduled_event(REGION), FakeLambdaContext(invoked_function_arn=DISPATCHER_ARN)
        )

    def scanner_invoke(self, event: dict[str, Any], remaining_ms: int | Callable[[], int] = 300_000) -> Any:
        from scanner.handler import lambda_handler

        self._install_sts_hook()
        return lambda_handler(event, FakeLambdaContext(remaining_ms=remaining_ms))

    def drain_scan_queue(self, concurrency: int = 1) -> MappingStats:
        mapping = EventSourceMapping(
            self.sqs, self.scan_queue_url, [self.scanner_invoke] * concurrency, region=REGION
        )
        return mapping.drain()

    def schedule(self) -> list[dict[str, Any]]:
        """One schedule: dispatcher, then every queued target; returns the events published."""
        self.dispatch()
        stats = self.drain_scan_queue()
        assert stats.failed == 0, stats.results
        return self.drain_events()

    def queued_targets(self) -> list[tuple[str, str]]:
        found = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.scan_queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return sorted(found)
            for message in messages:
                body = json.loads(message["Body"])
                found.append((body["accountId"], body["region"]))
                self.sqs.delete_message(QueueUrl=self.scan_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def drain_events(self) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                break
            for message in messages:
                new.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.tap_url, ReceiptHandle=message["ReceiptHandle"])
        self.events.extend(new)
        return new

    def health_items(self) -> dict[str, dict[str, Any]]:
        response = self.dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "TARGET#HEALTH"}},
        )
        return {item["sk"]["S"]: item for item in response["Items"]}


@pytest.fixture
def org_world(aws: str, emulator_control: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[OrgWorld]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_snapshot_table(dynamodb, TABLE)
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name=BUS)
    scan_queue_url = sqs.create_queue(QueueName="regwatch-scan-queue")["QueueUrl"]
    tap_url = sqs.create_queue(QueueName="regwatch-events-tap")["QueueUrl"]
    events.put_rule(Name="tap", EventBusName=BUS, EventPattern=json.dumps({"source": ["regwatch"]}))
    events.put_targets(
        Rule="tap",
        EventBusName=BUS,
        Targets=[{"Id": "tap", "Arn": f"arn:aws:sqs:{REGION}:{HUB}:regwatch-events-tap"}],
    )
    world = OrgWorld(emulator_control, sqs, dynamodb, monkeypatch, scan_queue_url, tap_url)
    world.configure(
        SNAPSHOT_TABLE_NAME=TABLE,
        EVENT_BUS_NAME=BUS,
        EVENT_SOURCE="regwatch",
        MONITORED_REGIONS=REGION,
        API_CALLS_PER_SECOND="200",
        BASELINE_ALERTS="all",
        POWERTOOLS_SERVICE_NAME="regwatch-tests",
        SCAN_QUEUE_URL=scan_queue_url,
        HEARTBEAT_MINUTES="5",
        SPOKE_ROLE_NAME=ROLE_NAME,
    )
    for name in ("TARGET_ACCOUNTS", "ORGANIZATION", "EXTERNAL_ID", "RECONCILE_HOURS"):
        monkeypatch.delenv(name, raising=False)
    yield world
    dispatcher_dependencies.cache_clear()
    scanner_dependencies.cache_clear()
