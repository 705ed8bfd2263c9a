"""Credentials per target: the function's own for the deploying account, AssumeRole otherwise.

Assumed credentials are cached per role until shortly before they expire, so a warm
execution environment scanning the same target again does not call STS every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import TargetUnreachable
from regwatch.targets import ScanTarget

# Refresh this long before expiry: a scan may run up to 15 minutes on one set of credentials.
REFRESH_MARGIN = timedelta(minutes=16)
SESSION_DURATION_SECONDS = 3600
_TRANSIENT_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "ServiceUnavailable", "InternalError"}
)


@dataclass(frozen=True, slots=True)
class AssumedCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


class TargetCredentials:
    """`credentials_for(target)` -> None (own role) or AssumedCredentials; raises TargetUnreachable."""

    def __init__(
        self,
        sts_client: Any,
        *,
        external_id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sts = sts_client
        self._external_id = external_id
        self._clock = clock
        self._cache: dict[tuple[str, str], AssumedCredentials] = {}
        self._lock = threading.Lock()
        self.assume_role_calls = 0

    @property
    def client(self) -> Any:
        return self._sts

    def credentials_for(self, target: ScanTarget) -> AssumedCredentials | None:
        if target.role_arn is None:
            return None
        cache_key = (target.role_arn, target.session_name)
        with self._lock:
            cached = self._cache.get(cache_key)
            if cached is not None and cached.expiration - REFRESH_MARGIN > self._clock():
                return cached
        fresh = self._assume(target)
        with self._lock:
            self._cache[cache_key] = fresh
        return fresh

    def _assume(self, target: ScanTarget) -> AssumedCredentials:
        request: dict[str, Any] = {
            "RoleArn": target.role_arn,
            "RoleSessionName": target.session_name,
            "DurationSeconds": SESSION_DURATION_SECONDS,
        }
        if self._external_id:
            request["ExternalId"] = self._external_id
        self.assume_role_calls += 1
        try:
            response = self._sts.assume_role(**request)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "ClientError"))
            message = str(error.response.get("Error", {}).get("Message", ""))[:300]
            raise TargetUnreachable(
                f"AssumeRole {target.role_arn} failed: {code}: {message}",
                code,
                transient=code in _TRANSIENT_CODES,
            ) from error
        except BotoCoreError as error:
            raise TargetUnreachable(
                f"AssumeRole {target.role_arn} failed: {error}", type(error).__name__, transient=True
            ) from error
        credentials = response["Credentials"]
        expiration = credentials["Expiration"]
        if not isinstance(expiration, datetime):
            expiration = datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
        return AssumedCredentials(
            access_key_id=credentials["AccessKeyId"],
            secret_access_key=credentials["SecretAccessKey"],
            session_token=credentials["SessionToken"],
            expiration=expiration.astimezone(UTC),
        )
