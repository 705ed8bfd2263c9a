"""The content of a reminder (contract 1.1 `Registration Reminder`): what is due, by when, what to do."""

from __future__ import annotations

from datetime import timedelta

from regwatch.event_models import RegwatchEvent
from regwatch_alerts.content_model import SEVERITY_LABELS, AlertContent, Fact
from regwatch_alerts.wording import (
    format_time,
    humanize_registration_type,
    humanize_status,
    registration_label,
)

# AWS End User Messaging user guide ("Resend a 10DLC brand email authentication"): the
# link in the authentication email is valid for 7 days, and it can be resent for 30
# days after submission. Documented for 10DLC brands; other types are assumed alike,
# so messages call the deadline an estimate.
AUTHENTICATION_LINK_VALIDITY = timedelta(days=7)
AUTHENTICATION_RESEND_WINDOW = timedelta(days=30)
TEN_DLC_AUTH_SENDER = "noreply@auth.campaignregistry.com"


def authentication_steps(event: RegwatchEvent) -> list[str]:
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
    find_email = authentication_steps(event)[0]
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


def describe_reminder(event: RegwatchEvent) -> AlertContent:
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
