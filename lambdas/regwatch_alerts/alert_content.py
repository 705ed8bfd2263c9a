"""What a person must learn from one regwatch event, independent of the channel.

Slack, SNS text and Chatbot renderers all format this one description, so every
channel answers the same questions: which registration, what happened, how urgent,
what to do next, where to click. Texts here are plain and unescaped; each renderer
escapes for its own markup.

Split by job: the shape (content_model.py), how codes read (wording.py), reminders
(reminder_content.py) and target health (target_content.py); `describe` here picks one and
describes registration changes itself. Everything renderers used from this module is still
importable from it (`__all__`).
"""

from __future__ import annotations

from regwatch.event_models import MESSAGING_SCOPES, RegwatchEvent
from regwatch.model import Scope
from regwatch.severity import Severity
from regwatch_alerts.content_model import (
    SEVERITY_EMOJI,
    SEVERITY_LABELS,
    AlertContent,
    Fact,
    FlaggedField,
)
from regwatch_alerts.denial_fixes import resubmit_step, with_fixes
from regwatch_alerts.messaging_content import describe_messaging_resource
from regwatch_alerts.reminder_content import (
    AUTHENTICATION_LINK_VALIDITY,
    AUTHENTICATION_RESEND_WINDOW,
    TEN_DLC_AUTH_SENDER,
    authentication_steps,
    describe_reminder,
)
from regwatch_alerts.target_content import describe_target
from regwatch_alerts.wording import (
    FIELD_PATH_SEPARATOR,
    STATUS_PHRASES,
    affects_text,
    field_path_in_words,
    format_time,
    humanize_registration_type,
    humanize_status,
    registration_label,
    status_phrase,
)

_REGISTRATION_DETAIL_TYPE_VERBS = {
    "Registration Discovered": "discovered",
    "Registration Deleted": "deleted",
}


def _when_words(event: RegwatchEvent) -> str:
    detail = event.detail
    if detail.status_timestamp:
        return f"at {format_time(detail.status_timestamp)}"
    return f"(noticed by regwatch at {format_time(detail.observed_at)}; AWS gives no exact time)"


def _what_happened(event: RegwatchEvent) -> tuple[str, str]:
    """(headline phrase after the registration id, summary sentence)."""
    detail = event.detail
    kind = humanize_registration_type(detail.registration_type)
    if detail.registration_name:
        name = f"{detail.registration_name} ({kind}, {detail.registration_id})"
    else:
        name = f"{detail.registration_id} ({kind})"
    new = humanize_status(detail.status)
    old = humanize_status(detail.previous_status)
    if detail.scope is Scope.REGISTRATION:
        verb = _REGISTRATION_DETAIL_TYPE_VERBS.get(event.detail_type)
        if verb == "discovered":
            return (
                f"{status_phrase(detail.status)} (newly watched)",
                f"regwatch started watching {name} {_when_words(event)}. Its status is {new}.",
            )
        if verb == "deleted":
            return (
                "was deleted",
                f"{name} is no longer listed by the API {_when_words(event)}. Last known status: {old}.",
            )
        return status_phrase(detail.status), f"{name} went from {old} to {new} {_when_words(event)}."
    version = f"version {detail.version_number}"
    if detail.previous_status is None:
        return (
            f"{version} {status_phrase(detail.status)}",
            f"Version {detail.version_number} of {name} is {new} {_when_words(event)}.",
        )
    return (
        f"{version} {status_phrase(detail.status)}",
        f"Version {detail.version_number} of {name} went from {old} to {new} {_when_words(event)}.",
    )


_DELETED_STEPS = [
    "If nobody meant to delete it, check CloudTrail for DeleteRegistration or "
    "DiscardRegistrationVersion calls in this account and region."
]
_REVOKED_STEPS = [
    "Messages using this registration's phone numbers or sender IDs may be blocked now.",
    "Open the registration in the console for the reason, then contact AWS Support.",
]


def _denial_steps(event: RegwatchEvent) -> list[str]:
    detail = event.detail
    if detail.denied_reasons and detail.field_feedback:
        first = "Read each denial reason and each flagged field listed in this alert and fix what they name."
    elif detail.denied_reasons:
        first = "Read each denial reason listed in this alert and fix what it names."
    elif detail.field_feedback:
        first = "Fix each flagged field listed in this alert."
    else:
        first = "Open the registration in the console and read the denial reasons of its latest version."
    verdict = resubmit_step(detail.denied_reasons, detail.registration_id)
    return [
        first,
        verdict or "Then create a new version of the registration with the fixes and submit it again.",
    ]


