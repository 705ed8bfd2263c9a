"""Slack notifier: one contract-v1 event in, one Block Kit message out, once per eventId."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from notify_slack.settings import SlackNotifierSettings
from regwatch import notification_metrics as names
from regwatch.adapters.idempotency import deliver_once
from regwatch.adapters.secrets import WebhookUrlSource
from regwatch.adapters.slack_poster import SlackWebhookPoster
from regwatch.event_models import RegwatchEvent, parse_regwatch_event
from regwatch.lazy import Lazy
from regwatch.notification_errors import InvalidEvent, NotificationError
from regwatch.render_slack import render_slack_message

DESTINATION = "slack"
IDEMPOTENCY_KEY_PREFIX = "regwatch-notify-slack"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
metrics.set_default_dimensions(**{names.DESTINATION_DIMENSION: DESTINATION})
tracer = Tracer()


@dataclass
class _Runtime:
    settings: SlackNotifierSettings
    webhook_urls: WebhookUrlSource
    idempotency: IdempotencyConfig = field(default_factory=IdempotencyConfig)
    deliver: Any = None
    poster: SlackWebhookPoster | None = None

    def poster_for(self, url: str) -> SlackWebhookPoster:
        if self.poster is None or self.poster.webhook_url != url:
            self.poster = SlackWebhookPoster(url, timeout_seconds=self.settings.timeout_seconds)
        return self.poster


def _count(metric: str) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def _on_duplicate(response: Any, idempotent_data: DataRecord) -> Any:
    # Called by Powertools when the eventId was already handled: nothing is sent again.
    _count(names.DUPLICATES_SKIPPED)
    logger.info("Duplicate event: already posted to Slack, skipped")
    return {**(response if isinstance(response, dict) else {}), "result": "duplicate"}


def _build_runtime() -> _Runtime:
    settings = SlackNotifierSettings.from_environment()
    session = boto3.session.Session()
    runtime = _Runtime(
        settings=settings,
        webhook_urls=WebhookUrlSource(
            session.client("secretsmanager", config=_BOTO_CONFIG), settings.webhook_secret_arn
        ),
    )

    def post_to_slack(*, event: dict[str, Any], notification: RegwatchEvent) -> dict[str, Any]:
        message = render_slack_message(notification)
        try:
            runtime.poster_for(runtime.webhook_urls.get()).post(message)
        except NotificationError as error:
            _count(names.DESTINATION_FAILURES)
            # A revoked or rotated webhook fails every post: read the secret again next time.
            runtime.webhook_urls.invalidate()
            logger.error("Slack delivery failed", extra={"error": str(error)})
            raise
        _count(names.NOTIFICATIONS_SENT)
        logger.info("Posted to Slack")
        return {"eventId": notification.detail.event_id, "destination": DESTINATION, "result": "sent"}

    runtime.deliver, runtime.idempotency = deliver_once(
        post_to_slack,
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
