"""Domain model of registrations, versions and transitions.

Pure data: no boto3, no environment. Statuses are plain strings on purpose: the API
adds statuses (AWS_REVIEWING, REQUIRES_OFFLINE_REVIEW arrived after launch) and
regwatch must carry unknown ones through instead of failing to parse them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Scope(StrEnum):
    """Which level of the registration a transition belongs to."""

    VERSION = "VERSION"
    REGISTRATION = "REGISTRATION"
    # Contract 1.1: a target (account, region) became unhealthy or recovered (regwatch.health_events).
    TARGET = "TARGET"
    # Contract 1.2: an RCS agent's launch in one country / a Notify configuration
    # (regwatch.messaging_events).
    RCS_LAUNCH = "RCS_LAUNCH"
    NOTIFY_CONFIGURATION = "NOTIFY_CONFIGURATION"


class RegistrationChange(StrEnum):
    """Kinds of registration-level transitions."""

    STATUS_CHANGED = "STATUS_CHANGED"
    DISCOVERED = "DISCOVERED"
    DELETED = "DELETED"


# Version statuses of today's API model. Others may appear and must flow through.
KNOWN_VERSION_STATUSES: tuple[str, ...] = (
    "DRAFT",
    "SUBMITTED",
    "AWS_REVIEWING",
    "REVIEWING",
    "REQUIRES_AUTHENTICATION",
    "REQUIRES_OFFLINE_REVIEW",
    "APPROVED",
    "DENIED",
    "DISCARDED",
    "REVOKED",
    "ARCHIVED",
)

_HISTORY_SUFFIX = "Timestamp"
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def status_for_history_key(key: str) -> str:
    """Map a `RegistrationVersionStatusHistory` key to its status.

    `AwsReviewingTimestamp` -> `AWS_REVIEWING`. Works for keys AWS adds later, as long
    as they keep the `<CamelStatus>Timestamp` convention; other keys map to their
    upper-snake form so they are never dropped.
    """
    stem = key[: -len(_HISTORY_SUFFIX)] if key.endswith(_HISTORY_SUFFIX) and key != _HISTORY_SUFFIX else key
    return _CAMEL_BOUNDARY.sub("_", stem).upper()


def history_key_for_status(status: str) -> str:
    """Inverse of `status_for_history_key`: `AWS_REVIEWING` -> `AwsReviewingTimestamp`."""
    return "".join(part.capitalize() for part in status.split("_")) + _HISTORY_SUFFIX


@dataclass(frozen=True, slots=True)
class DeniedReason:
    """One entry of a version's `DeniedReasons`."""

    reason: str
    short_description: str
    long_description: str | None = None
    documentation_title: str | None = None
    documentation_link: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationVersion:
    """One version of a registration, as `DescribeRegistrationVersions` returns it."""

    version_number: int
    status: str
    # API keys (e.g. "DraftTimestamp") to aware UTC datetimes; unknown keys kept.
    status_history: Mapping[str, datetime]
    denied_reasons: tuple[DeniedReason, ...] = ()
    feedback: str | None = None

    def history_by_status(self) -> dict[str, datetime]:
        """The status history keyed by status name instead of API key."""
        return {status_for_history_key(k): v for k, v in self.status_history.items()}


Fingerprint = tuple[str, int, int | None, int | None]


class SummaryFingerprint:
    """The summary fields whose change means a version may have changed: one definition for
    the API's summary, the stored snapshot and the planning entry, which are compared."""

    __slots__ = ()
    registration_status: str
    current_version_number: int
    approved_version_number: int | None
    latest_denied_version_number: int | None

    def fingerprint(self) -> Fingerprint:
        return (
            self.registration_status,
            self.current_version_number,
            self.approved_version_number,
            self.latest_denied_version_number,
        )


@dataclass(frozen=True, slots=True)
class RegistrationSummary(SummaryFingerprint):
    """One registration, as `DescribeRegistrations` returns it."""

    registration_id: str
    registration_arn: str
    registration_type: str
    registration_status: str
    current_version_number: int
    approved_version_number: int | None = None
    latest_denied_version_number: int | None = None
    created_timestamp: datetime | None = None
    additional_attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Association:
    """What a registration is attached to (`ListRegistrationAssociations`)."""

    resource_type: str
    resource_id: str
    resource_arn: str | None = None
    phone_number: str | None = None
    iso_country_code: str | None = None


@dataclass(frozen=True, slots=True)
class AssociationListing:
    """What `ListRegistrationAssociations` answered: the associations read and their count.

    `count` is the true total when `complete`; otherwise regwatch stopped paging at its cap
    and there are at least `count` (contract 1.2, `associationCountAtLeast`).
    """

    associations: tuple[Association, ...]
    count: int
    complete: bool = True


@dataclass(frozen=True, slots=True)
class FieldFeedback:
    """A form field the reviewer flagged (`DescribeRegistrationFieldValues`)."""

    field_path: str
    denied_reason: str | None = None
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationFieldValue:
    """One field of a version's form (`DescribeRegistrationFieldValues`), as regwatch uses it."""

    field_path: str
    text_value: str | None = None
    select_choices: tuple[str, ...] = ()
    denied_reason: str | None = None
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationProfile:
    """How people know a registration and what it affects; read only when a version changes.

    `name_source` says where the name came from (`tag:Name`, `field:<path>`); None with
    `name` None when nothing was found (alerts fall back to the id).
    """

    name: str | None = None
    name_source: str | None = None
    # The version whose form fields the name was looked up in (None: never looked up).
    fields_version: int | None = None
    associations: tuple[Association, ...] = ()
    # How many associations there are (every page is counted up to a cap; the event names at
    # most 20); `association_count_at_least`: the cap was reached, there may be more.
    association_count: int = 0
    associations_read: bool = False
    association_count_at_least: bool = False
    # Field-level reviewer feedback of the current version (DENIED / REQUIRES_UPDATES).
    field_feedback_version: int | None = None
    field_feedback: tuple[FieldFeedback, ...] = ()


@dataclass(frozen=True, slots=True)
class Transition:
    """One observed status change, at version or registration level.

    `status_timestamp` is the API's own timestamp for the status, or None when the
    API gives none (REQUIRES_OFFLINE_REVIEW, registration-level changes); then
    `observed_at` is the best time known. `dedup_key` distinguishes transitions that
    have no timestamp, so that the same change seen again gets the same event id.
    """

    scope: Scope
    registration: RegistrationSummary
    status: str
    previous_status: str | None
    status_timestamp: datetime | None
    observed_at: datetime
    version: RegistrationVersion | None = None
    registration_change: RegistrationChange | None = None
    dedup_key: str = ""
    baseline: bool = False
    # One alert per change in the world: False on a registration-level transition whose
    # cause (a version transition) was seen in the same scan; that version's event alerts.
    alert: bool = True
    # On the version transition that carries the alert for a registration-level status
    # change seen with it: the registration's status before that change.
    registration_previous_status: str | None = None
    # Name, associations and field feedback known for the registration (None: never read).
    profile: RegistrationProfile | None = None
