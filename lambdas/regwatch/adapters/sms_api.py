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
    RegistrationNotFound,
    RegistryError,
    RegistryRejected,
    RegistryThrottled,
    RegistryUnavailable,
)
from regwatch.model import DeniedReason, RegistrationSummary, RegistrationVersion
from regwatch.ports import RegistrationPage
from regwatch.ratelimit import RateLimiter

PAGE_SIZE = 100  # the API's maximum
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)
_RAW_HISTORY = "RegwatchRawStatusHistory"


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else parse_timestamp(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def translate_client_error(error: ClientError, registration_id: str | None = None) -> RegistryError:
    code = error.response.get("Error", {}).get("Code", "")
    message = f"{error.operation_name}: {code}: {error.response.get('Error', {}).get('Message', '')}"
    if code in THROTTLING_CODES:
        return RegistryThrottled(message)
    if code == "ResourceNotFoundException":
        return RegistrationNotFound(registration_id or message)
    if code in {"AccessDeniedException", "ValidationException", "UnrecognizedClientException"}:
        return RegistryRejected(message)
    # 5xx, ExpiredTokenException (fresh credentials next invocation) and anything new.
    return RegistryUnavailable(message)


def summary_from_api(item: Mapping[str, Any]) -> RegistrationSummary:
    created = item.get("CreatedTimestamp")
    return RegistrationSummary(
        registration_id=item["RegistrationId"],
        registration_arn=item["RegistrationArn"],
        registration_type=item["RegistrationType"],
        registration_status=item["RegistrationStatus"],
        current_version_number=int(item["CurrentVersionNumber"]),
        approved_version_number=_optional_int(item.get("ApprovedVersionNumber")),
        latest_denied_version_number=_optional_int(item.get("LatestDeniedVersionNumber")),
        created_timestamp=_utc(created) if created is not None else None,
        additional_attributes=dict(item.get("AdditionalAttributes") or {}),
    )


def _optional_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def version_from_api(
    item: Mapping[str, Any], raw_history: Mapping[str, Any] | None = None
) -> RegistrationVersion:
    history = {
        key: _utc(value) for key, value in (item.get("RegistrationVersionStatusHistory") or {}).items()
    }
    for key, value in (raw_history or {}).items():
        if key not in history and value is not None:
            history[key] = _utc(value)
    return RegistrationVersion(
        version_number=int(item["VersionNumber"]),
        status=item["RegistrationVersionStatus"],
        status_history=history,
        denied_reasons=tuple(
            DeniedReason(
                reason=reason.get("Reason", ""),
                short_description=reason.get("ShortDescription", ""),
                long_description=reason.get("LongDescription"),
                documentation_title=reason.get("DocumentationTitle"),
                documentation_link=reason.get("DocumentationLink"),
            )
            for reason in item.get("DeniedReasons") or ()
        ),
        feedback=item.get("Feedback"),
    )


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

    def list_registrations(self, next_token: str | None) -> RegistrationPage:
        request: dict[str, Any] = {"MaxResults": self._page_size}
        if next_token:
            request["NextToken"] = next_token
        try:
            response = self._client.describe_registrations(**request)
        except ClientError as error:
            raise translate_client_error(error) from error
        except BotoCoreError as error:
            raise RegistryUnavailable(f"DescribeRegistrations: {error}") from error
        return RegistrationPage(
            registrations=tuple(summary_from_api(item) for item in response.get("Registrations", [])),
            next_token=response.get("NextToken"),
        )

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]:
        try:
            response = self._client.describe_registrations(RegistrationIds=list(registration_ids))
        except ClientError as error:
            translated = translate_client_error(error)
            if isinstance(translated, RegistrationNotFound):
                return []
            raise translated from error
        except BotoCoreError as error:
            raise RegistryUnavailable(f"DescribeRegistrations: {error}") from error
        return [summary_from_api(item) for item in response.get("Registrations", [])]

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]:
        versions: list[RegistrationVersion] = []
        next_token: str | None = None
        while True:
            request: dict[str, Any] = {"RegistrationId": registration_id, "MaxResults": self._page_size}
            if next_token:
                request["NextToken"] = next_token
            try:
                response = self._client.describe_registration_versions(**request)
            except ClientError as error:
                raise translate_client_error(error, registration_id) from error
            except BotoCoreError as error:
                raise RegistryUnavailable(f"DescribeRegistrationVersions: {error}") from error
            raw = response.get(_RAW_HISTORY, {})
            versions.extend(
                version_from_api(item, raw.get(str(item["VersionNumber"])))
                for item in response.get("RegistrationVersions", [])
            )
            next_token = response.get("NextToken")
            if not next_token:
                return versions
