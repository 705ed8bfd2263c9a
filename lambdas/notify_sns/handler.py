"""SNS notifier: one contract-v1 event in, one SNS message out, once per eventId.

MESSAGE_FORMAT=text publishes a subject and plain text (email, SMS, pagers);
MESSAGE_FORMAT=chatbot publishes AWS Chatbot / Amazon Q Developer custom-notification JSON.
Both carry message attributes for subscription filter policies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from function_support.lazy import Lazy
from notify_common.flow import NotifierFlow, OncePerEvent
from notify_sns.settings import MessageFormat, SnsNotifierSettings
from regwatch.event_models import RegwatchEvent
from regwatch_alerts.render_chatbot import render_chatbot_notification
from regwatch_alerts.render_text import message_attributes, render_text_notification
from regwatch_aws.sns_publisher import SnsPublisher

DESTINATION = "sns"
IDEMPOTENCY_KEY_PREFIX = "regwatch-notify-sns"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
tracer = Tracer()
flow = NotifierFlow(DESTINATION, logger, metrics)


@dataclass(frozen=True)
class _Runtime:
    settings: SnsNotifierSettings
    delivery: OncePerEvent


def _publish(publisher: SnsPublisher, message_format: MessageFormat, notification: RegwatchEvent) -> str:
    if message_format is MessageFormat.CHATBOT:
        payload = render_chatbot_notification(notification)
        return publisher.publish(json.dumps(payload, ensure_ascii=False), message_attributes(notification))
    text = render_text_notification(notification)
    return publisher.publish(text.body, text.attributes, subject=text.subject)


def _build_runtime() -> _Runtime:
    settings = SnsNotifierSettings.from_environment()
    session = boto3.session.Session()
    sns = session.client("sns", region_name=settings.topic_region or None, config=_BOTO_CONFIG)
    publisher = SnsPublisher(sns, settings.topic_arn)

    def publish_to_sns(*, event: dict[str, Any], notification: RegwatchEvent) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            message_id = _publish(publisher, settings.message_format, notification)
            return {"messageId": message_id, "format": settings.message_format.value}

        return flow.delivered(notification, send)

    delivery = flow.once_per_event(
        publish_to_sns,
        dynamodb_client=session.client("dynamodb", config=_BOTO_CONFIG),
        table_name=settings.idempotency_table_name,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
    )
    return _Runtime(settings, delivery)


runtime = Lazy(_build_runtime)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    current = runtime.get()
    return flow.handle(event, context, current.settings.event_source, current.delivery)
