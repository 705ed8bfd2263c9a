"""Queues, topics and subscriptions of the template, created on moto."""

from __future__ import annotations

import json
from typing import Any

from local.provision.template import Physical, TemplateResolver

_QUEUE_ATTRIBUTES = (
    "MessageRetentionPeriod",
    "VisibilityTimeout",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
)


def create_queues(stack: TemplateResolver, sqs: Any) -> None:
    # Dead-letter queues first: a queue's RedrivePolicy names its DLQ's ARN.
    queues = sorted(
        stack.of_type("AWS::SQS::Queue"),
        key=lambda item: "RedrivePolicy" in item[1].get("Properties", {}),
    )
    for logical_id, definition in queues:
        props = definition.get("Properties", {})
        fifo = bool(props.get("FifoQueue"))
        name = stack.name(logical_id, props.get("QueueName"), 80, ".fifo" if fifo else "")
        attributes: dict[str, str] = {}
        for key in _QUEUE_ATTRIBUTES:
            if key in props:
                attributes[key] = str(stack.resolve(props[key]))
        if fifo:
            attributes["FifoQueue"] = "true"
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(stack.resolve(props["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = stack.arn("sqs", name)
        stack.resources[logical_id] = Physical(
            logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url}
        )


def create_topics(stack: TemplateResolver, sns: Any) -> None:
    for logical_id, definition in stack.of_type("AWS::SNS::Topic"):
        props = definition.get("Properties", {})
        fifo = bool(props.get("FifoTopic"))
        name = stack.name(logical_id, props.get("TopicName"), 256, ".fifo" if fifo else "")
        attributes = {"FifoTopic": "true"} if fifo else {}
        if "DisplayName" in props:
            attributes["DisplayName"] = str(stack.resolve(props["DisplayName"]))
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        stack.resources[logical_id] = Physical(
            logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name}
        )


def subscribe(stack: TemplateResolver, sns: Any) -> None:
    for logical_id, definition in stack.of_type("AWS::SNS::Subscription"):
        props = stack.resolve(definition.get("Properties", {}))
        if props.get("Protocol") not in ("sqs", "http", "https"):
            # Email/SMS/Lambda endpoints are outside the local stack; the demo reads an SQS inbox.
            continue
        attributes = {
            key: json.dumps(props[key]) if isinstance(props[key], dict) else str(props[key])
            for key in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery")
            if key in props
        }
        arn = sns.subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            Attributes=attributes,
        )["SubscriptionArn"]
        stack.resources[logical_id] = Physical(logical_id, "AWS::SNS::Subscription", arn)
