"""The shape of an alert's content (what every destination renders) and the severity words."""

from __future__ import annotations

from dataclasses import dataclass

from regwatch.event_models import DeniedReasonDetail
from regwatch.severity import Severity

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.ACTION_REQUIRED: "Action required",
    Severity.GOOD_NEWS: "Good news",
    Severity.INFO: "For information",
}
# Emoji shortcodes render in Slack and Chatbot; the SNS text uses the labels only.
SEVERITY_EMOJI: dict[Severity, str] = {
    Severity.ACTION_REQUIRED: ":rotating_light:",
    Severity.GOOD_NEWS: ":white_check_mark:",
    Severity.INFO: ":information_source:",
}


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class FlaggedField:
    """A form field the reviewer flagged, in words (`Company info › Website`)."""

    field: str
    field_path: str
    denied_reason: str | None
    feedback: str | None


@dataclass(frozen=True, slots=True)
class AlertContent:
    severity: Severity
    severity_label: str
    emoji: str
    headline: str  # one line: urgency, registration, what happened
    summary: str  # one or two sentences: from -> to, when
    facts: tuple[Fact, ...]
    next_steps: tuple[str, ...]
    reasons: tuple[DeniedReasonDetail, ...]
    flagged_fields: tuple[FlaggedField, ...]
    feedback: str | None
    notes: tuple[str, ...]
    console_url: str
    registration_id: str
    status: str
    event_id: str
