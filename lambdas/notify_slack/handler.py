"""Slack notifier: one contract-v1 event in, one Block Kit message out, once per eventId."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from notify_common.flow import NotifierFlow
from notify_slack.settings import SlackNotifierSettings
from regwatch.adapters.idempotency import deliver_once
from regwatch.adapters.secrets import WebhookUrlSource
from regwatch.adapters.slack_poster import SlackWebhookPoster
from regwatch.event_models import RegwatchEvent
from regwatch.lazy import Lazy
from regwatch.render_slack import render_slack_message

DESTINATION = "slack"
IDEMPOTENCY_KEY_PREFIX = "regwatch-notify-slack"
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)

logger = Logger()
metrics = Metrics()
tracer = Tracer()
flow = NotifierFlow(DESTINATION, logger, metrics)


@dataclass
class _Runtime:
    settings: SlackNotifierSettings
    webhook_urls: WebhookUrlSource
    idempotency: IdempotencyConfig = field(default_factory=IdempotencyConfig)
    delivery: Callable[..., dict[str, Any]] | None = None
    poster: SlackWebhookPoster | None = None

    @property
    def event_source(self) -> str:
        return self.settings.event_source

    def deliver(self, *, event: dict[str, Any], notification: RegwatchEvent) -> dict[str, Any]:
        assert self.delivery is not None  # noqa: S101 - set by _build_runtime
        return self.delivery(event=event, notification=notification)

    def poster_for(self, url: str) -> SlackWebhookPoster:
        if self.poster is None or self.poster.webhook_url != url:
            self.poster = SlackWebhookPoster(url, timeout_seconds=self.settings.timeout_seconds)
        return self.poster


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

        def send() -> dict[str, Any]:
            runtime.poster_for(runtime.webhook_urls.get()).post(message)
            return {}

        # A revoked or rotated webhook fails every post: read the secret again next time.
        return flow.delivered(notification, send, on_failure=runtime.webhook_urls.invalidate)

    runtime.delivery, runtime.idempotency = deliver_once(
        post_to_slack,
        dynamodb_client=session.client("dynamodb", config=_BOTO_CONFIG),
        table_name=settings.idempotency_table_name,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
        on_duplicate=flow.on_duplicate,
    )
    return runtime


runtime = Lazy(_build_runtime)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return flow.handle(event, context, runtime.get())
