"""A registration's profile (name, associations, field feedback) as a snapshot item attribute."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regwatch.model import Association, FieldFeedback, RegistrationProfile


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


# The snapshot keeps as many associations as an event shows.
MAX_STORED_ASSOCIATIONS = 20


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def profile_to_item(profile: RegistrationProfile) -> dict[str, Any]:
    return _drop_none(
        {
            "name": profile.name,
            "nameSource": profile.name_source,
            "fieldsVersion": profile.fields_version,
            "associations": [
                _drop_none(
                    {
                        "resourceType": a.resource_type,
                        "resourceId": a.resource_id,
                        "resourceArn": a.resource_arn,
                        "phoneNumber": a.phone_number,
                        "isoCountryCode": a.iso_country_code,
                    }
                )
                for a in profile.associations[:MAX_STORED_ASSOCIATIONS]
            ],
            "associationCount": profile.association_count,
            "associationsRead": profile.associations_read,
            "associationCountAtLeast": profile.association_count_at_least or None,
            "feedbackVersion": profile.field_feedback_version,
            "fieldFeedback": [
                _drop_none(
                    {"fieldPath": f.field_path, "deniedReason": f.denied_reason, "feedback": f.feedback}
                )
                for f in profile.field_feedback
            ],
        }
    )


def _optional_str(value: Any) -> str | None:
    return str(value) if value is not None else None


def profile_from_item(item: Mapping[str, Any]) -> RegistrationProfile:
    return RegistrationProfile(
        name=_optional_str(item.get("name")),
        name_source=_optional_str(item.get("nameSource")),
        fields_version=_int(item.get("fieldsVersion")),
        associations=tuple(
            Association(
                resource_type=str(a["resourceType"]),
                resource_id=str(a["resourceId"]),
                resource_arn=_optional_str(a.get("resourceArn")),
                phone_number=_optional_str(a.get("phoneNumber")),
                iso_country_code=_optional_str(a.get("isoCountryCode")),
            )
            for a in item.get("associations", [])
        ),
        association_count=int(item.get("associationCount", 0)),
        associations_read=bool(item.get("associationsRead", False)),
        association_count_at_least=bool(item.get("associationCountAtLeast", False)),
        field_feedback_version=_int(item.get("feedbackVersion")),
        field_feedback=tuple(
            FieldFeedback(
                field_path=str(f["fieldPath"]),
                denied_reason=_optional_str(f.get("deniedReason")),
                feedback=_optional_str(f.get("feedback")),
            )
            for f in item.get("fieldFeedback", [])
        ),
    )
