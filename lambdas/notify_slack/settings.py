"""Settings of the Slack notifier, parsed from the environment on the first invocation."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from function_support.settings_parsing import DEFAULT_EVENT_SOURCE, SettingsError, event_source_of, required

DEFAULT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class SlackNotifierSettings:
    webhook_secret_arn: str
    idempotency_table_name: str
    event_source: str = DEFAULT_EVENT_SOURCE
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> SlackNotifierSettings:
        timeout_text = environ.get("SLACK_TIMEOUT_SECONDS", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        if not timeout_text.isdigit() or not 1 <= int(timeout_text) <= 60:
            raise SettingsError(
                f"SLACK_TIMEOUT_SECONDS must be a whole number of seconds 1-60, got {timeout_text!r}"
            )
        return cls(
            webhook_secret_arn=required(
                environ,
                "SLACK_WEBHOOK_SECRET_ARN",
                "the ARN or name of the Secrets Manager secret with the Slack webhook URL",
            ),
            idempotency_table_name=required(
                environ, "IDEMPOTENCY_TABLE_NAME", "the name of the DynamoDB idempotency table"
            ),
            event_source=event_source_of(environ),
            timeout_seconds=int(timeout_text),
        )

    @classmethod
    def from_environment(cls) -> SlackNotifierSettings:
        return cls.from_mapping(os.environ)
