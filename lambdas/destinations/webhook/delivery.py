"""Signed-webhook delivery: one POST per event, signed per Standard Webhooks (signing.py).

The secret holds `{"url": "https://…", "signingSecret": "whsec_…"}`; it is read through
SecretSource (cached, re-read after a failure so a rotation is picked up). 2xx is success.
429/5xx, connection errors and timeouts are retried by urllib3 with the same signed headers
(within seconds: inside the receiver's replay window); an EventBridge retry signs again with a
new timestamp and the same `webhook-id` (= eventId), on which receivers deduplicate. Any other
answer fails the invocation naming the status, never the URL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from destinations.contract import Delivery, DeliveryContext
from destinations.http_post import RETRIED_STATUSES, redact_everywhere
from destinations.webhook.render import encode, render_webhook_payload
from destinations.webhook.settings import WebhookSettings
from destinations.webhook.signing import BadSigningSecret, signed_headers, signing_key
from regwatch.event_models import Notification
from regwatch.notification_errors import DestinationFailed, InvalidEvent, SecretUnavailable
from regwatch_aws.secrets import SecretSource

DESTINATION = "webhook"
SECRET_LABEL = "the webhook secret"  # noqa: S105 - words, not a secret
USER_AGENT = "regwatch-webhook/1"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def parse_webhook_secret(text: str) -> str:
    """Checks `{"url", "signingSecret"}`; returns the text (parsed again by the delivery)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict) or not all(
        isinstance(document.get(k), str) for k in ("url", "signingSecret")
    ):
        raise SecretUnavailable(
            f'{SECRET_LABEL} must be JSON {{"url": "https://…", "signingSecret": "whsec_…"}}'
        )
    parts = urlsplit(document["url"])
    # http only for a receiver on this machine (local sinks); anything else must be https.
    if not parts.netloc or not (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
    ):
        raise SecretUnavailable(f"{SECRET_LABEL}'s url must be an https URL")
    try:
        signing_key(document["signingSecret"])
    except BadSigningSecret as error:
        raise SecretUnavailable(f"{SECRET_LABEL}: {error}") from None
    return text


class WebhookDelivery:
    def __init__(
        self, settings: WebhookSettings, secrets: SecretSource, clock: Callable[[], float] = time.time
    ) -> None:
        self._secrets = secrets
        self._clock = clock
        retry = Retry(
            total=3,
            connect=3,
            read=3,
            status=3,
            other=0,
            allowed_methods=None,  # POST included: receivers deduplicate on webhook-id
            status_forcelist=RETRIED_STATUSES,
            backoff_factor=0.5,
            backoff_max=30,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=True,
            redirect=0,
        )
        timeout = settings.timeout_seconds
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 5), read=timeout), retries=retry
        )

    def send(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if notification is None:
            raise InvalidEvent("the webhook renders registration events and the digest only")
        secret = json.loads(self._secrets.get())
        url, key = secret["url"], signing_key(secret["signingSecret"])
        parts = urlsplit(url)
        redact_everywhere(url, parts.path, parts.query)
        body = encode(render_webhook_payload(notification, event["detail"]))
        headers = signed_headers(key, notification.detail.event_id, int(self._clock()), body)
        headers |= {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        try:
            response = self._http.request("POST", url, body=body, headers=headers)
        except HTTPError as error:
            reason = getattr(error, "reason", None) or error
            raise DestinationFailed(
                DESTINATION, f"no answer after retries ({type(reason).__name__})"
            ) from None
        if not 200 <= response.status < 300:
            raise DestinationFailed(
                DESTINATION,
                f"the receiver answered {response.status}; check its signing secret and replay window "
                f"(secret {self._secrets.secret_id})",
                status=response.status,
            )
        return {"status": response.status, "bytes": len(body)}


def build_delivery(context: DeliveryContext) -> Delivery:
    settings = WebhookSettings.from_mapping(context.environ)
    secrets = SecretSource(
        context.session.client("secretsmanager", config=context.boto_config),
        settings.secret_arn,
        label=SECRET_LABEL,
        parse=parse_webhook_secret,
    )
    return Delivery(WebhookDelivery(settings, secrets).send, on_failure=secrets.invalidate)
