"""How API codes, field paths, times and associations read in an alert: words, not codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from regwatch.event_models import AssociationDetail

_UPPER_WORDS = {"US", "CA", "UK", "EU", "SMS", "MMS", "ID", "AWS", "TFN", "DLC", "KYC", "OTP"}


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
