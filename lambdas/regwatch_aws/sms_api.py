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
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

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
    AssociationListing,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
)
from regwatch.ports import MalformedItem, RegistrationPage
from regwatch.ratelimit import CallPacer
from regwatch_aws.sms_answers import (
    MalformedValue,
    association_from_api,
    field_value_from_api,
    page_items,
    registration_id_of,
    summary_from_api,
    version_from_api,
)

PAGE_SIZE = 100  # the API's maximum
# ListRegistrationAssociations pages counted for `associationCount` (1,000 associations): each
# page is one call of the target's 1/s budget, read only when a version changes status; past
# the cap the count is a lower bound (contract 1.2, `associationCountAtLeast`).
MAX_ASSOCIATION_PAGES = 10
# The associations kept from the listing (the event names at most 20, the snapshot stores 20).
KEPT_ASSOCIATIONS = 100
NAME_TAG_KEY = "Name"  # the console's registration "Name" is this tag
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)
_RAW_HISTORY = "RegwatchRawStatusHistory"


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


class SmsRegistry:
    """Registry port for one region; `client` is a boto3 `pinpoint-sms-voice-v2` client.

    Create one per client: the hooks are registered on the client's event system.
    """

    def __init__(self, client: Any, limiter: CallPacer, page_size: int = PAGE_SIZE) -> None:
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

    def list_registrations(
        self, next_token: str | None, statuses: frozenset[str] | None = None
    ) -> RegistrationPage:
        """One page; items that cannot be parsed come back in `malformed`, not as an error.

        `statuses`: only registrations in one of them (the registration-status filter).
        """
        request: dict[str, Any] = {"MaxResults": self._page_size}
        if statuses:
            request["Filters"] = [{"Name": "registration-status", "Values": sorted(statuses)}]
        if next_token:
            request["NextToken"] = next_token
        response = self._call("describe_registrations", **request)
        registrations: list[RegistrationSummary] = []
        malformed: list[MalformedItem] = []
        for item in page_items(response, "Registrations"):
            try:
                registrations.append(summary_from_api(item))
            except MalformedValue as bad:
                malformed.append(MalformedItem(registration_id_of(item), bad.field, bad.problem))
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
        for item in page_items(response, "Registrations"):
            try:
                summaries.append(summary_from_api(item))
            except MalformedValue as bad:
                registration_id = registration_id_of(item)
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
            for item in page_items(response, "RegistrationVersions"):
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
            for item in page_items(response, "RegistrationFieldValues"):
                try:
                    values.append(field_value_from_api(item))
                except MalformedValue:
                    continue
            next_token = response.get("NextToken")
            if not next_token:
                return values

    def name_tag(self, registration_arn: str) -> str | None:
        response = self._call("list_tags_for_resource", None, ResourceArn=registration_arn)
        for tag in page_items(response, "Tags"):
            if isinstance(tag, Mapping) and tag.get("Key") == NAME_TAG_KEY:
                value = tag.get("Value")
                return value if isinstance(value, str) and value.strip() else None
        return None

    def associations(self, registration_id: str) -> AssociationListing:
        """Every page up to MAX_ASSOCIATION_PAGES, counted; the first KEPT_ASSOCIATIONS kept."""
        kept: list[Association] = []
        count, next_token = 0, None
        for _ in range(MAX_ASSOCIATION_PAGES):
            request: dict[str, Any] = {"RegistrationId": registration_id, "MaxResults": self._page_size}
            if next_token:
                request["NextToken"] = next_token
            response = self._call("list_registration_associations", registration_id, **request)
            items = page_items(response, "RegistrationAssociations")
            count += len(items)
            for item in items[: max(0, KEPT_ASSOCIATIONS - len(kept))]:
                try:
                    kept.append(association_from_api(item))
                except MalformedValue:
                    continue
            next_token = response.get("NextToken")
            if not next_token:
                return AssociationListing(tuple(kept), count)
        return AssociationListing(tuple(kept), count, complete=False)
