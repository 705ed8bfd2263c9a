"""Slack notifier: one contract-v1 event in, one Block Kit message out, once per eventId."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from function_support.lazy import Lazy
from notify_common.flow import NotifierFlow, OncePerEvent
from notify_slack.settings import SlackNotifierSettings
from notify_slack.webhook import SlackWebhookPoster
from regwatch.event_models import RegwatchEvent
from regwatch_alerts.render_slack import render_slack_message
from regwatch_aws.secrets import WebhookUrlSource

DESTINATION = "slack"
IDEMPOTENCY_KEY_PREFIX = "regwatch-notify-slack"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
tracer = Tracer()
flow = NotifierFlow(DESTINATION, logger, metrics)


class _SlackDestination:
    """The webhook URL (from its secret) and a poster for it, rebuilt when the URL rotates."""

    def __init__(self, webhook_urls: WebhookUrlSource, timeout_seconds: int) -> None:
        self._webhook_urls = webhook_urls
        self._timeout_seconds = timeout_seconds
        self._poster: SlackWebhookPoster | None = None

    def post(self, *, event: dict[str, Any], notification: RegwatchEvent) -> dict[str, Any]:
        message = render_slack_message(notification)

        def send() -> dict[str, Any]:
            url = self._webhook_urls.get()
            if self._poster is None or self._poster.webhook_url != url:
                self._poster = SlackWebhookPoster(url, timeout_seconds=self._timeout_seconds)
            self._poster.post(message)
            return {}

        # A revoked or rotated webhook fails every post: read the secret again next time.
        return flow.delivered(notification, send, on_failure=self._webhook_urls.invalidate)


@dataclass(frozen=True)
class _Runtime:
    settings: SlackNotifierSettings
    delivery: OncePerEvent


def _build_runtime() -> _Runtime:
    settings = SlackNotifierSettings.from_environment()
    session = boto3.session.Session()
    destination = _SlackDestination(
        WebhookUrlSource(session.client("secretsmanager", config=_BOTO_CONFIG), settings.webhook_secret_arn),
        settings.timeout_seconds,
    )
    delivery = flow.once_per_event(
        destination.post,
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
