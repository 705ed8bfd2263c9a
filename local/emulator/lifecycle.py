"""Registrations, versions and the rules that keep a registration's summary consistent.

The registration summary (status, CurrentVersionNumber, ApprovedVersionNumber,
LatestDeniedVersionNumber) is derived from its versions by `refresh_summary`; which
rules AWS documents and which are inferred is listed in docs/emulator.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from local.emulator.protocol import ACCOUNT_ID, registration_arn

# Version statuses of today's model, and the ones the API lets callers act on.
DRAFT = "DRAFT"
SUBMITTED = "SUBMITTED"
AWS_REVIEWING = "AWS_REVIEWING"
REVIEWING = "REVIEWING"
REQUIRES_AUTHENTICATION = "REQUIRES_AUTHENTICATION"
REQUIRES_OFFLINE_REVIEW = "REQUIRES_OFFLINE_REVIEW"
APPROVED = "APPROVED"
DENIED = "DENIED"
DISCARDED = "DISCARDED"
REVOKED = "REVOKED"
ARCHIVED = "ARCHIVED"

VERSION_STATUSES = (
    DRAFT,
    SUBMITTED,
    AWS_REVIEWING,
    REVIEWING,
    REQUIRES_AUTHENTICATION,
    APPROVED,
    DISCARDED,
    DENIED,
    REVOKED,
    ARCHIVED,
    REQUIRES_OFFLINE_REVIEW,
)
# Statuses without a RegistrationVersionStatusHistory member in the model.
STATUSES_WITHOUT_HISTORY = frozenset({REQUIRES_OFFLINE_REVIEW})
IN_REVIEW = frozenset({SUBMITTED, AWS_REVIEWING, REVIEWING, REQUIRES_AUTHENTICATION, REQUIRES_OFFLINE_REVIEW})
# A new version may be created once the current one is out of the draft/review pipeline.
NEW_VERSION_ALLOWED_AFTER = frozenset({APPROVED, DENIED, DISCARDED, REVOKED, ARCHIVED})

# Version status of the current version -> registration status (see docs/emulator.md).
_REGISTRATION_STATUS_FOR_CURRENT = {
    SUBMITTED: "SUBMITTED",
    AWS_REVIEWING: "AWS_REVIEWING",
    REVIEWING: "REVIEWING",
    REQUIRES_OFFLINE_REVIEW: "REVIEWING",
    REQUIRES_AUTHENTICATION: "REQUIRES_AUTHENTICATION",
    APPROVED: "COMPLETE",
    DENIED: "REQUIRES_UPDATES",
    REVOKED: "REQUIRES_UPDATES",
}


@cache
def history_key(status: str) -> str | None:
    """`AWS_REVIEWING` -> `AwsReviewingTimestamp`; None for statuses the model keeps no time for."""
    if status in STATUSES_WITHOUT_HISTORY:
        return None
    return "".join(part.capitalize() for part in status.split("_")) + "Timestamp"


@dataclass(slots=True)
class FieldValue:
    select_choices: list[str] | None = None
    text_value: str | None = None
    attachment_id: str | None = None
    denied_reason: str | None = None
    feedback: str | None = None

    def to_api(self, field_path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"FieldPath": field_path}
        if self.select_choices is not None:
            out["SelectChoices"] = self.select_choices
        if self.text_value is not None:
            out["TextValue"] = self.text_value
        if self.attachment_id is not None:
            out["RegistrationAttachmentId"] = self.attachment_id
        if self.denied_reason is not None:
            out["DeniedReason"] = self.denied_reason
        if self.feedback is not None:
            out["Feedback"] = self.feedback
        return out


@dataclass(slots=True)
class Version:
    number: int
    status: str
    history: dict[str, float]
    denied_reasons: list[dict[str, str]] = field(default_factory=list)
    feedback: str | None = None
    fields: dict[str, FieldValue] = field(default_factory=dict)

    def move_to(self, status: str, now: float, key: str | None = None) -> None:
        """Enter `status` and stamp its history key (`key` overrides the derived one)."""
        self.status = status
        stamp_key = key if key is not None else history_key(status)
        if stamp_key:
            self.history[stamp_key] = now

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionNumber": self.number,
            "RegistrationVersionStatus": self.status,
            "RegistrationVersionStatusHistory": dict(self.history),
        }
        if self.denied_reasons:
            out["DeniedReasons"] = list(self.denied_reasons)
        if self.feedback is not None:
            out["Feedback"] = self.feedback
        return out


@dataclass(slots=True)
class Registration:
    region: str
    registration_id: str
    registration_type: str
    created: float
    versions: list[Version] = field(default_factory=list)
    status: str = "CREATED"
    current_version_number: int = 1
    approved_version_number: int | None = None
    latest_denied_version_number: int | None = None
    additional_attributes: dict[str, str] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    account: str = ACCOUNT_ID

    @property
    def arn(self) -> str:
        return registration_arn(self.region, self.registration_id, self.account)

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version | None:
        # Versions are numbered 1..n without gaps, so the number is the index + 1.
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        return None

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "RegistrationArn": self.arn,
            "RegistrationId": self.registration_id,
            "RegistrationType": self.registration_type,
            "RegistrationStatus": self.status,
            "CurrentVersionNumber": self.current_version_number,
            "CreatedTimestamp": self.created,
        }
        if self.approved_version_number is not None:
            out["ApprovedVersionNumber"] = self.approved_version_number
        if self.latest_denied_version_number is not None:
            out["LatestDeniedVersionNumber"] = self.latest_denied_version_number
        if self.additional_attributes:
            out["AdditionalAttributes"] = dict(self.additional_attributes)
        return out


def archive_other_approved(registration: Registration, approved: Version, now: float) -> None:
    """AWS documents: the previously approved version is ARCHIVED when a newer one is approved."""
    for version in registration.versions:
        if version is not approved and version.status == APPROVED:
            version.move_to(ARCHIVED, now)


def refresh_summary(registration: Registration) -> None:
    """Derive status and the three version pointers from the versions."""
    versions = registration.versions
    registration.current_version_number = len(versions)
    approved = [v.number for v in versions if v.status == APPROVED]
    registration.approved_version_number = max(approved) if approved else None
    denied = [v.number for v in versions if v.status == DENIED or "DeniedTimestamp" in v.history]
    registration.latest_denied_version_number = max(denied) if denied else None
    current = registration.current.status
    derived = _REGISTRATION_STATUS_FOR_CURRENT.get(current)
    if derived is None:
        if current not in VERSION_STATUSES:
            return  # an unknown status says nothing about the registration: keep it
        # DRAFT / DISCARDED / ARCHIVED current version: the registration keeps what the
        # earlier versions earned.
        if registration.approved_version_number is not None:
            derived = "COMPLETE"
        elif registration.latest_denied_version_number is not None:
            derived = "REQUIRES_UPDATES"
        else:
            derived = "CREATED"
    registration.status = derived
