"""What a person must learn from one regwatch event, independent of the channel.

Slack, SNS text and Chatbot renderers all format this one description, so every
channel answers the same questions: which registration, what happened, how urgent,
what to do next, where to click. Texts here are plain and unescaped; each renderer
escapes for its own markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from regwatch.event_models import AssociationDetail, DeniedReasonDetail, RegwatchEvent
from regwatch.model import Scope
from regwatch.severity import Severity

# AWS End User Messaging user guide ("Resend a 10DLC brand email authentication"): the
# link in the authentication email is valid for 7 days, and it can be resent for 30
# days after submission. Documented for 10DLC brands; other types are assumed alike,
# so messages call the deadline an estimate.
AUTHENTICATION_LINK_VALIDITY = timedelta(days=7)
AUTHENTICATION_RESEND_WINDOW = timedelta(days=30)
TEN_DLC_AUTH_SENDER = "noreply@auth.campaignregistry.com"

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

_REGISTRATION_DETAIL_TYPE_VERBS = {
    "Registration Discovered": "discovered",
    "Registration Deleted": "deleted",
}
_UPPER_WORDS = {"US", "CA", "UK", "EU", "SMS", "MMS", "ID", "AWS", "TFN", "DLC", "KYC", "OTP"}


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


def humanize_status(status: str | None) -> str:
    """`REQUIRES_AUTHENTICATION` -> `Requires authentication`; None -> `none`."""
    if not status:
        return "none"
    words = status.replace("-", "_").split("_")
    text = " ".join(w.upper() if w.upper() in _UPPER_WORDS else w.lower() for w in words if w)
    return text[:1].upper() + text[1:]


def humanize_registration_type(registration_type: str) -> str:
    """`US_TEN_DLC_BRAND_REGISTRATION` -> `US 10DLC brand registration`."""
    text = registration_type.replace("TEN_DLC", "10DLC")
    words = [w for w in text.split("_") if w]
    return " ".join(w if w.upper() in _UPPER_WORDS or w == "10DLC" else w.lower() for w in words)


_CAMEL_WORDS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-zA-Z])(?=[0-9])")
# Abbreviations the forms use in field paths, as people write them.
_FIELD_WORDS = {"url": "URL", "ein": "EIN", "id": "ID", "us": "US", "sms": "SMS", "mms": "MMS", "tfn": "TFN"}
FIELD_PATH_SEPARATOR = " › "


def field_path_in_words(field_path: str, separator: str = FIELD_PATH_SEPARATOR) -> str:
    """`companyInfo.companyWebsiteUrl` -> `Company info › Company website URL`.

    Field paths AWS adds later read the same way; an odd one is shown as it is.
    """
    parts = []
    for part in field_path.split("."):
        words = _CAMEL_WORDS.sub(" ", part).replace("_", " ").split()
        if not words:
            continue
        words = [_FIELD_WORDS.get(w.lower(), w if w.isupper() and len(w) > 1 else w.lower()) for w in words]
        text = " ".join(words)
        parts.append(text[:1].upper() + text[1:])
    return separator.join(parts) or field_path


def registration_label(registration_name: str | None, registration_id: str) -> str:
    """How alerts name a registration: its owners' name, else its id."""
    return registration_name or registration_id


MAX_ASSOCIATIONS_NAMED = 5


def _association_label(association: AssociationDetail) -> str:
    return association.phone_number or association.resource_id


def affects_text(associations: list[AssociationDetail], total: int, at_least: bool = False) -> str | None:
    """`+12065550100, +12065550101 and 3 more`; None when nothing is associated.

    `at_least`: regwatch stopped counting at its page cap (`and at least 998 more`).
    """
    total = max(total, len(associations))
    if not total:
        return None
    named = [_association_label(a) for a in associations[:MAX_ASSOCIATIONS_NAMED]]
    hidden = total - len(named)
    more = "at least " if at_least else ""
    if not named:
        return f"{more}{total} resources"
    return ", ".join(named) + (f" and {more}{hidden} more" if hidden > 0 else "")


