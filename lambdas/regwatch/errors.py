"""Domain exceptions: adapters translate SDK errors into these, the scan decides what they mean."""

from __future__ import annotations


class RegwatchError(Exception):
    """Base class of every error regwatch raises on purpose."""


class RegistryError(RegwatchError):
    """The registration API failed after the SDK's own retries."""


class RegistryThrottled(RegistryError):
    """The API kept answering ThrottlingException: the scan should stop and resume later."""


class RegistryUnavailable(RegistryError):
    """The API kept failing (5xx, timeouts): the scan should stop and resume later."""


class RegistrationNotFound(RegistryError):
    """The registration does not exist (any more)."""


class RegistryRejected(RegistryError):
    """The API rejected the request (access denied, validation): retrying will not help."""


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
