"""Per-target health: a broken target is announced once, and its recovery once.

A target (account, region) is UNHEALTHY after a failure that retrying will not fix
(AssumeRole refused, access denied, region not enabled, account suspended) or after
`PERSISTENT_FAILURES` consecutive scans that failed for transient reasons (throttling,
5xx). The change of state is what produces an event, never the state itself: a target
that stays broken for a week produces one "Target Unhealthy" event and, when it works
again, one "Target Recovered". Pure: the store and the publisher are ports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from regwatch.errors import (
    RegistryError,
    RegistryRejected,
    RegistryThrottled,
    RegwatchError,
    TargetUnreachable,
)

# Throttling or 5xx in this many consecutive scans is persistent, not bad luck.
PERSISTENT_FAILURES = 3


class HealthReason(StrEnum):
    ASSUME_ROLE_FAILED = "ASSUME_ROLE_FAILED"
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED"
    ACCESS_DENIED = "ACCESS_DENIED"
    REGION_NOT_ENABLED = "REGION_NOT_ENABLED"
    API_REJECTED = "API_REJECTED"
    THROTTLED = "THROTTLED"
    UNAVAILABLE = "UNAVAILABLE"


class HealthChange(StrEnum):
    UNHEALTHY = "UNHEALTHY"
    RECOVERED = "RECOVERED"


# AccessDeniedException's modeled Reason ACCOUNT_DISABLED is how a suspended account answers.
_SUSPENDED_CODES = frozenset({"AccountSuspendedException", "AccountSuspended", "ACCOUNT_DISABLED"})
_REGION_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "OptInRequired",
        "AuthFailure",
        "RegionDisabledException",
    }
)


@dataclass(frozen=True, slots=True)
class TargetFailure:
    """Why one scan of a target failed, and after how many such scans it counts."""

    reason: HealthReason
    error_code: str
    message: str
    failures_before_unhealthy: int = 1


def _rejected_reason(code: str) -> HealthReason:
    if code in _SUSPENDED_CODES:
        return HealthReason.ACCOUNT_SUSPENDED
    if code in _REGION_CODES:
        return HealthReason.REGION_NOT_ENABLED
    if code.startswith("AccessDenied"):
        return HealthReason.ACCESS_DENIED
    return HealthReason.API_REJECTED


def classify(error: RegwatchError) -> TargetFailure | None:
    """The target-level failure an error stands for; None if it is not the target's fault."""
    message = str(error)[:500]
    if isinstance(error, TargetUnreachable):
        reason = HealthReason.ASSUME_ROLE_FAILED
        if error.code in _SUSPENDED_CODES or error.code == "RegionDisabledException":
            reason = _rejected_reason(error.code)
        after = PERSISTENT_FAILURES if error.transient else 1
        return TargetFailure(reason, error.code, message, after)
    if not isinstance(error, RegistryError):
        return None
    code = error.code or type(error).__name__
    if isinstance(error, RegistryRejected):
        reason = _rejected_reason(error.reason if error.reason in _SUSPENDED_CODES else code)
        return TargetFailure(reason, code, message)
    # Throttling or 5xx beyond the SDK's retries: only persistence makes it the target's problem.
    reason = HealthReason.THROTTLED if isinstance(error, RegistryThrottled) else HealthReason.UNAVAILABLE
    return TargetFailure(reason, code, message, PERSISTENT_FAILURES)


@dataclass(frozen=True, slots=True)
class TargetHealth:
    """What is stored per target. `revision` guards writes (None: never stored)."""

    healthy: bool = True
    failing_since: datetime | None = None
    consecutive_failures: int = 0
    reason: str | None = None
    error_code: str | None = None
    message: str | None = None
    unhealthy_since: datetime | None = None
    last_attempt_at: datetime | None = None
    last_healthy_at: datetime | None = None
    first_seen_at: datetime | None = None
    revision: int | None = None


@dataclass(frozen=True, slots=True)
class HealthTransition:
    """A change of a target's health: the event to publish before the new state is stored."""

    change: HealthChange
    reason: str
    error_code: str
    message: str
    since: datetime  # when the failure episode began (same for its Unhealthy and Recovered events)
    observed_at: datetime
    consecutive_failures: int


def observe_success(health: TargetHealth, now: datetime) -> tuple[TargetHealth, HealthTransition | None]:
    transition = None
    if not health.healthy and health.unhealthy_since is not None:
        transition = HealthTransition(
            change=HealthChange.RECOVERED,
            reason=health.reason or "",
            error_code=health.error_code or "",
            message=health.message or "",
            since=health.unhealthy_since,
            observed_at=now,
            consecutive_failures=health.consecutive_failures,
        )
    new = TargetHealth(
        healthy=True,
        last_attempt_at=now,
        last_healthy_at=now,
        first_seen_at=health.first_seen_at or now,
        revision=health.revision,
    )
    return new, transition


def observe_failure(
    health: TargetHealth, failure: TargetFailure, now: datetime
) -> tuple[TargetHealth, HealthTransition | None]:
    failing_since = health.failing_since or now
    failures = health.consecutive_failures + 1
    new = replace(
        health,
        failing_since=failing_since,
        consecutive_failures=failures,
        reason=failure.reason.value,
        error_code=failure.error_code,
        message=failure.message,
        last_attempt_at=now,
        first_seen_at=health.first_seen_at or now,
    )
    if not health.healthy or failures < failure.failures_before_unhealthy:
        return new, None
    new = replace(new, healthy=False, unhealthy_since=failing_since)
    return new, HealthTransition(
        change=HealthChange.UNHEALTHY,
        reason=failure.reason.value,
        error_code=failure.error_code,
        message=failure.message,
        since=failing_since,
        observed_at=now,
        consecutive_failures=failures,
    )