def format_time(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# How each status reads at the end of "registration-… version 2 …" / "registration-… …".
STATUS_PHRASES: dict[str, str] = {
    "DRAFT": "was created as a draft",
    "CREATED": "was created",
    "SUBMITTED": "was submitted",
    "AWS_REVIEWING": "is in review by AWS",
    "REVIEWING": "is in review",
    "REQUIRES_AUTHENTICATION": "needs authentication",
    "REQUIRES_OFFLINE_REVIEW": "needs an offline review",
    "APPROVED": "was approved",
    "DENIED": "was denied",
    "DISCARDED": "was discarded",
    "REVOKED": "was revoked",
    "ARCHIVED": "was archived",
    "PROVISIONING": "is being provisioned",
    "COMPLETE": "is complete",
    "REQUIRES_UPDATES": "needs updates",
    "CLOSED": "was closed",
    "DELETED": "was deleted",
}


def status_phrase(status: str) -> str:
    # Unknown statuses keep their API code: it is what people search the docs for.
    return STATUS_PHRASES.get(status, f"is now {status}")


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


def _authentication_steps(event: RegwatchEvent) -> list[str]:
    detail = event.detail
    is_ten_dlc = "TEN_DLC" in detail.registration_type
    sender = f" from {TEN_DLC_AUTH_SENDER}" if is_ten_dlc else ""
    steps = [
        f"Find the authentication email{sender} sent to the registration's contact email address "
        "(check spam folders) and follow its link to confirm.",
    ]
    started = detail.status_timestamp
    if started is not None:
        link_expires = started + AUTHENTICATION_LINK_VALIDITY
        # AWS counts the resend window from the submission, when the history has it.
        submitted = detail.status_history.get("SubmittedTimestamp", started)
        resend_closes = submitted + AUTHENTICATION_RESEND_WINDOW
        deadline, resend_until = format_time(link_expires), format_time(resend_closes)
        if resend_closes > link_expires:
            steps.append(
                f"Deadline (estimate): the link is valid for 7 days, so until about {deadline}. "
                f"If it expired, resend the email from the console until about {resend_until}; "
                "after that the registration must be discarded and submitted again."
            )
        else:
            # A long review: the resend window closes before this link expires, so this link
            # is the last chance; saying "resend until <a past time>" would mislead.
            steps.append(
                f"Deadline (estimate): the link is valid for 7 days, so until about {deadline}. "
                f"Do not let it expire: resending is only possible until about {resend_until} "
                "(30 days after submission); after that the registration must be discarded and "
                "submitted again."
            )
    else:
        steps.append(
            "The link stays valid for about 7 days after the email was sent; "
            "if it expired, resend it from the console."
        )
    return steps


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
    return [first, "Then create a new version of the registration with the fixes and submit it again."]


def _next_steps(event: RegwatchEvent) -> list[str]:
    detail = event.detail
    status = detail.status
    if detail.scope is Scope.REGISTRATION and event.detail_type == "Registration Deleted":
        steps = _DELETED_STEPS
    elif status == "REQUIRES_AUTHENTICATION":
        steps = _authentication_steps(event)
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


def _describe_target(event: RegwatchEvent) -> AlertContent:
    """A 1.1 target health event (scope TARGET): which account and Region, why, since when."""
    detail = event.detail
    target = f"account {detail.account_id} in {detail.region}"
    recovered = detail.status == "TARGET_RECOVERED"
    since = format_time(detail.since)
    summary = (
        f"regwatch can scan {target} again (failing since {since})."
        if recovered
        else f"regwatch cannot scan {target} since {since}: {detail.reason} ({detail.error_code}). "
        "Its registrations are not watched until this is fixed; other targets are unaffected."
    )
    steps = (
        () if recovered else ("Check the spoke role and the account's SMS access (docs/organizations.md).",)
    )
    facts = [Fact("Account", detail.account_id), Fact("Region", detail.region), Fact("Since", since)]
    if not recovered:
        facts += [Fact("Reason", humanize_status(detail.reason)), Fact("Error", detail.message or "")]
    return AlertContent(
        severity=detail.severity,
        severity_label=SEVERITY_LABELS[detail.severity],
        emoji=SEVERITY_EMOJI[detail.severity],
        headline=f"{SEVERITY_LABELS[detail.severity]}: {target} "
        + ("recovered" if recovered else "cannot be scanned"),
        summary=summary,
        facts=tuple(facts),
        next_steps=steps,
        reasons=(),
        feedback=None,
        notes=(),
        console_url=f"https://{detail.region}.console.aws.amazon.com/sms-voice/home?region={detail.region}",
        registration_id=f"{detail.account_id}/{detail.region}",
        flagged_fields=(),
        status=detail.status,
        event_id=detail.event_id,
    )


def _days_words(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    if days < 1:
        hours = max(1, round(days * 24))
        return f"{hours} hour" + ("s" if hours != 1 else "")
    whole = round(days)
    return f"{whole} day" + ("s" if whole != 1 else "")


_RESEND_STEP = (
    "Resend the authentication email from the console (open the registration, then resend the "
    "brand authentication email) and follow its link within 7 days."
)


def _reminder_text(event: RegwatchEvent) -> tuple[str, str, list[str]]:
    """(headline phrase, summary, next steps) of a reminder."""
    detail = event.detail
    reminder = detail.reminder
    assert reminder is not None  # noqa: S101 - only called for reminders
    version = f"version {detail.version_number}"
    deadline = format_time(reminder.deadline)
    # Headlines carry the day only (subjects are short); the summary has the time.
    day = ("about " if reminder.estimated else "") + reminder.deadline.strftime("%Y-%m-%d")
    estimate = " (estimate)" if reminder.estimated else ""
    since = format_time(reminder.since or detail.status_timestamp)
    find_email = _authentication_steps(event)[0]
    waited = detail.observed_at - (reminder.since or detail.observed_at)
    kinds: dict[str, tuple[str, str, list[str]]] = {
        "AUTHENTICATION_LINK_EXPIRING": (
            f"{version}: authentication link expires {day}",
            f"Version {detail.version_number} has been waiting for brand authentication since {since}. "
            f"The link in the authentication email stops working about {deadline}.",
            [find_email, f"If the link already stopped working: {_RESEND_STEP}"],
        ),
        "AUTHENTICATION_LINK_EXPIRED": (
            f"{version}: authentication link has expired{estimate}",
            f"Version {detail.version_number} has waited for brand authentication since {since}; "
            f"the emailed link is about 7 days old and no longer works. The email can be resent until "
            f"about {deadline}; after that the registration must be discarded and submitted again.",
            [_RESEND_STEP, f"Do it before about {deadline}."],
        ),
        "RESEND_WINDOW_CLOSING": (
            f"{version}: last days to authenticate, until {day}",
            f"Version {detail.version_number} still needs brand authentication. The authentication email "
            f"can only be resent until about {deadline} (30 days after submission); after that the "
            "registration must be discarded and submitted again.",
            [find_email, f"If its link expired: {_RESEND_STEP}"],
        ),
        "RESEND_WINDOW_CLOSED": (
            f"{version}: authentication window closed{estimate}",
            f"Version {detail.version_number} was never authenticated and the 30-day resend window closed "
            f"about {deadline}. It cannot be authenticated any more.",
            [
                "Discard this registration version's submission and submit the registration again "
                "(create a new version if the console offers it), then authenticate within 7 days.",
            ],
        ),
        "REVIEW_OVERDUE": (
            f"{version} is still in review after {_days_words(waited)}",
            f"Version {detail.version_number} has been in review since {since}, longer than AWS's "
            f"estimate for this registration type (until about {deadline}).",
            [
                "Nothing is necessarily wrong: reviews can take longer than AWS's estimates.",
                "If it stays in review, open an AWS Support case about this registration.",
            ],
        ),
        "DRAFT_FORGOTTEN": (
            f"{version} is still a draft since {since}",
            f"Version {detail.version_number} was created on {since} and never submitted.",
            ["Finish and submit the draft, or discard it if nobody needs it."],
        ),
    }
    default = (
        f"{version}: reminder {reminder.kind}",
        f"Version {detail.version_number} has a deadline about {deadline}: {reminder.basis}.",
        ["Open the registration in the console to check whether AWS needs something from you."],
    )
    return kinds.get(reminder.kind, default)


def _describe_reminder(event: RegwatchEvent) -> AlertContent:
    detail = event.detail
    reminder = detail.reminder
    assert reminder is not None  # noqa: S101 - only called for reminders
    severity = detail.severity
    phrase, summary, steps = _reminder_text(event)
    label = registration_label(detail.registration_name, detail.registration_id)
    facts = [Fact("Registration", label)]
    if detail.registration_name:
        facts.append(Fact("Registration ID", detail.registration_id))
    facts += [
        Fact("Type", humanize_registration_type(detail.registration_type)),
        Fact(f"Version {detail.version_number}", humanize_status(detail.status)),
        Fact("Deadline" + (" (estimate)" if reminder.estimated else ""), format_time(reminder.deadline)),
        Fact("Waiting since", format_time(reminder.since or detail.status_timestamp)),
        Fact("Region", detail.region),
        Fact("Account", detail.account_id),
    ]
    notes = [f"How the dates were worked out: {reminder.basis}."] if reminder.basis else []
    return AlertContent(
        severity=severity,
        severity_label=SEVERITY_LABELS[severity],
        emoji=":alarm_clock:",
        headline=f"Reminder: {label} {phrase}",
        summary=summary,
        facts=tuple(facts),
        next_steps=tuple(steps),
        reasons=(),
        flagged_fields=(),
        feedback=None,
        notes=tuple(notes),
        console_url=detail.console_url,
        registration_id=detail.registration_id,
        status=detail.status,
        event_id=detail.event_id,
    )


def describe(event: RegwatchEvent) -> AlertContent:
    """The channel-independent content of one alert."""
    detail = event.detail
    if detail.scope is Scope.TARGET:
        return _describe_target(event)
    if detail.reminder is not None:
        return _describe_reminder(event)
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
        reasons=tuple(detail.denied_reasons),
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
