"""What one scan of one account-region did: the handler turns it into metrics and a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from regwatch.errors import RegwatchError
from regwatch.ports import MalformedItem


@dataclass
class RegionReport:
    """What one scan did in one region; the handler turns it into metrics and a summary."""

    region: str
    trigger: str
    complete: bool = False
    resumed: bool = False
    baseline: bool = False
    skipped: str | None = None
    stop_reason: str | None = None
    registrations_listed: int = 0
    registrations_read: int = 0
    versions_read: int = 0
    reads_by_reason: Counter[str] = field(default_factory=Counter)
    # Settled registrations the baseline stored as stubs, read later (regwatch/triage.py).
    first_reads_deferred: int = 0
    deleted: int = 0
    # The flood guard (regwatch/deletions.py): deletions held this scan, held ones applied
    # (confirmed by this cycle or an operator), held ones listed again (released).
    deletions_held: int = 0
    deletions_confirmed: int = 0
    deletions_released: int = 0
    # Listed registrations whose ARN names another Region or account (skipped).
    foreign: int = 0
    transitions: Counter[str] = field(default_factory=Counter)
    events_published: int = 0
    snapshots_written: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    # Registrations skipped because a value of their answer could not be read.
    malformed: list[MalformedItem] = field(default_factory=list)
    listing_cycle_id: str | None = None
    listing_pages: int = 0  # DescribeRegistrations pages of the cycle listed in this scan
    listing_complete: bool = False  # this scan listed the last page of its cycle
    listing_restarts: int = 0  # the NextToken was refused: the cycle restarted from page 1
    # What a scheduled scan listed and why (regwatch/listing_policy.py): "full" or
    # "in-flight"; fallback when it listed fully only because native events are not trusted.
    listing_mode: str | None = None
    listing_reason: str | None = None
    listing_fallback: bool = False
    # Registration-status changes a listing found that no native event had announced.
    unannounced_changes: int = 0
    # The API (or STS) error that stopped the scan, for the target's health (regwatch.health).
    failure: RegwatchError | None = None
    # Names / associations / field feedback (regwatch/profile.py): reads made, reads failed.
    profile_reads: Counter[str] = field(default_factory=Counter)
    profile_read_failures: int = 0

    @property
    def transition_count(self) -> int:
        return sum(self.transitions.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "trigger": self.trigger,
            "complete": self.complete,
            "resumed": self.resumed,
            "baseline": self.baseline,
            "skipped": self.skipped,
            "stopReason": self.stop_reason,
            "registrationsListed": self.registrations_listed,
            "registrationsRead": self.registrations_read,
            "versionsRead": self.versions_read,
            "readsByReason": dict(self.reads_by_reason),
            "firstReadsDeferred": self.first_reads_deferred,
            "deleted": self.deleted,
            "foreign": self.foreign,
            "deletions": {
                "held": self.deletions_held,
                "confirmed": self.deletions_confirmed,
                "released": self.deletions_released,
            },
            "transitions": self.transition_count,
            "transitionsByStatus": dict(self.transitions),
            "eventsPublished": self.events_published,
            "snapshotsWritten": self.snapshots_written,
            "conflicts": self.conflicts,
            "errors": list(self.errors),
            "malformed": len(self.malformed),
            "profileReads": dict(self.profile_reads),
            "profileReadFailures": self.profile_read_failures,
            "listing": {
                "cycleId": self.listing_cycle_id,
                "pages": self.listing_pages,
                "complete": self.listing_complete,
                "restarts": self.listing_restarts,
                "mode": self.listing_mode,
                "reason": self.listing_reason,
                "fallback": self.listing_fallback,
            },
            "unannouncedChanges": self.unannounced_changes,
        }

    def record_malformed(self, item: MalformedItem) -> None:
        self.malformed.append(item)
        self.errors.append(f"malformed registration {item.registration_id}: {item.field}: {item.problem}")
