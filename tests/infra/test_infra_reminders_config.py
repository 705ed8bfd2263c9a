"""Reminder and digest settings: validated in cdk.json terms, passed to the evaluator as the
same values the function parses again (one clear line per bad key)."""

from __future__ import annotations

import json

import pytest
from evaluator.settings import EvaluatorSettings

from infra.config import ConfigError, RegwatchConfig
from infra.evaluator import reminder_settings


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"reminderAuthLinkWarning": "-2d"}, "regwatch.reminderAuthLinkWarning: '-2d' is not a duration"),
        (
            {"reminderResendWindowWarning": "soon"},
            "regwatch.reminderResendWindowWarning: 'soon' is not a duration",
        ),
        (
            {"reminderReviewExpected": {"US_TOLL_FREE_REGISTRATION": "15 business days"}},
            "US_TOLL_FREE_REGISTRATION",
        ),
        (
            {"digestTimezone": "Mars/Olympus"},
            "regwatch.digestTimezone: 'Mars/Olympus' is not an IANA time zone",
        ),
        ({"digestTime": "8am"}, "regwatch.digestTime: '8am' is not a 24-hour local time"),
        (
            {"evaluatorSchedule": "hourly"},
            "regwatch.evaluatorSchedule: 'hourly' is not an EventBridge schedule",
        ),
        ({"digestDestinations": ["pager"]}, "regwatch.digestDestinations: ['pager'] cannot take the digest"),
        ({"digestDestinations": ["pagerduty"]}, "those that render it: ['slack', 'sns'"),
    ],
)
def test_bad_reminder_and_digest_settings_are_named(settings: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        RegwatchConfig.from_mapping(settings)
    assert expected in str(raised.value)


def test_command_line_values_and_null_turn_features_off() -> None:
    config = RegwatchConfig.from_context(
        {}, {"regwatch.digestTime": "null", "regwatch.reminderDraftForgottenAfter": "14d"}
    )
    assert config.digest_time is None
    assert config.reminder_draft_forgotten_after == "14d"


def test_the_function_parses_what_the_stack_writes() -> None:
    config = RegwatchConfig.from_mapping(
        {
            "reminderAuthLinkWarning": "36h",
            "reminderReviewExpected": {"X_TYPE": "1w"},
            "digestTimezone": "Europe/Berlin",
        }
    )
    settings = EvaluatorSettings.from_mapping(
        {
            "SNAPSHOT_TABLE_NAME": "t",
            "EVENT_BUS_NAME": "b",
            "REMINDER_SETTINGS": reminder_settings(config),
            "DIGEST_TIME": config.digest_time or "",
            "DIGEST_TIMEZONE": config.digest_timezone,
        }
    )
    assert settings.policy.auth_link_warning.total_seconds() == 36 * 3600
    assert settings.policy.review_expected["X_TYPE"].days == 7
    assert settings.policy.review_expected["US_TOLL_FREE_REGISTRATION"].days == 21
    assert settings.digest is not None and settings.digest.timezone.key == "Europe/Berlin"
    assert json.loads(reminder_settings(config))["draftForgottenAfter"] is None
