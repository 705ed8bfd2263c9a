"""Settings of the Slack destination, parsed from the notifier's environment mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from function_support.settings_parsing import DEFAULT_EVENT_SOURCE, SettingsError, event_source_of, required

DEFAULT_TIMEOUT_SECONDS = 10
DEFAULT_API_URL = "https://slack.com/api/"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{8,12}$")


class SlackMode(StrEnum):
    WEBHOOK = "webhook"  # one message per alert through an incoming webhook (the default)
    THREAD = "thread"  # one thread per registration, posted by a bot (chat.postMessage / chat.update)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    webhook_secret_arn: str = ""
    idempotency_table_name: str = ""
    event_source: str = DEFAULT_EVENT_SOURCE
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    mode: SlackMode = SlackMode.WEBHOOK
    bot_token_secret_arn: str = ""
    channel_id: str = ""
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> SlackSettings:
        timeout_text = environ.get("SLACK_TIMEOUT_SECONDS", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        if not timeout_text.isdigit() or not 1 <= int(timeout_text) <= 60:
            raise SettingsError(
                f"SLACK_TIMEOUT_SECONDS must be a whole number of seconds 1-60, got {timeout_text!r}"
            )
        mode_text = environ.get("SLACK_MODE", "").strip().lower() or SlackMode.WEBHOOK.value
        try:
            mode = SlackMode(mode_text)
        except ValueError:
            raise SettingsError(f"SLACK_MODE must be 'webhook' or 'thread', got {mode_text[:30]!r}") from None
        common = {
            "idempotency_table_name": required(
                environ, "IDEMPOTENCY_TABLE_NAME", "the name of the DynamoDB idempotency table"
            ),
            "event_source": event_source_of(environ),
            "timeout_seconds": int(timeout_text),
            "mode": mode,
        }
        if mode is SlackMode.WEBHOOK:
            return cls(
                webhook_secret_arn=required(
                    environ,
                    "SLACK_WEBHOOK_SECRET_ARN",
                    "the ARN or name of the Secrets Manager secret with the Slack webhook URL",
                ),
                **common,  # type: ignore[arg-type]
            )
        channel = required(environ, "SLACK_CHANNEL_ID", "the id of the channel the bot posts threads to")
        if not _CHANNEL_ID.match(channel):
            raise SettingsError(
                f"SLACK_CHANNEL_ID must be a channel id like C0123456789 (not a #name), got {channel[:40]!r}"
            )
        api_url = environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if urlsplit(api_url).scheme not in {"https", "http"}:
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url[:100]!r}")
        return cls(
            bot_token_secret_arn=required(
                environ,
                "SLACK_BOT_TOKEN_SECRET_ARN",
                "the ARN or name of the Secrets Manager secret with the Slack bot token (thread mode)",
            ),
            channel_id=channel,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            **common,  # type: ignore[arg-type]
        )
