"""Teams delivery: one Adaptive Card message per event to the workflow URL from Secrets Manager.

200 and 202 are success (Workflows answers 202 Accepted). 429/5xx and timeouts are retried
(http_post.py); a timeout after the workflow accepted can post twice (no idempotency key in
Workflows). Anything else fails the invocation with a message naming the secret, and the
secret is read again next time (a rotated URL is picked up).
"""

from __future__ import annotations

from typing import Any

from destinations.contract import Delivery, DeliveryContext
from destinations.http_post import JsonPoster
from destinations.ordering import latest_status_store, newest_only
from destinations.teams.render import render_teams_message
from destinations.teams.settings import TeamsSettings
from regwatch.event_models import DigestEvent, Notification
from regwatch.notification_errors import DestinationFailed, InvalidEvent
from regwatch_aws.secrets import SecretSource, webhook_url_parser

DESTINATION = "teams"
SECRET_LABEL = "the Teams workflow URL secret"  # noqa: S105 - words, not a secret


def _reason(status: int, body: str, secret_id: str) -> str:
    if status == 404:
        return (
            f"the Teams workflow was not found: it was deleted or its URL changed; put the current "
            f"workflow URL into the secret {secret_id}"
        )
    if status in (401, 403):
        return f"the Teams workflow refused the call: the URL in the secret {secret_id} is not valid"
    if status == 429:
        return "Teams kept answering 429 (rate limited) after retries"
    return f"the Teams workflow answered: {body.strip()[:200] or 'nothing'}"


class TeamsDelivery:
    def __init__(self, settings: TeamsSettings, urls: SecretSource) -> None:
        self._urls = urls
        self._poster = JsonPoster(DESTINATION, timeout_seconds=settings.timeout_seconds, accepted=(200, 202))

    def send(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if notification is None or isinstance(notification, DigestEvent):
            # The digest is routed to `digestDestinations` (Slack, SNS) only.
            raise InvalidEvent("the Teams destination renders registration events only")
        message = render_teams_message(notification)
        url = self._urls.get()
        answer = self._poster.post(url, message)
        if answer.status not in self._poster.accepted:
            raise DestinationFailed(
                DESTINATION, _reason(answer.status, answer.body, self._urls.secret_id), status=answer.status
            )
        return {"status": answer.status}


def build_delivery(context: DeliveryContext) -> Delivery:
    settings = TeamsSettings.from_mapping(context.environ)
    urls = SecretSource(
        context.session.client("secretsmanager", config=context.boto_config),
        settings.webhook_secret_arn,
        label=SECRET_LABEL,
        parse=webhook_url_parser(SECRET_LABEL),
    )
    # A stream: an event older than the newest status posted is not posted (destinations/ordering.py).
    latest = latest_status_store(
        context.session.client("dynamodb", config=context.boto_config),
        context.idempotency_table_name,
        DESTINATION,
    )
    return Delivery(newest_only(TeamsDelivery(settings, urls).send, latest), on_failure=urls.invalidate)
