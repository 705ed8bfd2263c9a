"""Domain exceptions: adapters translate SDK errors into these, the scan decides what they mean."""

from __future__ import annotations


class RegwatchError(Exception):
    """Base class of every error regwatch raises on purpose."""


class RegistryError(RegwatchError):
    """The registration API failed after the SDK's own retries.

    `code` is the API's error code, `reason` its modeled `Reason` member if any (e.g.
    AccessDeniedException with Reason ACCOUNT_DISABLED for a suspended account).
    """

    def __init__(self, message: str, code: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class RegistryThrottled(RegistryError):
    """The API kept answering ThrottlingException: the scan should stop and resume later."""


class RegistryUnavailable(RegistryError):
    """The API kept failing (5xx, timeouts): the scan should stop and resume later."""


class RegistrationNotFound(RegistryError):
    """The registration does not exist (any more)."""


class RegistryRejected(RegistryError):
    """The API rejected the request (access denied, validation): retrying will not help."""


class TargetUnreachable(RegwatchError):
    """No credentials for a target: AssumeRole was refused (or STS kept failing).

    `code` is STS's error code (AccessDenied, RegionDisabledException…); `transient` says
    whether retrying later may help without anyone changing anything.
    """

    def __init__(self, message: str, code: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


class TargetDiscoveryFailed(RegwatchError):
    """Organizations could not list the accounts; the message names the setting to fix."""


class SnapshotConflict(RegwatchError):
    """Someone else wrote the snapshot item since we read it (revision mismatch)."""


class SnapshotUnavailable(RegwatchError):
    """The snapshot table could not be read or written."""


class PublishFailed(RegwatchError):
    """Some events could not be put on the bus even after retrying the failed entries."""

    def __init__(self, message: str, failed: int, error_codes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.failed = failed
        self.error_codes = error_codes


class InvalidNextToken(RegistryRejected):
    """The API refused a NextToken (expired or unknown: ValidationException INVALID_NEXT_TOKEN)."""


class MalformedRegistration(RegwatchError):
    """One registration's answer carries a value regwatch cannot read (the API's fault, or a
    format change). Only that registration is skipped; the scan carries on."""

    def __init__(self, registration_id: str | None, field: str, problem: str) -> None:
        super().__init__(f"{registration_id or '<no RegistrationId>'}: {field}: {problem}")
        self.registration_id = registration_id
        self.field = field
        self.problem = problem
