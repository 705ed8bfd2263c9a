"""SNS notifier: one contract-v1 event in, one SNS message out, once per eventId.

MESSAGE_FORMAT=text publishes a subject and plain text (email, SMS, pagers);
MESSAGE_FORMAT=chatbot publishes AWS Chatbot / Amazon Q Developer custom-notification JSON.
Both carry message attributes for subscription filter policies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from notify_sns.settings import MessageFormat, SnsNotifierSettings
from regwatch import notification_metrics as names
from regwatch.adapters.idempotency import deliver_once
from regwatch.adapters.sns_publisher import SnsPublisher
from regwatch.event_models import RegwatchEvent, parse_regwatch_event
from regwatch.lazy import Lazy
from regwatch.notification_errors import InvalidEvent, NotificationError
from regwatch.render_chatbot import render_chatbot_notification
from regwatch.render_text import message_attributes, render_text_notification

DESTINATION = "sns"
IDEMPOTENCY_KEY_PREFIX = "regwatch-notify-sns"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
metrics.set_default_dimensions(**{names.DESTINATION_DIMENSION: DESTINATION})
tracer = Tracer()


@dataclass
class _Runtime:
    settings: SnsNotifierSettings
    publisher: SnsPublisher
    idempotency: IdempotencyConfig = field(default_factory=IdempotencyConfig)
    deliver: Any = None


def _count(metric: str) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def _on_duplicate(response: Any, idempotent_data: DataRecord) -> Any:
    # Called by Powertools when the eventId was already handled: nothing is sent again.
    _count(names.DUPLICATES_SKIPPED)
    logger.info("Duplicate event: already published to SNS, skipped")
    return {**(response if isinstance(response, dict) else {}), "result": "duplicate"}


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
    runtime = _Runtime(settings=settings, publisher=SnsPublisher(sns, settings.topic_arn))

    def publish_to_sns(*, event: dict[str, Any], notification: RegwatchEvent) -> dict[str, Any]:
        try:
            message_id = _publish(runtime.publisher, settings.message_format, notification)
        except NotificationError as error:
            _count(names.DESTINATION_FAILURES)
            logger.error("SNS delivery failed", extra={"error": str(error)})
            raise
        _count(names.NOTIFICATIONS_SENT)
        logger.info(
            "Published to SNS", extra={"messageId": message_id, "format": settings.message_format.value}
        )
        return {
            "eventId": notification.detail.event_id,
            "destination": DESTINATION,
            "result": "sent",
            "messageId": message_id,
        }

    runtime.deliver, runtime.idempotency = deliver_once(
        publish_to_sns,
        dynamodb_client=session.client("dynamodb", config=_BOTO_CONFIG),
        table_name=settings.idempotency_table_name,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
        on_duplicate=_on_duplicate,
    )
    return runtime


runtime = Lazy(_build_runtime)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    current = runtime.get()
    try:
        notification = parse_regwatch_event(event, current.settings.event_source)
    except InvalidEvent as error:
        _count(names.INVALID_EVENTS)
        logger.error("Rejected input: not a regwatch event", extra={"error": str(error)})
        raise
    detail = notification.detail
    logger.append_keys(eventId=detail.event_id, registrationId=detail.registration_id, status=detail.status)
    current.idempotency.register_lambda_context(context)
    result: dict[str, Any] = current.deliver(event=event, notification=notification)
    return result
