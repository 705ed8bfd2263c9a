"""Reading the registration API's answers into domain values, one item at a time.

An item regwatch cannot read raises MalformedValue naming the field; the caller decides
whether that skips the item (a registration) or just the entry (an association).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.utils import parse_timestamp

from regwatch.errors import RegistryUnavailable
from regwatch.model import (
    Association,
    DeniedReason,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
)


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else parse_timestamp(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class MalformedValue(ValueError):
    """A value of an API answer that regwatch cannot read; `field` names where it is."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedValue(name, f"expected a non-empty string, got {value!r}")
    return value


def _optional_text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is not None and not isinstance(value, str):
        raise MalformedValue(name, f"expected a string, got {value!r}")
    return value


def _integer(item: Mapping[str, Any], name: str) -> int:
    value = _optional_integer(item, name)
    if value is None:
        raise MalformedValue(name, "missing or null")
    return value


def _optional_integer(item: Mapping[str, Any], name: str) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    # JSON integers only: a bool is an int in Python, "3" or 2.5 are not version numbers.
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise MalformedValue(name, f"expected an integer, got {value!r}")
    return int(value)


def _moment_of(field: str, value: Any) -> datetime:
    if value is None or isinstance(value, bool):
        raise MalformedValue(field, f"expected a timestamp, got {value!r}")
    try:
        return _utc(value)
    except (ValueError, TypeError, OverflowError, AttributeError) as error:
        raise MalformedValue(field, f"unreadable timestamp {value!r}: {error}") from None


def _mapping(item: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = item.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MalformedValue(name, f"expected an object, got {value!r}")
    return value


def summary_from_api(item: Mapping[str, Any]) -> RegistrationSummary:
    """Raises MalformedValue naming the field if a value cannot be read."""
    if not isinstance(item, Mapping):
        raise MalformedValue("Registrations[]", f"expected an object, got {item!r}")
    created = item.get("CreatedTimestamp")
    return RegistrationSummary(
        registration_id=_text(item, "RegistrationId"),
        registration_arn=_text(item, "RegistrationArn"),
        registration_type=_text(item, "RegistrationType"),
        registration_status=_text(item, "RegistrationStatus"),
        current_version_number=_integer(item, "CurrentVersionNumber"),
        approved_version_number=_optional_integer(item, "ApprovedVersionNumber"),
        latest_denied_version_number=_optional_integer(item, "LatestDeniedVersionNumber"),
        created_timestamp=_moment_of("CreatedTimestamp", created) if created is not None else None,
        additional_attributes={str(k): str(v) for k, v in _mapping(item, "AdditionalAttributes").items()},
    )


def registration_id_of(item: Any) -> str | None:
    value = item.get("RegistrationId") if isinstance(item, Mapping) else None
    return value if isinstance(value, str) and value else None


def _denied_reason(value: Any) -> DeniedReason:
    if not isinstance(value, Mapping):
        raise MalformedValue("DeniedReasons[]", f"expected an object, got {value!r}")
    return DeniedReason(
        reason=_optional_text(value, "Reason") or "",
        short_description=_optional_text(value, "ShortDescription") or "",
        long_description=_optional_text(value, "LongDescription"),
        documentation_title=_optional_text(value, "DocumentationTitle"),
        documentation_link=_optional_text(value, "DocumentationLink"),
    )


def version_from_api(
    item: Mapping[str, Any], raw_history: Mapping[str, Any] | None = None
) -> RegistrationVersion:
    """Raises MalformedValue naming the field if a value cannot be read."""
    if not isinstance(item, Mapping):
        raise MalformedValue("RegistrationVersions[]", f"expected an object, got {item!r}")
    field = "RegistrationVersionStatusHistory"
    history = {key: _moment_of(f"{field}.{key}", value) for key, value in _mapping(item, field).items()}
    for key, value in (raw_history or {}).items():
        if key not in history and value is not None:
            history[key] = _moment_of(f"{field}.{key}", value)
    reasons = item.get("DeniedReasons") or ()
    if not isinstance(reasons, list | tuple):
        raise MalformedValue("DeniedReasons", f"expected a list, got {reasons!r}")
    return RegistrationVersion(
        version_number=_integer(item, "VersionNumber"),
        status=_text(item, "RegistrationVersionStatus"),
        status_history=history,
        denied_reasons=tuple(_denied_reason(reason) for reason in reasons),
        feedback=_optional_text(item, "Feedback"),
    )


def field_value_from_api(item: Mapping[str, Any]) -> RegistrationFieldValue:
    """Raises MalformedValue naming the field if a value cannot be read."""
    if not isinstance(item, Mapping):
        raise MalformedValue("RegistrationFieldValues[]", f"expected an object, got {item!r}")
    choices = item.get("SelectChoices") or ()
    if not isinstance(choices, list | tuple):
        raise MalformedValue("SelectChoices", f"expected a list, got {choices!r}")
    return RegistrationFieldValue(
        field_path=_text(item, "FieldPath"),
        text_value=_optional_text(item, "TextValue"),
        select_choices=tuple(str(choice) for choice in choices),
        denied_reason=_optional_text(item, "DeniedReason"),
        feedback=_optional_text(item, "Feedback"),
    )


def association_from_api(item: Mapping[str, Any]) -> Association:
    if not isinstance(item, Mapping):
        raise MalformedValue("RegistrationAssociations[]", f"expected an object, got {item!r}")
    return Association(
        resource_type=_text(item, "ResourceType"),
        resource_id=_text(item, "ResourceId"),
        resource_arn=_optional_text(item, "ResourceArn"),
        phone_number=_optional_text(item, "PhoneNumber"),
        iso_country_code=_optional_text(item, "IsoCountryCode"),
    )


def page_items(response: Mapping[str, Any], name: str) -> list[Any]:
    items = response.get(name, [])
    if not isinstance(items, list):
        # The page itself is unreadable: fail the call (the scan stops the region cleanly).
        raise RegistryUnavailable(f"malformed answer: {name} is not a list")
    return items
