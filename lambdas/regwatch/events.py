"""Event contract v1: a Transition becomes one EventBridge entry.

This module *is* the producer side of docs/events.md; change a field here only
together with that document and a schema version bump.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from regwatch.model import (
    Association,
    DeniedReason,
    FieldFeedback,
    RegistrationChange,
    RegistrationProfile,
    Scope,
    Transition,
    history_key_for_status,
)
from regwatch.severity import severity_of

SCHEMA_VERSION = "1.2"

# EventBridge rejects entries over 256 KB (Source + DetailType + Detail + Resources).
# Keep a margin for the envelope fields EventBridge counts that we do not control.
MAX_ENTRY_BYTES = 256 * 1024
_ENTRY_BUDGET_BYTES = MAX_ENTRY_BYTES - 4 * 1024
# Long texts are cut to this many characters first, then reasons dropped if still too big.
TRIMMED_TEXT_CHARS = 2000
TRIM_MARKER = "… [trimmed by regwatch]"
# An event names a few of the registration's phone numbers / sender ids; `associationCount`
# says how many there are.
MAX_ASSOCIATIONS_IN_EVENT = 20
# Statuses whose alert shows field-level reviewer feedback (contract 1.1, `fieldFeedback`).
FIELD_FEEDBACK_STATUSES = frozenset({"DENIED", "REQUIRES_UPDATES"})

# Fixed namespace so event ids are stable across deployments and versions of regwatch.
_EVENT_ID_NAMESPACE = uuid.UUID("6f1c4e0a-2f0b-5d7e-9a57-3c1f2d9b8e11")

VERSION_DETAIL_TYPES: Mapping[str, str] = {
    "DRAFT": "Registration Version Created",
    "SUBMITTED": "Registration Version Submitted",
    "AWS_REVIEWING": "Registration Version AWS Reviewing",
    "REVIEWING": "Registration Version Reviewing",
    "REQUIRES_AUTHENTICATION": "Registration Version Requires Authentication",
    "REQUIRES_OFFLINE_REVIEW": "Registration Version Requires Offline Review",
    "APPROVED": "Registration Version Approved",
    "DENIED": "Registration Version Denied",
    "DISCARDED": "Registration Version Discarded",
    "REVOKED": "Registration Version Revoked",
    "ARCHIVED": "Registration Version Archived",
}
UNKNOWN_VERSION_STATUS_DETAIL_TYPE = "Registration Version Status Changed"
REGISTRATION_DETAIL_TYPES: Mapping[RegistrationChange, str] = {
    RegistrationChange.STATUS_CHANGED: "Registration Status Changed",
    RegistrationChange.DISCOVERED: "Registration Discovered",
    RegistrationChange.DELETED: "Registration Deleted",
}
# Contract 1.1: deadline reminders (regwatch/reminder_events.py publishes them).
REMINDER_DETAIL_TYPE = "Registration Reminder"
ALL_DETAIL_TYPES: tuple[str, ...] = (
    *VERSION_DETAIL_TYPES.values(),
    UNKNOWN_VERSION_STATUS_DETAIL_TYPE,
    *REGISTRATION_DETAIL_TYPES.values(),
    REMINDER_DETAIL_TYPE,
    # Contract 1.2 (regwatch/messaging_events.py; named here so the list has no import circle).
    "RCS Launch Status Change",
    "Notify Configuration Status Change",
)


@dataclass(frozen=True, slots=True)
class EventContext:
    """Where events come from and go to; the same for every transition of one scan."""

    account_id: str
    region: str
    source: str
    event_bus_name: str


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z suffix, second precision as the API gives."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_since(status: str, history: Mapping[str, datetime]) -> datetime | None:
    """When a version entered `status`, from its history: the status's own stamp, else (a status
    AWS does not stamp, such as REQUIRES_OFFLINE_REVIEW) the version's latest stamp."""
    own = history.get(history_key_for_status(status))
    return own if own is not None else max(history.values(), default=None)


