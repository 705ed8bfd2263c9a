"""Destination credentials from Secrets Manager, through Powertools parameters (cached).

A webhook secret holds either the URL itself or JSON `{"webhookUrl": "..."}`; other
secrets (a PagerDuty routing key, a Slack bot token) the value itself or JSON with one
named key. The value is a credential: it never appears in an exception message or a
log line from here; errors name the secret and the expected shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import ClientError

from regwatch.notification_errors import SecretUnavailable

DEFAULT_CACHE_SECONDS = 300
WEBHOOK_URL_KEY = "webhookUrl"


SLACK_WEBHOOK = "the Slack webhook secret"
_PAGERDUTY_ROUTING_KEY = re.compile(r"^[A-Za-z0-9]{32}$")
_SLACK_BOT_TOKEN = re.compile(r"^xox[bp]-[A-Za-z0-9-]{10,}$")

SecretParser = Callable[[str], str]  # raw secret text -> usable value; SecretUnavailable otherwise


def _text_of(value: str | bytes) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return text.strip()


def _unwrap_json(text: str, key: str, label: str) -> str:
    """`{"<key>": "..."}` -> the value; plain text unchanged."""
    if not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise SecretUnavailable(f"{label} looks like JSON but does not parse") from None
    found = document.get(key) if isinstance(document, dict) else None
    if not isinstance(found, str):
        raise SecretUnavailable(f"{label} is JSON without a string '{key}' key")
    return found.strip()


def webhook_url_parser(label: str) -> SecretParser:
    def parse(text: str) -> str:
        url = _unwrap_json(text, WEBHOOK_URL_KEY, label)
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"} or not parts.netloc:
            raise SecretUnavailable(f"{label} holds neither an http(s) URL nor JSON with '{WEBHOOK_URL_KEY}'")
        return url

    return parse


def webhook_url_from_secret(value: str | bytes, label: str = SLACK_WEBHOOK) -> str:
    """The URL from either secret format; SecretUnavailable (without the value) otherwise."""
    return webhook_url_parser(label)(_text_of(value))


def pagerduty_routing_key(text: str) -> str:
    """A PagerDuty Events API v2 integration key: 32 letters and digits, plain or `{"routingKey"}`."""
    label = "the PagerDuty routing key secret"
    key = _unwrap_json(text, "routingKey", label)
    if not _PAGERDUTY_ROUTING_KEY.match(key):
        raise SecretUnavailable(
            f"{label} does not hold an Events API v2 integration key (32 letters and digits, "
            "from the service's 'Events API V2' integration), nor JSON with 'routingKey'"
        )
    return key


def slack_bot_token(text: str) -> str:
    """A Slack bot token (`xoxb-…`), plain or `{"botToken"}`."""
    label = "the Slack bot token secret"
    token = _unwrap_json(text, "botToken", label)
    if not _SLACK_BOT_TOKEN.match(token):
        raise SecretUnavailable(f"{label} does not hold a bot token (xoxb-...) nor JSON with 'botToken'")
    return token


def _client_error_code(error: BaseException) -> str | None:
    # Powertools wraps the boto3 error in GetParameterError; the original is its context.
    cause: BaseException | None = error.__context__
    while cause is not None:
        if isinstance(cause, ClientError):
            code: Any = cause.response.get("Error", {}).get("Code")
            return str(code) if code else None
        cause = cause.__context__
    return None


class SecretSource:
    """Reads, checks and caches one destination secret; `invalidate()` forces a re-read (rotation)."""

    def __init__(
        self,
        secrets_client: Any,
        secret_id: str,
        cache_seconds: int = DEFAULT_CACHE_SECONDS,
        *,
        label: str = SLACK_WEBHOOK,
        parse: SecretParser | None = None,
    ) -> None:
        self._provider = SecretsProvider(boto3_client=secrets_client)
        self._secret_id = secret_id
        self._cache_seconds = cache_seconds
        self._force_next = False
        self._label = label
        self._parse = parse or webhook_url_parser(label)

    @property
    def secret_id(self) -> str:
        return self._secret_id

    def get(self) -> str:
        force = self._force_next
        self._force_next = False
        try:
            value = self._provider.get(self._secret_id, max_age=self._cache_seconds, force_fetch=force)
        except GetParameterError as error:
            code = _client_error_code(error) or "unknown error"
            raise SecretUnavailable(f"cannot read {self._label} {self._secret_id}: {code}") from None
        if not isinstance(value, str | bytes):
            raise SecretUnavailable(f"{self._label} {self._secret_id} is empty")
        try:
            return self._parse(_text_of(value))
        except SecretUnavailable as error:
            raise SecretUnavailable(f"{error} ({self._secret_id})") from None

    def invalidate(self) -> None:
        """Re-read on the next call: after a failed post the webhook may have been rotated."""
        self._force_next = True


# The Slack webhook's source under its historical name.
WebhookUrlSource = SecretSource
