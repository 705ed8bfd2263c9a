"""POST JSON to a destination's HTTPS endpoint with urllib3's retries, never logging secrets.

Retries (urllib3 `Retry`): 429 after its `Retry-After`, 500/502/503/504 with exponential
backoff, connection errors and read timeouts. POST is retried although it is not
idempotent: a read timeout after the server accepted means a possible duplicate, which
regwatch prefers to a lost alert (PagerDuty deduplicates on dedup_key; Teams cannot).
URLs and bodies hold credentials (a Teams workflow signature, a PagerDuty routing key):
urllib3's own log lines name the URL path, so they pass through a redacting filter, and
no error raised here carries a URL or a request body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from regwatch.notification_errors import DestinationFailed

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
REDACTED = "[redacted]"


class _Redact(logging.Filter):
    """Replaces registered secrets in records of urllib3's loggers."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        for secret in sorted(self.secrets, key=len, reverse=True):
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


_redactor = _Redact()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager"):
    logging.getLogger(_name).addFilter(_redactor)


def redact_everywhere(*secrets: str) -> None:
    """Register credential strings that urllib3's log lines must never show."""
    _redactor.secrets.update(s for s in secrets if s)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except json.JSONDecodeError:
            return None


class JsonPoster:
    def __init__(
        self,
        destination: str,
        *,
        timeout_seconds: float = 10,
        max_retries: int = 3,
        backoff_factor: float = 0.5,
        accepted: Iterable[int] = (200, 202),
    ) -> None:
        self.destination = destination
        self.accepted = frozenset(accepted)
        self._retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            allowed_methods=None,  # POST included: see the module docstring
            status_forcelist=RETRIED_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=30,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=True,
            redirect=0,
        )
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout_seconds, 5), read=timeout_seconds),
            retries=self._retry,
        )

    def post(self, url: str, payload: Any, *, secrets: Iterable[str] = ()) -> Answer:
        """POST `payload` as JSON; the final answer after retries (any status), or DestinationFailed
        if no answer came at all. Never raises with the URL in the message."""
        parts = urlsplit(url)
        # urllib3 logs the path and query without the host: hide each form, longest first.
        hidden = [url, f"{parts.path}?{parts.query}" if parts.query else parts.path, parts.query, *secrets]
        hidden = sorted((h for h in hidden if h and h != "/"), key=len, reverse=True)
        redact_everywhere(*hidden)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            response = self._http.request(
                "POST", url, body=body, headers={"Content-Type": "application/json; charset=utf-8"}
            )
        except HTTPError as error:
            reason = getattr(error, "reason", None) or error
            raise DestinationFailed(
                self.destination, f"no answer after retries ({type(reason).__name__})"
            ) from None
        text = response.data.decode("utf-8", "replace")
        for secret in hidden:
            text = text.replace(secret, REDACTED)
        return Answer(response.status, text)