def _status_since_of(transition: Transition) -> datetime:
    """Contract 1.2 `statusSince`: when the reported status began, by AWS's clock where it gives
    one (the key destinations order by, regwatch/ordering.py). A registration-level status has
    no AWS time: the API showed it at `observedAt`, after every status AWS had stamped by then."""
    if transition.status_timestamp is not None:
        return transition.status_timestamp
    if transition.scope is Scope.VERSION and transition.version is not None:
        since = status_since(transition.status, transition.version.status_history)
        if since is not None:
            return since
    return transition.observed_at


def detail_type_for(transition: Transition) -> str:
    if transition.scope is Scope.REGISTRATION:
        change = transition.registration_change or RegistrationChange.STATUS_CHANGED
        return REGISTRATION_DETAIL_TYPES[change]
    return VERSION_DETAIL_TYPES.get(transition.status, UNKNOWN_VERSION_STATUS_DETAIL_TYPE)


def event_id_for(transition: Transition, account_id: str, region: str) -> str:
    """Deterministic id: the same transition, seen by any scan, gets the same id.

    Timed transitions are identified by their API timestamp; untimed ones by the
    `dedup_key` the diff derived from what preceded them.
    """
    version = transition.version.version_number if transition.version else None
    moment = iso_utc(transition.status_timestamp) if transition.status_timestamp else "untimed"
    parts = [
        "regwatch/v1",
        account_id,
        region,
        transition.registration.registration_id,
        transition.scope.value,
        transition.registration_change.value if transition.registration_change else "",
        str(version),
        transition.status,
        moment,
        transition.dedup_key,
    ]
    return str(uuid.uuid5(_EVENT_ID_NAMESPACE, "|".join(parts)))


def console_url(region: str, registration_id: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/sms-voice/home"
        f"?region={region}#/registrations/{registration_id}"
    )


def _denied_reason_detail(reason: DeniedReason) -> dict[str, str | None]:
    return {
        "reason": reason.reason,
        "shortDescription": reason.short_description,
        "longDescription": reason.long_description,
        "documentationTitle": reason.documentation_title,
        "documentationLink": reason.documentation_link,
    }


def _association_detail(association: Association) -> dict[str, str | None]:
    return {
        "resourceType": association.resource_type,
        "resourceId": association.resource_id,
        "resourceArn": association.resource_arn,
        "phoneNumber": association.phone_number,
        "isoCountryCode": association.iso_country_code,
    }


def _field_feedback_detail(item: FieldFeedback) -> dict[str, str | None]:
    return {"fieldPath": item.field_path, "deniedReason": item.denied_reason, "feedback": item.feedback}


def _field_feedback_for(transition: Transition, version_number: int) -> list[dict[str, str | None]]:
    profile = transition.profile
    if (
        profile is None
        or transition.status not in FIELD_FEEDBACK_STATUSES
        or profile.field_feedback_version != version_number
    ):
        return []
    return [_field_feedback_detail(item) for item in profile.field_feedback]


def _profile_detail(transition: Transition, version_number: int) -> dict[str, Any]:
    """Contract 1.1: how people know the registration, what it affects, which fields were flagged."""
    profile = transition.profile or RegistrationProfile()
    return {
        "alert": transition.alert,
        "registrationPreviousStatus": transition.registration_previous_status,
        "registrationName": profile.name,
        "registrationNameSource": profile.name_source,
        "associations": [_association_detail(a) for a in profile.associations[:MAX_ASSOCIATIONS_IN_EVENT]],
        "associationCount": profile.association_count,
        "associationCountAtLeast": profile.association_count_at_least,
        "fieldFeedback": _field_feedback_for(transition, version_number),
    }


