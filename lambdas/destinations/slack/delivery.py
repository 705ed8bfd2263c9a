"""Slack delivery in either mode: `webhook` (default) or `thread` (threads.py)."""

from __future__ import annotations

from typing import Any

from destinations.contract import Delivery, DeliveryContext
from destinations.ordering import latest_status_store, newest_only
from destinations.slack.render import render_slack_message
from destinations.slack.settings import SlackMode, SlackSettings
from destinations.slack.threads import STATE_NAMESPACE, SlackThreads
from destinations.slack.webhook import SlackWebhookPoster
from regwatch.event_models import Notification
from regwatch.notification_errors import InvalidEvent
from regwatch_aws.delivery_state import DeliveryStateStore
from regwatch_aws.secrets import SecretSource, slack_bot_token

DESTINATION = "slack"


class SlackWebhook:
    """The webhook URL (from its secret) and a poster for it, rebuilt when the URL rotates."""

    def __init__(self, webhook_urls: SecretSource, timeout_seconds: int) -> None:
        self._webhook_urls = webhook_urls
        self._timeout_seconds = timeout_seconds
        self._poster: SlackWebhookPoster | None = None

    def send(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if notification is None:
            raise InvalidEvent("Slack renders registration events only")
        message = render_slack_message(notification)
        url = self._webhook_urls.get()
        if self._poster is None or self._poster.webhook_url != url:
            self._poster = SlackWebhookPoster(url, timeout_seconds=self._timeout_seconds)
        self._poster.post(message)
        return {}


def build_delivery(context: DeliveryContext) -> Delivery:
    settings = SlackSettings.from_mapping(context.environ)
    secrets_client = context.session.client("secretsmanager", config=context.boto_config)
    dynamodb = context.session.client("dynamodb", config=context.boto_config)
    latest = latest_status_store(dynamodb, context.idempotency_table_name, DESTINATION)
    if settings.mode is SlackMode.THREAD:
        tokens = SecretSource(
            secrets_client,
            settings.bot_token_secret_arn,
            label="the Slack bot token secret",
            parse=slack_bot_token,
        )
        state = DeliveryStateStore(
            dynamodb,
            context.idempotency_table_name,
            STATE_NAMESPACE,
            DESTINATION,
        )
        return Delivery(SlackThreads(settings, tokens, state, latest).send, on_failure=tokens.invalidate)
    urls = SecretSource(secrets_client, settings.webhook_secret_arn)
    # A stream: an event older than the newest status posted is not posted (destinations/ordering.py).
    # A revoked or rotated webhook fails every post: read the secret again next time.
    return Delivery(
        newest_only(SlackWebhook(urls, settings.timeout_seconds).send, latest), on_failure=urls.invalidate
    )
