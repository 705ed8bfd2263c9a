"""Settings of the evaluator, parsed from the environment on the first invocation.

`REMINDER_SETTINGS` is a JSON object written by the stack from cdk.json's `reminder*`
settings (infra/evaluator.py); every problem is reported at once, naming its key.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from function_support.durations import parse_duration
from function_support.settings_parsing import SettingsError, event_source_of
from regwatch.digest import DigestSchedule
from regwatch.reminders import DEFAULT_REVIEW_EXPECTED, DEFAULT_REVIEW_EXPECTED_OTHERWISE, ReminderPolicy

_LOCAL_TIME = re.compile(r"^(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)$")


def digest_schedule(local_time: str, timezone: str, problems: list[str]) -> DigestSchedule | None:
    """`HH:MM` in an IANA zone; an empty DIGEST_TIME turns the digest off."""
    if not local_time:
        return None
    match = _LOCAL_TIME.match(local_time)
    if match is None:
        problems.append(f"DIGEST_TIME must be a 24-hour local time HH:MM, got {local_time[:20]!r}")
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"DIGEST_TIMEZONE {timezone[:50]!r} is not an IANA time zone (e.g. 'Europe/Berlin')")
        return None
    if match is None:
        return None
    return DigestSchedule(time(int(match["hour"]), int(match["minute"])), zone)


__all__ = ["EvaluatorSettings", "SettingsError"]


def _policy(raw: Mapping[str, Any], problems: list[str]) -> ReminderPolicy:
    def duration(key: str, default: timedelta | None) -> timedelta | None:
        value = raw.get(key)
        if value is None:
            return default
        try:
            return parse_duration(f"REMINDER_SETTINGS.{key}", value)
        except ValueError as error:
            problems.append(str(error))
            return default

    expected = dict(DEFAULT_REVIEW_EXPECTED)
    table = raw.get("reviewExpected")
    if table is not None and not isinstance(table, Mapping):
        problems.append("REMINDER_SETTINGS.reviewExpected must be an object: registration type -> duration")
    for registration_type, value in (table or {}).items():
        try:
            expected[str(registration_type)] = parse_duration(
                f"REMINDER_SETTINGS.reviewExpected.{registration_type}", value
            )
        except ValueError as error:
            problems.append(str(error))
    return ReminderPolicy(
        auth_link_warning=duration("authLinkWarning", timedelta(days=2)) or timedelta(days=2),
        resend_window_warning=duration("resendWindowWarning", timedelta(days=3)) or timedelta(days=3),
        draft_forgotten_after=duration("draftForgottenAfter", None),
        review_expected=expected,
        review_expected_default=duration("reviewExpectedDefault", DEFAULT_REVIEW_EXPECTED_OTHERWISE)
        or DEFAULT_REVIEW_EXPECTED_OTHERWISE,
    )


@dataclass(frozen=True, slots=True)
class EvaluatorSettings:
    snapshot_table_name: str
    event_bus_name: str
    event_source: str
    policy: ReminderPolicy
    digest: DigestSchedule | None = None

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> EvaluatorSettings:
        problems: list[str] = []
        table = environ.get("SNAPSHOT_TABLE_NAME", "").strip()
        bus = environ.get("EVENT_BUS_NAME", "").strip()
        if not table:
            problems.append("SNAPSHOT_TABLE_NAME is not set: it must hold the snapshot table's name")
        if not bus:
            problems.append("EVENT_BUS_NAME is not set: it must hold the regwatch event bus name")
        raw: Any = {}
        text = environ.get("REMINDER_SETTINGS", "").strip()
        if text:
            try:
                raw = json.loads(text)
            except ValueError:
                problems.append("REMINDER_SETTINGS is not JSON: it must be an object of reminder settings")
            if not isinstance(raw, Mapping):
                problems.append("REMINDER_SETTINGS must be a JSON object")
                raw = {}
        policy = _policy(raw, problems)
        digest = digest_schedule(
            environ.get("DIGEST_TIME", "").strip(), environ.get("DIGEST_TIMEZONE", "").strip(), problems
        )
        if problems:
            raise SettingsError("; ".join(problems))
        return cls(table, bus, event_source_of(environ), policy, digest)

    @classmethod
    def from_environment(cls) -> EvaluatorSettings:
        return cls.from_mapping(os.environ)
