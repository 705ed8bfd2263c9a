"""The local-only taps on a provisioned stack, and what the runner reads back through them.

A queue on the bus sees every event; a queue subscribed to the SNS notifier's topic sees
every message; the local Slack server keeps every webhook payload. Neither queue is part
of the template: they only let the demo, the tests and the benchmarks watch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from local.provision import ProvisionedStack
from local.records import Notification
from local.stack_options import ACCOUNT_ID, REGION

EVENT_ID_IN_TEXT = re.compile(
    r"regwatch event ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
TAP_QUEUE = "local-tap-all-events"
SNS_INBOX_QUEUE = "local-sns-inbox"


@dataclass(frozen=True, slots=True)
class Taps:
    bus_name: str
    tap_url: str
    sns_inbox_url: str | None  # None when no SNS notifier is configured


def add_taps(stack: ProvisionedStack, sqs: Any, sns: Any, events: Any) -> Taps:
    bus = stack.of_type("AWS::Events::EventBus")[0].ref
    tap_url = sqs.create_queue(QueueName=TAP_QUEUE)["QueueUrl"]
    events.put_rule(
        Name=TAP_QUEUE,
        EventBusName=bus,
        EventPattern=json.dumps({"source": [{"prefix": ""}]}),
    )
    events.put_targets(
        Rule=TAP_QUEUE,
        EventBusName=bus,
        Targets=[{"Id": "tap", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{TAP_QUEUE}"}],
    )
    sns_inbox_url: str | None = None
    sns_notifier = [f for f in stack.functions.values() if f.environment.get("DESTINATION") == "sns"]
    if sns_notifier and "NOTIFICATION_TOPIC_ARN" in sns_notifier[0].environment:
        # The topic the SNS notifier publishes to, as the template wires it.
        topic_arn = sns_notifier[0].environment["NOTIFICATION_TOPIC_ARN"]
        sns_inbox_url = sqs.create_queue(QueueName=SNS_INBOX_QUEUE)["QueueUrl"]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{SNS_INBOX_QUEUE}",
        )
    return Taps(bus, tap_url, sns_inbox_url)


def drain_queue(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = response.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def slack_notification(payload: dict[str, Any]) -> Notification:
    """One webhook payload the local Slack server received."""
    match = EVENT_ID_IN_TEXT.search(json.dumps(payload))
    return Notification("slack", match.group(1) if match else None, str(payload.get("text", "")), payload)


def sns_notification(envelope: dict[str, Any]) -> Notification:
    """One SNS envelope from the inbox queue."""
    message = str(envelope.get("Message", ""))
    match = EVENT_ID_IN_TEXT.search(message)
    return Notification("sns", match.group(1) if match else None, message, envelope)
