"""Settings of the PagerDuty destination, parsed from the notifier's environment mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from function_support.settings_parsing import SettingsError, required

# PagerDuty's Events API v2 endpoint; EU service regions use events.eu.pagerduty.com.
DEFAULT_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
DEFAULT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class PagerDutySettings:
    routing_key_secret_arn: str
    events_url: str = DEFAULT_EVENTS_URL
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> PagerDutySettings:
        url = environ.get("PAGERDUTY_EVENTS_URL", "").strip() or DEFAULT_EVENTS_URL
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"} or not parts.netloc:
            raise SettingsError(f"PAGERDUTY_EVENTS_URL must be an http(s) URL, got {url[:200]!r}")
        timeout = environ.get("PAGERDUTY_TIMEOUT_SECONDS", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        if not timeout.isdigit() or not 1 <= int(timeout) <= 60:
            raise SettingsError(f"PAGERDUTY_TIMEOUT_SECONDS must be 1-60 seconds, got {timeout[:20]!r}")
        return cls(
            routing_key_secret_arn=required(
                environ,
                "PAGERDUTY_ROUTING_KEY_SECRET_ARN",
                "the ARN or name of the Secrets Manager secret with the PagerDuty routing key",
            ),
            events_url=url,
            timeout_seconds=int(timeout),
        )
