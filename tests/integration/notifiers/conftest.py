"""Notifier fixtures: moto server (Secrets Manager, SNS, SQS, DynamoDB) and a local
Slack-compatible webhook server, both over real sockets; the handlers run for real.
"""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from local.slack_webhook import SlackWebhookServer
from notifier import handler as notifier_handler

IDEMPOTENCY_TABLE = "regwatch-idempotency"
SECRET_NAME = "regwatch/slack-webhook"


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context object."""

    function_name: str = "regwatch-notifier-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:regwatch-notifier-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture(scope="session")
def slack_server() -> Iterator[SlackWebhookServer]:
    server = SlackWebhookServer.start(port=0)
    yield server
    server.stop()


@pytest.fixture
def slack(slack_server: SlackWebhookServer) -> SlackWebhookServer:
    slack_server.clear()
    return slack_server


@pytest.fixture
def idempotency_table(aws: str) -> str:
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=IDEMPOTENCY_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=IDEMPOTENCY_TABLE,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    return IDEMPOTENCY_TABLE


def create_secret(value: str, name: str = SECRET_NAME) -> str:
    return str(boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"])


@dataclass
class CapturedLogs:
    """What Lambda would print: Python logging at INFO (Lambda's default level) from any
    logger, DEBUG from the handler's and slack_sdk's loggers, plus stdout/stderr.

    botocore's own DEBUG wire log prints every API response, secrets included; that is
    the SDK's, documented in docs/notifications.md, and not enabled by regwatch.
    """

    stream: io.StringIO

    def text(self, capsys: pytest.CaptureFixture[str]) -> str:
        out = capsys.readouterr()
        return self.stream.getvalue() + out.out + out.err


@pytest.fixture
def captured_logs() -> Iterator[CapturedLogs]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    # Powertools loggers do not propagate to root: attach to them by name as well.
    names = ["", "notifier", "service_undefined", "slack_sdk", "urllib3"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    logging.getLogger().setLevel(logging.INFO)
    yield CapturedLogs(stream)
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def emitted_metrics(output: str) -> dict[str, float]:
    """Sum the CloudWatch EMF metrics Powertools printed to stdout."""
    totals: dict[str, float] = {}
    for raw_line in output.splitlines():
        line = raw_line.strip()
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        document: dict[str, Any] = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                values = value if isinstance(value, list) else [value]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(values)
    return totals


@pytest.fixture(autouse=True)
def fresh_metrics() -> None:
    """Start each test with an empty Powertools metric set.

    Powertools keeps metrics in state shared by every `Metrics()` of a process until a flush;
    another suite in the same worker (e.g. one that runs with POWERTOOLS_METRICS_DISABLED,
    which skips flushes) would otherwise leak its counts into these assertions.
    """
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()
    # pytest imports this conftest (and the handler's module-level Metrics) before the root
    # conftest's pytest_configure sets POWERTOOLS_METRICS_NAMESPACE when a path below this
    # folder is given: the namespace was then None and every flush failed.
    if notifier_handler.metrics.namespace is None:
        notifier_handler.metrics.namespace = os.environ["POWERTOOLS_METRICS_NAMESPACE"]


@contextmanager
def generic_notifier(
    monkeypatch: pytest.MonkeyPatch,
    *,
    destination: str,
    secret: tuple[str, str, str],
    settings: dict[str, str],
    idempotency_table: str,
) -> Iterator[None]:
    """The generic notifier (lambdas/notifier) configured for `destination`: its secret
    (`(environment variable, secret name, value)`) in moto Secrets Manager, its settings in
    the environment, and a fresh execution environment before and after."""
    variable, name, value = secret
    environment = {
        "DESTINATION": destination,
        variable: create_secret(value, name=name),
        "IDEMPOTENCY_TABLE_NAME": idempotency_table,
        **settings,
    }
    for key, setting in environment.items():
        monkeypatch.setenv(key, setting)
    monkeypatch.delenv("EVENT_SOURCE", raising=False)
    notifier_handler.runtime.reset()
    parameters.clear_caches()
    yield
    notifier_handler.runtime.reset()


def invoke_notifier(event: dict[str, Any]) -> dict[str, Any]:
    """One invocation of the generic notifier, as Lambda would make it."""
    return notifier_handler.lambda_handler(event, FakeLambdaContext())
