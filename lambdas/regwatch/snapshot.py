"""What regwatch remembers between scans: one snapshot per registration, one scan state per region.

Pure data. The DynamoDB item layout lives in regwatch_aws/snapshot_store.py; docs/scanner.md
describes both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from regwatch.model import RegistrationProfile, RegistrationSummary, RegistrationVersion, SummaryFingerprint


@dataclass(frozen=True, slots=True)
class RegionKey:
    """One account-region: everything regwatch stores is partitioned by it."""

    account_id: str
    region: str

    @property
    def partition(self) -> str:
        return f"{self.account_id}#{self.region}"


@dataclass(frozen=True, slots=True)
class VersionSnapshot:
    """A version as last seen: its status and its status history (API keys)."""

    version_number: int
    status: str
    status_history: Mapping[str, datetime]
    # How many status changes without a timestamp were already reported for this
    # version; part of their event ids, so a repeat of the same untimed status
    # (REVIEWING -> REQUIRES_OFFLINE_REVIEW twice) is a new event, a re-observation is not.
    untimed_changes: int = 0

    def latest_timestamp(self) -> datetime | None:
        return max(self.status_history.values(), default=None)


@dataclass(frozen=True, slots=True)
class RegistrationSnapshot(SummaryFingerprint):
    """A registration as last seen, with every version, plus bookkeeping for the next scan."""

    registration_id: str
    registration_arn: str
    registration_type: str
    registration_status: str
    current_version_number: int
    approved_version_number: int | None
    latest_denied_version_number: int | None
    versions: Mapping[int, VersionSnapshot]
    # When the versions were last read in full; reconciliation re-reads the oldest first.
    full_read_at: datetime | None
    # Registration-level status changes already reported (part of their event ids).
    registration_changes: int = 0
    # Optimistic concurrency: a write succeeds only if the stored revision is the one read.
    revision: int = 0
    # Set when the registration disappeared from the API; the item stays as a tombstone.
    deleted_at: datetime | None = None
    # Name, associations, field feedback as last read (regwatch/profile.py decides when).
    profile: RegistrationProfile | None = None
    # Ids of the reminders already published for this registration (regwatch/reminders.py);
    # the evaluator records them with a conditional write, the scanner carries them over.
    reminders_sent: frozenset[str] = frozenset()
    # How many times the registration was tombstoned: part of the event ids of its
    # DISCOVERED / DELETED transitions, so a second life is announced again (and only once).
    incarnation: int = 0
    # Listed but versions never read (regwatch/triage.py): a stub of a settled registration
    # whose first read waits; reading it is its first sighting.
    first_read_pending: bool = False

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None

    def summary(self) -> RegistrationSummary:
        """The registration as an event needs it (e.g. for a deletion, when the API has nothing)."""
        return RegistrationSummary(
            registration_id=self.registration_id,
            registration_arn=self.registration_arn,
            registration_type=self.registration_type,
            registration_status=self.registration_status,
            current_version_number=self.current_version_number,
            approved_version_number=self.approved_version_number,
            latest_denied_version_number=self.latest_denied_version_number,
        )

    def version(self, number: int) -> RegistrationVersion | None:
        """A stored version as a model object (without denied reasons / feedback)."""
        stored = self.versions.get(number)
        if stored is None:
            return None
        return RegistrationVersion(
            version_number=stored.version_number, status=stored.status, status_history=stored.status_history
        )


@dataclass(frozen=True, slots=True)
class PlanEntry(SummaryFingerprint):
    """What planning a scan needs of one registration's snapshot (regwatch/plan.py).

    Read for every registration at the start of a scan, from the snapshot table's planning
    index (docs/scanner.md, "Planning index"): eventually consistent, so a scan reads the
    full snapshot (consistently) before it acts on one, and decides again from that.
    """

    registration_id: str
    registration_status: str
    current_version_number: int
    approved_version_number: int | None
    latest_denied_version_number: int | None
    full_read_at: datetime | None
    revision: int
    deleted_at: datetime | None = None
    first_read_pending: bool = False

    @classmethod
    def of(cls, snapshot: RegistrationSnapshot) -> PlanEntry:
        return cls(
            registration_id=snapshot.registration_id,
            registration_status=snapshot.registration_status,
            current_version_number=snapshot.current_version_number,
            approved_version_number=snapshot.approved_version_number,
            latest_denied_version_number=snapshot.latest_denied_version_number,
            full_read_at=snapshot.full_read_at,
            revision=snapshot.revision,
            deleted_at=snapshot.deleted_at,
            first_read_pending=snapshot.first_read_pending,
        )

    @property
    def is_tombstone(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class PlanningRead:
    """Every registration of a region as planning sees it, tombstones included."""

    entries: dict[str, PlanEntry]
    # Why the store read full items instead of its planning index (None: it read the index),
    # e.g. the index is still being built after an upgrade.
    full_items_because: str | None = None


@dataclass(frozen=True, slots=True)
class ListingCursor:
    """Where an unfinished listing cycle of a region carries on (stored in the META item).

    A listing cycle is one pass over every DescribeRegistrations page; at 100,000
    registrations it spans several invocations. `next_token` asks for the page to continue
    with (None: the first page); `after_id` is the last registration of that page already
    fully processed (None: none of it), so a resumed page skips what is done.
    """

    cycle_id: str
    started_at: datetime
    next_token: str | None = None
    after_id: str | None = None
    # Pages listed in this cycle so far (for the summary and the docs' cost formula).
    pages: int = 0


@dataclass(frozen=True, slots=True)
class HeldDeletions:
    """Deletions a listing cycle found but did not apply: too many at once (regwatch/deletions.py).

    The held ids are saved with the store's listed ids under `held_ids_key`; the next
    complete listing cycle (or an operator's `regwatch deletions confirm`) applies those
    still missing then, and forgets the ones listed again.
    """

    cycle_id: str
    held_at: datetime
    count: int
    known: int  # live registrations of the target when they were held

    @property
    def held_ids_key(self) -> str:
        return f"held-{self.cycle_id}"


@dataclass(frozen=True, slots=True)
class ScanState:
    """Per account-region scan bookkeeping (the META item)."""

    # None until a full scan of the region has completed: until then, registrations
    # seen for the first time are the baseline, not "discovered".
    baseline_completed_at: datetime | None = None
    last_scan_started_at: datetime | None = None
    last_scan_completed_at: datetime | None = None
    last_scan_id: str | None = None
    # The last full scan stopped early (time budget, API trouble); the next one resumes.
    incomplete: bool = False
    # Set while a listing cycle is unfinished: the next full scan continues from it.
    cursor: ListingCursor | None = None
    # Deletions held by the flood guard, waiting for confirmation.
    held: HeldDeletions | None = None
    # Adaptive listing (regwatch/listing_policy.py): the last AWS native event received for
    # the target (written by its rescans, never by the lease holder), and the last time a
    # listing found a registration-status change no such event had announced.
    native_event_at: datetime | None = None
    unannounced_change_at: datetime | None = None

    @property
    def has_baseline(self) -> bool:
        return self.baseline_completed_at is not None
