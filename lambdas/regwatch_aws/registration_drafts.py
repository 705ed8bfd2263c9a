"""Write a new draft version: CreateRegistrationVersion, then PutRegistrationFieldValue per field.

The only module of regwatch that writes to the registration API. It needs a write role
(sms-voice:CreateRegistrationVersion, sms-voice:PutRegistrationFieldValue; docs/runbook.md)
that the read-only scanner never has; `regwatch resubmit-draft --apply` is its one caller.
"""

from __future__ import annotations

from typing import Any

from regwatch.registration_form import FieldValue
from regwatch_aws.registration_forms import call

WRITE_ACTIONS = ("sms-voice:CreateRegistrationVersion", "sms-voice:PutRegistrationFieldValue")


def create_draft_version(client: Any, registration_id: str) -> int:
    """A new DRAFT version (AWS starts it as a copy of the previous form); its number."""
    response = call(client, "create_registration_version", registration_id, RegistrationId=registration_id)
    return int(response["VersionNumber"])


def put_field_value(client: Any, registration_id: str, value: FieldValue) -> None:
    """Set one field of the current draft: its choices, text or attachment (an empty value clears it)."""
    request: dict[str, Any] = {"RegistrationId": registration_id, "FieldPath": value.field_path}
    if value.select_choices:
        request["SelectChoices"] = list(value.select_choices)
    elif value.text_value is not None:
        request["TextValue"] = value.text_value
    elif value.attachment_id:
        request["RegistrationAttachmentId"] = value.attachment_id
    call(client, "put_registration_field_value", registration_id, **request)
