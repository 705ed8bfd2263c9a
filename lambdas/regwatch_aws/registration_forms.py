"""Read a registration's form and values: field definitions (cached per type) and field values.

`DescribeRegistrationFieldDefinitions` and `DescribeRegistrationFieldValues`, every page;
definitions change rarely, so one client asks once per registration type. Read-only (the
scanner's role may call these); writing a draft is regwatch_aws.registration_drafts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegistrationNotFound, RegistryError, RegistryUnavailable
from regwatch.registration_form import FieldDefinition, FieldValue, definition_from_api, value_from_api
from regwatch_aws.sms_api import translate_client_error

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class RegistrationRef:
    """What `check` and `resubmit-draft` need to know of a registration."""

    registration_id: str
    registration_type: str
    status: str
    current_version: int
    latest_denied_version: int | None


def call(client: Any, operation: str, registration_id: str | None = None, **request: Any) -> Any:
    """One SDK call with SDK errors as domain errors (the cause kept for the CLI's messages)."""
    try:
        return getattr(client, operation)(**request)
    except ClientError as error:
        raise translate_client_error(error, registration_id) from error
    except BotoCoreError as error:
        raise RegistryUnavailable(f"{operation}: {error}") from error


def _pages(
    client: Any, operation: str, items: str, registration_id: str | None, **request: Any
) -> Iterator[Any]:
    token: str | None = None
    while True:
        page = call(client, operation, registration_id, **request, **({"NextToken": token} if token else {}))
        yield from page.get(items) or []
        token = page.get("NextToken")
        if not token:
            return


@dataclass(frozen=True, slots=True)
class VersionForm:
    version_number: int
    values: tuple[FieldValue, ...]
    flagged: Mapping[str, str]  # field path -> reviewer's DeniedReason / Feedback


class RegistrationForms:
    def __init__(self, client: Any, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size
        self._definitions: dict[str, tuple[FieldDefinition, ...]] = {}

    @property
    def region(self) -> str:
        return str(self._client.meta.region_name)

    def definitions(self, registration_type: str) -> tuple[FieldDefinition, ...]:
        cached = self._definitions.get(registration_type)
        if cached is None:
            items = _pages(
                self._client,
                "describe_registration_field_definitions",
                "RegistrationFieldDefinitions",
                None,
                RegistrationType=registration_type,
                MaxResults=self._page_size,
            )
            cached = self._definitions[registration_type] = tuple(
                definition_from_api(item) for item in items if isinstance(item, Mapping)
            )
        return cached

    def registration(self, registration_id: str) -> RegistrationRef:
        page = call(
            self._client, "describe_registrations", registration_id, RegistrationIds=[registration_id]
        )
        found = page.get("Registrations") or []
        if not found:
            raise RegistrationNotFound(registration_id, "ResourceNotFoundException")
        item = found[0]
        return RegistrationRef(
            registration_id=str(item["RegistrationId"]),
            registration_type=str(item["RegistrationType"]),
            status=str(item.get("RegistrationStatus", "")),
            current_version=int(item["CurrentVersionNumber"]),
            latest_denied_version=item.get("LatestDeniedVersionNumber"),
        )

    def version_form(self, registration_id: str, version_number: int) -> VersionForm:
        """A version's field values, and the reviewer's notes on the fields they flagged."""
        items = _pages(
            self._client,
            "describe_registration_field_values",
            "RegistrationFieldValues",
            registration_id,
            RegistrationId=registration_id,
            VersionNumber=version_number,
            MaxResults=self._page_size,
        )
        values: list[FieldValue] = []
        flagged: dict[str, str] = {}
        for item in items:
            if not isinstance(item, Mapping) or not item.get("FieldPath"):
                continue
            values.append(value_from_api(item))
            notes = [str(item[k]) for k in ("DeniedReason", "Feedback") if item.get(k)]
            if notes:
                flagged[str(item["FieldPath"])] = " / ".join(notes)
        return VersionForm(version_number, tuple(values), flagged)


__all__ = ["RegistrationForms", "RegistrationRef", "RegistryError", "VersionForm", "call"]
