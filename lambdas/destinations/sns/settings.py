"""Settings of the SNS notifier, parsed from the environment on the first invocation."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from function_support.settings_parsing import DEFAULT_EVENT_SOURCE, SettingsError, event_source_of, required

_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


class MessageFormat(StrEnum):
    TEXT = "text"  # subject + plain text for email, SMS and pager subscribers
    CHATBOT = "chatbot"  # AWS Chatbot / Amazon Q Developer custom-notification JSON


@dataclass(frozen=True, slots=True)
class SnsNotifierSettings:
    topic_arn: str
    idempotency_table_name: str
    message_format: MessageFormat = MessageFormat.TEXT
    event_source: str = DEFAULT_EVENT_SOURCE

    @property
    def topic_region(self) -> str:
        match = _TOPIC_ARN.match(self.topic_arn)
        return match.group(1) if match else ""

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> SnsNotifierSettings:
        topic_arn = required(environ, "NOTIFICATION_TOPIC_ARN", "the ARN of the SNS topic to publish to")
        if not _TOPIC_ARN.match(topic_arn):
            raise SettingsError(f"NOTIFICATION_TOPIC_ARN is not an SNS topic ARN: {topic_arn[:300]!r}")
        format_text = environ.get("MESSAGE_FORMAT", "").strip().lower() or MessageFormat.TEXT.value
        try:
            message_format = MessageFormat(format_text)
        except ValueError:
            allowed = " or ".join(repr(f.value) for f in MessageFormat)
            raise SettingsError(f"MESSAGE_FORMAT must be {allowed}, got {format_text[:50]!r}") from None
        return cls(
            topic_arn=topic_arn,
            idempotency_table_name=required(
                environ, "IDEMPOTENCY_TABLE_NAME", "the name of the DynamoDB idempotency table"
            ),
            message_format=message_format,
            event_source=event_source_of(environ),
        )

    @classmethod
    def from_environment(cls) -> SnsNotifierSettings:
        return cls.from_mapping(os.environ)
