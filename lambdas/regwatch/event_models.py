"""Contract-v1 events as a consumer receives them from EventBridge.

The consumer-side twin of `regwatch.events` (the producer). Parsed with Powertools'
parser so a foreign or malformed input fails with an error naming the field. Models
allow unknown fields: minor versions of the contract may add fields (docs/events.md).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from regwatch.events import SCHEMA_VERSION
from regwatch.model import Scope
from regwatch.notification_errors import InvalidEvent
from regwatch.severity import Severity

SUPPORTED_MAJOR_VERSION = SCHEMA_VERSION.split(".")[0]
_SCHEMA_VERSION_FORMAT = re.compile(r"^(\d+)\.(\d+)$")


def check_major_version(value: str) -> str:
    """Accept any 1.x; reject other majors and malformed versions, naming the problem."""
    match = _SCHEMA_VERSION_FORMAT.match(value)
    if match is None:
        raise ValueError(f"schemaVersion must look like '<major>.<minor>', got {value[:20]!r}")
    if match.group(1) != SUPPORTED_MAJOR_VERSION:
        raise ValueError(
            f"schemaVersion {value!r} has major version {match.group(1)}; "
            f"this consumer understands major version {SUPPORTED_MAJOR_VERSION} only"
        )
    return value


class _ContractModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class DeniedReasonDetail(_ContractModel):
    """One entry of `detail.deniedReasons`."""

    reason: str
    short_description: str = Field(alias="shortDescription")
    long_description: str | None = Field(alias="longDescription")
    documentation_title: str | None = Field(alias="documentationTitle")
    documentation_link: str | None = Field(alias="documentationLink")


# Required on registration and version events (contract 1.0); target health events (1.1,
# scope TARGET) describe an account and region instead and do not carry them.
_REGISTRATION_FIELDS = (
    "baseline",
    "registration_id",
    "registration_arn",
    "registration_type",
    "registration_status",
    "version_number",
    "previous_status",
    "status_timestamp",
    "status_history",
    "denied_reasons",
    "feedback",
    "console_url",
    "truncated",
    "truncated_fields",
)


class AssociationDetail(_ContractModel):
    """One entry of `detail.associations` (contract 1.1)."""

    resource_type: str = Field(alias="resourceType")
    resource_id: str = Field(alias="resourceId")
    resource_arn: str | None = Field(default=None, alias="resourceArn")
    phone_number: str | None = Field(default=None, alias="phoneNumber")
    iso_country_code: str | None = Field(default=None, alias="isoCountryCode")


class FieldFeedbackDetail(_ContractModel):
    """One entry of `detail.fieldFeedback` (contract 1.1)."""

    field_path: str = Field(alias="fieldPath")
    denied_reason: str | None = Field(default=None, alias="deniedReason")
    feedback: str | None = None


class ReminderDetail(_ContractModel):
    """`detail.reminder` of a "Registration Reminder" event (contract 1.1)."""

    kind: str  # open set: kinds added later flow through
    deadline: datetime
    threshold_at: datetime = Field(alias="thresholdAt")
    since: datetime | None = None
    estimated: bool = True
    basis: str = ""


class CarrierStatusDetail(_ContractModel):
    """One entry of `detail.carrierStatuses` of an "RCS Launch Status Change" (contract 1.2)."""

    carrier_name: str = Field(alias="carrierName")
    status: str  # open set, like every status
    previous_status: str | None = Field(default=None, alias="previousStatus")


# Contract 1.2: scopes of RCS launch / Notify configuration events (regwatch.messaging_events);
# they describe a resource (`resourceId`...) instead of a registration version.
MESSAGING_SCOPES = frozenset({Scope.RCS_LAUNCH, Scope.NOTIFY_CONFIGURATION})


class RegwatchDetail(_ContractModel):
    """`detail` of a contract-v1 event; field meanings are in docs/events.md."""

    schema_version: str = Field(alias="schemaVersion")
    event_id: str = Field(alias="eventId", min_length=1)
    scope: Scope
    severity: Severity
    baseline: bool = False
    account_id: str = Field(alias="accountId")
    region: str
    registration_id: str = Field("", alias="registrationId")
    registration_arn: str = Field("", alias="registrationArn")
    registration_type: str = Field("", alias="registrationType")
    registration_status: str = Field("", alias="registrationStatus")
    version_number: int = Field(0, alias="versionNumber")
    status: str
    previous_status: str | None = Field(None, alias="previousStatus")
    status_timestamp: datetime | None = Field(None, alias="statusTimestamp")
    observed_at: datetime = Field(alias="observedAt")
    # Added in 1.2: when `status` began, the ordering key's time (regwatch/ordering.py).
    status_since: datetime | None = Field(None, alias="statusSince")
    status_history: dict[str, datetime] = Field(default_factory=dict, alias="statusHistory")
    denied_reasons: list[DeniedReasonDetail] = Field(default_factory=list, alias="deniedReasons")
    feedback: str | None = None
    console_url: str = Field("", alias="consoleUrl")
    truncated: bool = False
    truncated_fields: list[str] = Field(default_factory=list, alias="truncatedFields")
    # Added in 1.1: optional with the meaning a 1.0 event had (docs/events.md).
    alert: bool = True
    registration_previous_status: str | None = Field(default=None, alias="registrationPreviousStatus")
    registration_name: str | None = Field(default=None, alias="registrationName")
    registration_name_source: str | None = Field(default=None, alias="registrationNameSource")
    associations: list[AssociationDetail] = Field(default_factory=list)
    association_count: int = Field(default=0, alias="associationCount")
    # 1.2: the count stopped at regwatch's page cap; there are at least `associationCount`.
    association_count_at_least: bool = Field(default=False, alias="associationCountAtLeast")
    field_feedback: list[FieldFeedbackDetail] = Field(default_factory=list, alias="fieldFeedback")
    reminder: ReminderDetail | None = None
    # 1.1, target health events ("Target Unhealthy" / "Target Recovered", scope TARGET).
    reason: str | None = None
    error_code: str | None = Field(None, alias="errorCode")
    message: str | None = None
    since: datetime | None = None
    consecutive_failures: int | None = Field(None, alias="consecutiveFailures")
    # 1.2, "Target Deletions Held" (scope TARGET): the flood guard held a cycle's deletions.
    held_deletions: int | None = Field(None, alias="heldDeletions")
    registrations_known: int | None = Field(None, alias="registrationsKnown")
    # 1.2, RCS launch / Notify configuration events (scopes RCS_LAUNCH / NOTIFY_CONFIGURATION).
    resource_type: str | None = Field(None, alias="resourceType")
    resource_id: str | None = Field(None, alias="resourceId")
    resource_arn: str | None = Field(None, alias="resourceArn")
    resource_name: str | None = Field(None, alias="resourceName")
    iso_country_code: str | None = Field(None, alias="isoCountryCode")
    carrier_statuses: list[CarrierStatusDetail] = Field(default_factory=list, alias="carrierStatuses")
    changed_carriers: list[str] = Field(default_factory=list, alias="changedCarriers")
    rejection_reason: str | None = Field(None, alias="rejectionReason")
    previous_rejection_reason: str | None = Field(None, alias="previousRejectionReason")
    tier: str | None = None
    tier_upgrade_status: str | None = Field(None, alias="tierUpgradeStatus")

    @model_validator(mode="after")
    def _registration_fields_unless_target(self) -> RegwatchDetail:
        if self.scope is Scope.TARGET:
            if self.since is None or self.reason is None:
                raise ValueError("a TARGET event needs 'since' and 'reason'")
            return self
        if self.scope in MESSAGING_SCOPES:
            if not self.resource_id:
                raise ValueError(f"a {self.scope.value} event needs a non-empty 'resourceId'")
            return self
        missing = [name for name in _REGISTRATION_FIELDS if name not in self.model_fields_set]
        if missing:
            aliases = [type(self).model_fields[name].alias or name for name in missing]
            raise ValueError(f"missing fields of a {self.scope.value} event: {', '.join(aliases)}")
        if not self.registration_id:
            raise ValueError("registrationId must not be empty")
        return self

    @field_validator("schema_version")
    @classmethod
    def _same_major_version(cls, value: str) -> str:
        return check_major_version(value)


class RegwatchEvent(EventBridgeModel):
    """A whole EventBridge event carrying a contract-v1 detail."""

    detail: RegwatchDetail


def _describe(error: ValidationError) -> str:
    # Name the field and the problem, never echo the input: it may be huge.
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "event"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def parse_regwatch_event(raw: Any, expected_source: str) -> RegwatchEvent:
    """Validate an EventBridge event as contract v1 from `expected_source`.

    Raises InvalidEvent with every problem found, naming the fields.
    """
    if not isinstance(raw, dict):
        raise InvalidEvent(
            f"not a regwatch event: expected an EventBridge event object, got {type(raw).__name__}"
        )
    source = raw.get("source")
    if source != expected_source:
        raise InvalidEvent(
            f"not a regwatch event: source {str(source)[:100]!r} "
            f"is not the configured source {expected_source!r}"
        )
    try:
        return parse(event=raw, model=RegwatchEvent)
    except ValidationError as error:
        raise InvalidEvent(f"not a valid regwatch contract-v1 event: {_describe(error)}") from None


# ---- contract 1.1: the daily digest ("Registration Digest") ----------------------------

DIGEST_DETAIL_TYPE = "Registration Digest"


class DigestLineDetail(_ContractModel):
    account_id: str = Field(alias="accountId")
    region: str
    registration_id: str = Field(alias="registrationId")
    registration_name: str | None = Field(default=None, alias="registrationName")
    registration_type: str = Field(alias="registrationType")
    version_number: int = Field(alias="versionNumber")
    status: str
    at: datetime | None = None
    deadline: datetime | None = None
    note: str = ""


class DigestSectionDetail(_ContractModel):
    total: int
    items: list[DigestLineDetail]


class DigestTargetDetail(_ContractModel):
    account_id: str = Field(alias="accountId")
    region: str
    by_status: dict[str, int] = Field(alias="byStatus")
    last_complete_scan_at: datetime | None = Field(default=None, alias="lastCompleteScanAt")


class DigestDetail(_ContractModel):
    schema_version: str = Field(alias="schemaVersion")
    event_id: str = Field(alias="eventId", min_length=1)
    day: str
    timezone: str
    generated_at: datetime = Field(alias="generatedAt")
    targets: list[DigestTargetDetail]
    changes: DigestSectionDetail
    needs_human: DigestSectionDetail = Field(alias="needsHuman")
    overdue_reviews: DigestSectionDetail = Field(alias="overdueReviews")

    @field_validator("schema_version")
    @classmethod
    def _same_major_version(cls, value: str) -> str:
        return check_major_version(value)


class DigestEvent(EventBridgeModel):
    detail: DigestDetail


Notification = RegwatchEvent | DigestEvent


def parse_notification(raw: Any, expected_source: str) -> Notification:
    """A transition/reminder event, or the daily digest (by detail-type)."""
    if (
        isinstance(raw, dict)
        and raw.get("detail-type") == DIGEST_DETAIL_TYPE
        and raw.get("source") == expected_source
    ):
        try:
            return parse(event=raw, model=DigestEvent)
        except ValidationError as error:
            raise InvalidEvent(f"not a valid regwatch digest event: {_describe(error)}") from None
    return parse_regwatch_event(raw, expected_source)
