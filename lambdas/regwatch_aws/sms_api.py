"""The registration API (boto3 `pinpoint-sms-voice-v2`) as the scan's Registry port.

- Every HTTP attempt, retries included, first takes a token from the per-operation rate
  limiter (botocore `before-send` hook), so regwatch stays below its share of the quota.
- Attempts and throttles are counted per operation for metrics and the scan summary.
- botocore drops history keys its model does not know; a `before-parse` hook keeps the
  raw `RegistrationVersionStatusHistory` so statuses AWS adds later flow through.
- ClientError codes become domain errors (regwatch.errors).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.utils import parse_timestamp

from regwatch.errors import (
    InvalidNextToken,
    MalformedRegistration,
    RegistrationNotFound,
    RegistryError,
    RegistryRejected,
    RegistryThrottled,
    RegistryUnavailable,
)
from regwatch.model import (
    Association,
    DeniedReason,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
)
from regwatch.ports import MalformedItem, RegistrationPage
from regwatch.ratelimit import RateLimiter

PAGE_SIZE = 100  # the API's maximum
NAME_TAG_KEY = "Name"  # the console's registration "Name" is this tag
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)
_RAW_HISTORY = "RegwatchRawStatusHistory"


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else parse_timestamp(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# Retrying does not help: no permission, a region the account has not enabled (opt-in
# regions answer with an unrecognized/invalid token), a suspended account, a bad request.
REJECTED_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "ValidationException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "OptInRequired",
        "AuthFailure",
        "AccountSuspendedException",
    }
)


def translate_client_error(error: ClientError, registration_id: str | None = None) -> RegistryError:
    code = error.response.get("Error", {}).get("Code", "")
    message = f"{error.operation_name}: {code}: {error.response.get('Error', {}).get('Message', '')}"
    if code in THROTTLING_CODES:
        return RegistryThrottled(message, code)
    if code == "ResourceNotFoundException":
        return RegistrationNotFound(registration_id or message, code)
    if code == "ValidationException" and error.response.get("Reason") == "INVALID_NEXT_TOKEN":
        return InvalidNextToken(message, code)
    if code in REJECTED_CODES:
        return RegistryRejected(message, code, str(error.response.get("Reason") or ""))
    # 5xx, ExpiredTokenException (fresh credentials next invocation) and anything new.
    return RegistryUnavailable(message, code)


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


def _registration_id_of(item: Any) -> str | None:
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


def _page_items(response: Mapping[str, Any], name: str) -> list[Any]:
    items = response.get(name, [])
    if not isinstance(items, list):
        # The page itself is unreadable: fail the call (the scan stops the region cleanly).
        raise RegistryUnavailable(f"malformed answer: {name} is not a list")
    return items


class SmsRegistry:
    """Registry port for one region; `client` is a boto3 `pinpoint-sms-voice-v2` client.

    Create one per client: the hooks are registered on the client's event system.
    """

    def __init__(self, client: Any, limiter: RateLimiter, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._limiter = limiter
        self._page_size = page_size
        self._lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.throttles: Counter[str] = Counter()
        events = client.meta.events
        service = client.meta.service_model.service_id.hyphenize()
        events.register(f"before-send.{service}", self._before_send, unique_id="regwatch-rate-limit")
        events.register(f"needs-retry.{service}", self._count_throttles, unique_id="regwatch-throttles")
        events.register(
            f"before-parse.{service}.DescribeRegistrationVersions",
            self._keep_raw_history,
            unique_id="regwatch-raw-history",
        )

    @property
    def client(self) -> Any:
        return self._client

    @property
    def region(self) -> str:
        return str(self._client.meta.region_name)

    def _before_send(self, event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self._limiter.acquire(operation)
        with self._lock:
            self.attempts[operation] += 1

    def _count_throttles(self, event_name: str, response: Any = None, **_: Any) -> None:
        if not response:
            return
        code = response[1].get("Error", {}).get("Code") if isinstance(response[1], dict) else None
        if code in THROTTLING_CODES:
            with self._lock:
                self.throttles[event_name.rsplit(".", 1)[-1]] += 1

    @staticmethod
    def _keep_raw_history(
        response_dict: Mapping[str, Any], customized_response_dict: dict[str, Any], **_: Any
    ) -> None:
        if response_dict.get("status_code", 500) >= 300:
            return
        try:
            body = json.loads(response_dict.get("body") or b"{}")
            raw = {
                str(item["VersionNumber"]): item.get("RegistrationVersionStatusHistory") or {}
                for item in body.get("RegistrationVersions", [])
            }
        except (ValueError, TypeError, KeyError, AttributeError):
            return  # the regular parser reports malformed bodies
        customized_response_dict[_RAW_HISTORY] = raw

    def counters(self) -> tuple[Counter[str], Counter[str]]:
        """Copies of (attempts, throttles) per operation, for deltas around one scan."""
        with self._lock:
            return Counter(self.attempts), Counter(self.throttles)

    def _call(self, operation: str, registration_id: str | None = None, **request: Any) -> Any:
        try:
            return getattr(self._client, operation)(**request)
        except ClientError as error:
            raise translate_client_error(error, registration_id) from error
        except BotoCoreError as error:
            raise RegistryUnavailable(f"{operation}: {error}") from error
        except ValueError as error:
            # botocore could not parse the answer at all (not JSON, a value of the wrong
            # shape in the page structure): nothing of it is usable.
            raise RegistryUnavailable(f"{operation}: malformed answer: {error}") from error

    def list_registrations(self, next_token: str | None) -> RegistrationPage:
        """One page; items that cannot be parsed come back in `malformed`, not as an error."""
        request: dict[str, Any] = {"MaxResults": self._page_size}
        if next_token:
            request["NextToken"] = next_token
        response = self._call("describe_registrations", **request)
        registrations: list[RegistrationSummary] = []
        malformed: list[MalformedItem] = []
        for item in _page_items(response, "Registrations"):
            try:
                registrations.append(summary_from_api(item))
            except MalformedValue as bad:
                malformed.append(MalformedItem(_registration_id_of(item), bad.field, bad.problem))
        token = response.get("NextToken")
        if token is not None and not isinstance(token, str):
            raise RegistryUnavailable(f"DescribeRegistrations: malformed answer: NextToken {token!r}")
        return RegistrationPage(tuple(registrations), token or None, tuple(malformed))

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]:
        try:
            response = self._call("describe_registrations", RegistrationIds=list(registration_ids))
        except RegistrationNotFound:
            return []
        summaries: list[RegistrationSummary] = []
        for item in _page_items(response, "Registrations"):
            try:
                summaries.append(summary_from_api(item))
            except MalformedValue as bad:
                registration_id = _registration_id_of(item)
                if registration_id is None and len(registration_ids) == 1:
                    registration_id = registration_ids[0]
                raise MalformedRegistration(registration_id, bad.field, bad.problem) from bad
        return summaries

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]:
        """Every version; MalformedRegistration if any of them cannot be read (a partial
        list would make the diff report versions as new or gone)."""
        versions: list[RegistrationVersion] = []
        next_token: str | None = None
        while True:
            request: dict[str, Any] = {"RegistrationId": registration_id, "MaxResults": self._page_size}
            if next_token:
                request["NextToken"] = next_token
            response = self._call("describe_registration_versions", registration_id, **request)
            raw = response.get(_RAW_HISTORY, {})
            for item in _page_items(response, "RegistrationVersions"):
                number = item.get("VersionNumber") if isinstance(item, Mapping) else None
                try:
                    versions.append(version_from_api(item, raw.get(str(number))))
                except MalformedValue as bad:
                    field = f"RegistrationVersions[VersionNumber={number!r}].{bad.field}"
                    raise MalformedRegistration(registration_id, field, bad.problem) from bad
            next_token = response.get("NextToken")
            if not next_token:
                return versions

    # --- ProfileSource: names, impact, field feedback (read only when a version changes) ---

    def field_values(self, registration_id: str, version_number: int) -> list[RegistrationFieldValue]:
        """Every field value of one version; a field whose values cannot be read is skipped
        (the rest still names the registration and lists the feedback)."""
        values: list[RegistrationFieldValue] = []
        next_token: str | None = None
        while True:
            request: dict[str, Any] = {
                "RegistrationId": registration_id,
                "VersionNumber": version_number,
                "MaxResults": self._page_size,
            }
            if next_token:
                request["NextToken"] = next_token
            response = self._call("describe_registration_field_values", registration_id, **request)
            for item in _page_items(response, "RegistrationFieldValues"):
                try:
                    values.append(field_value_from_api(item))
                except MalformedValue:
                    continue
            next_token = response.get("NextToken")
            if not next_token:
                return values

    def name_tag(self, registration_arn: str) -> str | None:
        response = self._call("list_tags_for_resource", None, ResourceArn=registration_arn)
        for tag in _page_items(response, "Tags"):
            if isinstance(tag, Mapping) and tag.get("Key") == NAME_TAG_KEY:
                value = tag.get("Value")
                return value if isinstance(value, str) and value.strip() else None
        return None

    def associations(self, registration_id: str) -> list[Association]:
        response = self._call(
            "list_registration_associations",
            registration_id,
            RegistrationId=registration_id,
            MaxResults=self._page_size,
        )
        found: list[Association] = []
        for item in _page_items(response, "RegistrationAssociations"):
            try:
                found.append(association_from_api(item))
            except MalformedValue:
                continue
        return found
