"""The ports a scan talks through. Adapters implement them with boto3; unit tests with fakes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from regwatch.model import (
    AssociationListing,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
)
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState

Clock = Callable[[], datetime]
"""Now, as an aware UTC datetime."""


@dataclass(frozen=True, slots=True)
class MalformedItem:
    """A listed registration whose summary could not be read (`registration_id` None if even
    the id was unreadable)."""

    registration_id: str | None
    field: str
    problem: str


@dataclass(frozen=True, slots=True)
class RegistrationPage:
    registrations: tuple[RegistrationSummary, ...]
    next_token: str | None
    # Items of the page that could not be parsed; the rest of the page is still usable.
    malformed: tuple[MalformedItem, ...] = ()


class Registry(Protocol):
    """The registration API of one account-region.

    Raises regwatch.errors.RegistryThrottled / RegistryUnavailable when the API keeps
    failing after retries, RegistrationNotFound for an unknown id, InvalidNextToken for an
    expired listing token, MalformedRegistration when one registration's answer (its
    summary in describe_registrations, its versions) carries an unreadable value.
    """

    def list_registrations(
        self, next_token: str | None, statuses: frozenset[str] | None = None
    ) -> RegistrationPage:
        """One page of the listing; with `statuses`, only registrations in one of them."""
        ...

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]: ...

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]: ...


@runtime_checkable
class ProfileSource(Protocol):
    """How people know a registration and what it affects (a Registry may also be one).

    Same errors as Registry. A scan whose registry is not a ProfileSource reads no names.
    """

    def field_values(self, registration_id: str, version_number: int) -> list[RegistrationFieldValue]: ...

    def name_tag(self, registration_arn: str) -> str | None: ...

    def associations(self, registration_id: str) -> AssociationListing:
        """What the registration is associated with, counted over every page up to a cap."""
        ...


class SnapshotStore(Protocol):
    """Where snapshots and per-region scan state live."""

    def load_state(self, key: RegionKey) -> ScanState: ...

    def acquire_lease(self, key: RegionKey, owner: str, now: datetime, until: datetime) -> ScanState | None:
        """Become the only full scan of the region until `until`; None if another holds it."""
        ...

    def release_lease(self, key: RegionKey, owner: str, state: ScanState) -> None:
        """Store the new scan state and give the lease up (only if we still hold it)."""
        ...

    def load_registrations(self, key: RegionKey) -> dict[str, RegistrationSnapshot]:
        """Every registration snapshot of the region, tombstones included."""
        ...

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None: ...

    def save_listed_ids(self, key: RegionKey, cycle_id: str, part: str, registration_ids: Set[str]) -> None:
        """Remember which registrations one invocation listed during a listing cycle."""
        ...

    def load_listed_ids(self, key: RegionKey, cycle_id: str) -> set[str]:
        """Every id saved by save_listed_ids for the cycle."""
        ...

    def save_registration(
        self, key: RegionKey, snapshot: RegistrationSnapshot, expected_revision: int | None
    ) -> None:
        """Write if the stored revision is `expected_revision` (None: no item); else SnapshotConflict."""
        ...

    def record_native_event(self, key: RegionKey, at: datetime) -> None:
        """AWS's native event for the target arrived at `at` (ScanState.native_event_at; never moves back)."""
        ...

    def deletions_confirmed(self, key: RegionKey, cycle_id: str) -> bool:
        """An operator confirmed the deletions held by that listing cycle (`regwatch deletions confirm`)."""
        ...


class Publisher(Protocol):
    """Puts PutEvents entries on the bus; raises PublishFailed if some could not be put."""

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int: ...