def build_detail(transition: Transition, context: EventContext) -> dict[str, Any]:
    """The `detail` object of contract v1, before any size trimming."""
    registration = transition.registration
    version = transition.version
    version_number = version.version_number if version else registration.current_version_number
    return {
        "schemaVersion": SCHEMA_VERSION,
        "eventId": event_id_for(transition, context.account_id, context.region),
        "scope": transition.scope.value,
        "severity": severity_of(transition.status).value,
        "baseline": transition.baseline,
        "accountId": context.account_id,
        "region": context.region,
        "registrationId": registration.registration_id,
        "registrationArn": registration.registration_arn,
        "registrationType": registration.registration_type,
        "registrationStatus": registration.registration_status,
        "versionNumber": version_number,
        "status": transition.status,
        "previousStatus": transition.previous_status,
        "statusTimestamp": iso_utc(transition.status_timestamp) if transition.status_timestamp else None,
        "observedAt": iso_utc(transition.observed_at),
        "statusSince": iso_utc(_status_since_of(transition)),
        "statusHistory": {k: iso_utc(v) for k, v in version.status_history.items()} if version else {},
        "deniedReasons": [_denied_reason_detail(r) for r in version.denied_reasons] if version else [],
        "feedback": version.feedback if version else None,
        "consoleUrl": console_url(context.region, registration.registration_id),
        "truncated": False,
        "truncatedFields": [],
        **_profile_detail(transition, version_number),
    }


def _trim_text(text: str | None, limit: int) -> tuple[str | None, bool]:
    if text is None or len(text) <= limit:
        return text, False
    return text[: max(0, limit - len(TRIM_MARKER))] + TRIM_MARKER, True


def _entry_size(source: str, detail_type: str, detail_json: str, resources: list[str]) -> int:
    return sum(len(s.encode("utf-8")) for s in (source, detail_type, detail_json, *resources))


def _trim_into(
    item: dict[str, Any], names: tuple[str, ...], limit: int, prefix: str, trimmed: list[str]
) -> None:
    for name in names:
        value, cut = _trim_text(item.get(name), limit)
        item[name] = value
        label = f"{prefix}{name}"
        if cut and label not in trimmed:
            trimmed.append(label)


def _trim_texts(detail: dict[str, Any], limit: int, trimmed: list[str]) -> None:
    """Cut every long text of the detail to `limit` characters, naming what was cut."""
    _trim_into(detail, ("feedback",), limit, "", trimmed)
    for reason in detail["deniedReasons"]:
        names = ("longDescription", "shortDescription", "documentationTitle", "documentationLink")
        _trim_into(reason, names, limit, "deniedReasons.", trimmed)
    for item in detail.get("fieldFeedback", []):
        _trim_into(item, ("deniedReason", "feedback"), limit, "fieldFeedback.", trimmed)


def fit_detail(detail: dict[str, Any], source: str, detail_type: str, resources: list[str]) -> str:
    """Serialize the detail, trimming long texts until the entry fits EventBridge's limit.

    Trimming is announced in the detail (`truncated`, `truncatedFields`) so a consumer
    knows to open the console for the full text.
    """
    detail_json = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
    if _entry_size(source, detail_type, detail_json, resources) <= _ENTRY_BUDGET_BYTES:
        return detail_json
    trimmed: list[str] = []
    limit = TRIMMED_TEXT_CHARS
    while True:
        _trim_texts(detail, limit, trimmed)
        detail["truncated"] = True
        detail["truncatedFields"] = trimmed
        detail_json = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
        if _entry_size(source, detail_type, detail_json, resources) <= _ENTRY_BUDGET_BYTES:
            return detail_json
        if limit > 100:
            limit //= 4
            continue
        # Still too big: AWS's registration-level reasons come first, so field feedback
        # goes before them; keep the first entries.
        if detail.get("fieldFeedback"):
            detail["fieldFeedback"].pop()
            if "fieldFeedback" not in trimmed:
                trimmed.append("fieldFeedback")
            continue
        if detail["deniedReasons"]:
            detail["deniedReasons"].pop()
            if "deniedReasons" not in trimmed:
                trimmed.append("deniedReasons")
            continue
        return detail_json


def build_entry(transition: Transition, context: EventContext) -> dict[str, Any]:
    """A PutEvents entry for the transition (boto3's request shape, built without boto3)."""
    detail_type = detail_type_for(transition)
    resources = [transition.registration.registration_arn]
    detail_json = fit_detail(build_detail(transition, context), context.source, detail_type, resources)
    return {
        "Source": context.source,
        "DetailType": detail_type,
        "Detail": detail_json,
        "Time": transition.status_timestamp or transition.observed_at,
        "Resources": resources,
        "EventBusName": context.event_bus_name,
    }
