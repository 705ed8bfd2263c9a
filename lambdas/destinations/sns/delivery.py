"""SNS delivery: one message per event on the notification topic, with filterable attributes.

MESSAGE_FORMAT=text publishes a subject and plain text (email, SMS, pagers);
MESSAGE_FORMAT=chatbot publishes Amazon Q Developer in chat applications (formerly AWS
Chatbot) custom-notification JSON, which serves Slack and Teams channels without a secret.
"""

from __future__ import annotations

import json
from typing import Any

from destinations.contract import Delivery, DeliveryContext
from destinations.ordering import latest_status_store, newest_only
from destinations.sns.publisher import SnsPublisher
from destinations.sns.render_chatbot import render_chatbot_notification
from destinations.sns.settings import MessageFormat, SnsNotifierSettings
from regwatch.event_models import Notification
from regwatch.notification_errors import InvalidEvent
from regwatch_alerts.render_text import message_attributes, render_text_notification


def _publish(publisher: SnsPublisher, message_format: MessageFormat, notification: Notification) -> str:
    if message_format is MessageFormat.CHATBOT:
        payload = render_chatbot_notification(notification)
        return publisher.publish(json.dumps(payload, ensure_ascii=False), message_attributes(notification))
    text = render_text_notification(notification)
    return publisher.publish(text.body, text.attributes, subject=text.subject)


def build_delivery(context: DeliveryContext) -> Delivery:
    settings = SnsNotifierSettings.from_mapping(context.environ)
    sns = context.session.client("sns", region_name=settings.topic_region or None, config=context.boto_config)
    publisher = SnsPublisher(sns, settings.topic_arn)

    def send(event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if notification is None:
            raise InvalidEvent("SNS renders registration events only")
        message_id = _publish(publisher, settings.message_format, notification)
        return {"messageId": message_id, "format": settings.message_format.value}

    # A stream: an event older than the newest status published is not published (ordering.py).
    dynamodb = context.session.client("dynamodb", config=context.boto_config)
    return Delivery(newest_only(send, latest_status_store(dynamodb, context.idempotency_table_name, "sns")))
