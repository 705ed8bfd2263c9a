"""Posting a message to a Slack incoming webhook with slack_sdk's retry handlers.

Retries: 429 after `Retry-After`, 500/503 with backoff, connection errors and read
timeouts. A timeout retry may post twice if Slack had accepted the first attempt;
regwatch prefers a rare duplicate to a lost alert. After the retries, anything but
HTTP 200 raises DestinationFailed. The URL is a credential: slack_sdk logs it at
DEBUG/INFO, so its logger here is quiet and redacts, and no error message carries it.
"""

from __future__ import annotations

import logging
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from regwatch.notification_errors import DestinationFailed

DESTINATION = "slack"
DEFAULT_TIMEOUT_SECONDS = 10
DEFAULT_MAX_RETRIES = 2
REDACTED = "[slack webhook url redacted]"


class _RedactUrls(logging.Filter):
    """Replaces known webhook URLs in any record slack_sdk emits through our logger."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


_redactor = _RedactUrls()
_sdk_logger = logging.getLogger("regwatch.slack_sdk")
# slack_sdk formats the URL into DEBUG and INFO lines; WARNING keeps only its error lines.
_sdk_logger.setLevel(logging.WARNING)
_sdk_logger.addFilter(_redactor)


class SlackWebhookPoster:
    def __init__(
        self,
        webhook_url: str,
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_factor: float = 0.5,
    ) -> None:
        _redactor.secrets.add(webhook_url)
        backoff = BackoffRetryIntervalCalculator(backoff_factor=backoff_factor)
        self.webhook_url = webhook_url
        self._client = WebhookClient(
            url=webhook_url,
            timeout=timeout_seconds,
            logger=_sdk_logger,
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=max_retries),
                ServerErrorRetryHandler(max_retry_count=max_retries, interval_calculator=backoff),
                ConnectionErrorRetryHandler(
                    max_retry_count=max_retries,
                    interval_calculator=backoff,
                    error_types=[URLError, ConnectionResetError, RemoteDisconnected, TimeoutError],
                ),
            ],
        )

    def post(self, message: dict[str, Any]) -> None:
        """Send `{"text", "blocks"}`; DestinationFailed unless Slack answered 200."""
        try:
            response = self._client.send_dict(message)
        except (OSError, RemoteDisconnected) as error:
            # urllib errors name the host at most, never the path that holds the secret;
            # still, report only the type and errno-style reason.
            reason = str(getattr(error, "reason", None) or type(error).__name__)
            raise DestinationFailed(DESTINATION, f"no answer after retries ({reason})") from None
        if response.status_code != 200:
            body = (response.body or "").strip()[:200].replace(self.webhook_url, REDACTED)
            raise DestinationFailed(DESTINATION, body or "empty response", status=response.status_code)