def _next_steps(event: RegwatchEvent) -> list[str]:
    detail = event.detail
    status = detail.status
    if detail.scope is Scope.REGISTRATION and event.detail_type == "Registration Deleted":
        steps = _DELETED_STEPS
    elif status == "REQUIRES_AUTHENTICATION":
        steps = authentication_steps(event)
    elif status in {"DENIED", "REQUIRES_UPDATES"}:
        steps = _denial_steps(event)
    elif status == "REVOKED":
        steps = _REVOKED_STEPS
    elif detail.severity is Severity.GOOD_NEWS:
        steps = ["Nothing to do."]
    elif status not in STATUS_PHRASES:
        steps = [
            f"regwatch does not know the status {status} yet: open the registration in the console "
            "to check whether AWS needs something from you."
        ]
    else:
        steps = ["Nothing to do now. regwatch alerts again when action is needed."]
    return list(steps)


def _notes(event: RegwatchEvent) -> list[str]:
    detail = event.detail
    notes = []
    if detail.baseline:
        notes.append(
            "Found on regwatch's first scan of this registration: the status may be older than this alert."
        )
    if detail.truncated:
        fields = ", ".join(detail.truncated_fields) or "some texts"
        notes.append(
            f"Some texts were shortened to fit the event size limit ({fields}); the console has them in full."
        )
    return notes


def describe(event: RegwatchEvent) -> AlertContent:
    """The channel-independent content of one alert."""
    detail = event.detail
    if detail.scope is Scope.TARGET:
        return describe_target(event)
    if detail.scope in MESSAGING_SCOPES:
        return describe_messaging_resource(event)
    if detail.reminder is not None:
        return describe_reminder(event)
    severity = detail.severity
    phrase, summary = _what_happened(event)
    when = detail.status_timestamp or detail.observed_at
    new = humanize_status(detail.status)
    change = new if detail.previous_status is None else f"{humanize_status(detail.previous_status)} → {new}"
    label = registration_label(detail.registration_name, detail.registration_id)
    facts = [Fact("Registration", label)]
    if detail.registration_name:
        facts.append(Fact("Registration ID", detail.registration_id))
    facts.append(Fact("Type", humanize_registration_type(detail.registration_type)))
    if detail.scope is Scope.VERSION:
        registration_status = humanize_status(detail.registration_status)
        if (
            detail.registration_previous_status
            and detail.registration_previous_status != detail.registration_status
        ):
            registration_status = (
                f"{humanize_status(detail.registration_previous_status)} → {registration_status}"
            )
        facts += [
            Fact(f"Version {detail.version_number}", change),
            Fact("Registration status", registration_status),
        ]
    else:
        facts.append(Fact("Registration status", change))
    affects = affects_text(detail.associations, detail.association_count, detail.association_count_at_least)
    if affects:
        facts.append(Fact("Affects", affects))
    if detail.status == "REQUIRES_AUTHENTICATION" and detail.status_timestamp is not None:
        deadline = detail.status_timestamp + AUTHENTICATION_LINK_VALIDITY
        facts.append(Fact("Link expires (estimate)", format_time(deadline)))
    facts += [
        Fact("When", format_time(when) if detail.status_timestamp else f"{format_time(when)} (noticed)"),
        Fact("Region", detail.region),
        Fact("Account", detail.account_id),
    ]
    return AlertContent(
        severity=severity,
        severity_label=SEVERITY_LABELS[severity],
        emoji=SEVERITY_EMOJI[severity],
        headline=f"{SEVERITY_LABELS[severity]}: {label} {phrase}",
        summary=summary,
        facts=tuple(facts),
        next_steps=tuple(_next_steps(event)),
        reasons=with_fixes(detail.denied_reasons),
        flagged_fields=tuple(
            FlaggedField(field_path_in_words(f.field_path), f.field_path, f.denied_reason, f.feedback)
            for f in detail.field_feedback
        ),
        feedback=detail.feedback,
        notes=tuple(_notes(event)),
        console_url=detail.console_url,
        registration_id=detail.registration_id,
        status=detail.status,
        event_id=detail.event_id,
    )


__all__ = [  # what renderers and the command import from here (moved by job, kept importable)
    "AUTHENTICATION_LINK_VALIDITY",
    "AUTHENTICATION_RESEND_WINDOW",
    "FIELD_PATH_SEPARATOR",
    "SEVERITY_EMOJI",
    "SEVERITY_LABELS",
    "TEN_DLC_AUTH_SENDER",
    "AlertContent",
    "Fact",
    "FlaggedField",
    "affects_text",
    "describe",
    "field_path_in_words",
    "format_time",
    "humanize_registration_type",
    "humanize_status",
    "registration_label",
    "status_phrase",
]
