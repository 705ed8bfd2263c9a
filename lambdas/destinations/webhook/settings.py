"""Settings of the signed-webhook destination, parsed from the notifier's environment mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from function_support.settings_parsing import SettingsError, required

DEFAULT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    secret_arn: str  # the secret holding {"url": ..., "signingSecret": "whsec_..."}
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> WebhookSettings:
        timeout = environ.get("WEBHOOK_TIMEOUT_SECONDS", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        if not timeout.isdigit() or not 1 <= int(timeout) <= 60:
            raise SettingsError(f"WEBHOOK_TIMEOUT_SECONDS must be 1-60 seconds, got {timeout[:20]!r}")
        return cls(
            secret_arn=required(
                environ,
                "WEBHOOK_SECRET_ARN",
                "the ARN or name of the Secrets Manager secret with the receiver URL and signing secret",
            ),
            timeout_seconds=int(timeout),
        )
