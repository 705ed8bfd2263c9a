"""Slack webhook URL from Secrets Manager, through Powertools parameters (cached).

The secret holds either the URL itself or JSON `{"webhookUrl": "..."}`. The value is a
credential: it never appears in an exception message or a log line from here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import ClientError

from regwatch.notification_errors import SecretUnavailable

DEFAULT_CACHE_SECONDS = 300
WEBHOOK_URL_KEY = "webhookUrl"


def webhook_url_from_secret(value: str | bytes) -> str:
    """The URL from either secret format; SecretUnavailable (without the value) otherwise."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise SecretUnavailable("the Slack webhook secret looks like JSON but does not parse") from None
        url = document.get(WEBHOOK_URL_KEY) if isinstance(document, dict) else None
        if not isinstance(url, str):
            raise SecretUnavailable(
                f"the Slack webhook secret is JSON without a string '{WEBHOOK_URL_KEY}' key"
            )
        text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise SecretUnavailable(
            f"the Slack webhook secret holds neither an http(s) URL nor JSON with '{WEBHOOK_URL_KEY}'"
        )
    return text


def _client_error_code(error: BaseException) -> str | None:
    # Powertools wraps the boto3 error in GetParameterError; the original is its context.
    cause: BaseException | None = error.__context__
    while cause is not None:
        if isinstance(cause, ClientError):
            code: Any = cause.response.get("Error", {}).get("Code")
            return str(code) if code else None
        cause = cause.__context__
    return None


class WebhookUrlSource:
    """Reads and caches the webhook URL; `invalidate()` forces a re-read (rotation)."""

    def __init__(
        self, secrets_client: Any, secret_id: str, cache_seconds: int = DEFAULT_CACHE_SECONDS
    ) -> None:
        self._provider = SecretsProvider(boto3_client=secrets_client)
        self._secret_id = secret_id
        self._cache_seconds = cache_seconds
        self._force_next = False

    def get(self) -> str:
        force = self._force_next
        self._force_next = False
        try:
            value = self._provider.get(self._secret_id, max_age=self._cache_seconds, force_fetch=force)
        except GetParameterError as error:
            code = _client_error_code(error) or "unknown error"
            raise SecretUnavailable(
                f"cannot read the Slack webhook secret {self._secret_id}: {code}"
            ) from None
        if not isinstance(value, str | bytes):
            raise SecretUnavailable(f"the Slack webhook secret {self._secret_id} is empty")
        try:
            return webhook_url_from_secret(value)
        except SecretUnavailable as error:
            raise SecretUnavailable(f"{error} ({self._secret_id})") from None

    def invalidate(self) -> None:
        """Re-read on the next call: after a failed post the webhook may have been rotated."""
        self._force_next = True
