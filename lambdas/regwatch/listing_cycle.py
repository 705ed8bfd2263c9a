"""A full listing cycle's progress within one scan, and what of a listed page is still to do.

A listing cycle is one pass over every DescribeRegistrations page; at 100,000 registrations
it spans several invocations, so its position lives in the region's scan state
(ListingCursor) between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from regwatch.model import RegistrationSummary
from regwatch.snapshot import ListingCursor, RegionKey


@dataclass
class ListingCycleProgress:
    """Progress of the region's listing cycle within one scan (saved in the scan state)."""

    cycle_id: str
    started_at: datetime
    next_token: str | None
    after_id: str | None
    pages: int
    resumed: bool  # the cycle began in an earlier invocation
    finished: bool = False
    expected_pages: int = 0  # the cycle's pages as the snapshots estimate them
    listed: set[str] = field(default_factory=set)

    @classmethod
    def continuing(
        cls, cursor: ListingCursor | None, scan_id: str, now: datetime, max_age: timedelta
    ) -> ListingCycleProgress:
        if cursor is None or now - cursor.started_at > max_age:
            return cls(
                cycle_id=scan_id, started_at=now, next_token=None, after_id=None, pages=0, resumed=False
            )
        return cls(cursor.cycle_id, cursor.started_at, cursor.next_token, cursor.after_id, cursor.pages, True)

    def cursor(self) -> ListingCursor | None:
        if self.finished:
            return None
        return ListingCursor(self.cycle_id, self.started_at, self.next_token, self.after_id, self.pages)


def unprocessed(
    registrations: Sequence[RegistrationSummary], after_id: str | None
) -> Sequence[RegistrationSummary]:
    """The part of a re-listed page after the last registration already processed."""
    if after_id is None:
        return registrations
    for position, summary in enumerate(registrations):
        if summary.registration_id == after_id:
            return registrations[position + 1 :]
    # The page changed since: process all of it. Processed ones look unchanged now (their
    # snapshots were written), so they cost nothing and emit nothing again.
    return registrations


def belongs_to(summary: RegistrationSummary, key: RegionKey) -> bool:
    """False if the registration's ARN names another Region or account than the target's."""
    parts = summary.registration_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return True  # not an ARN we can read: nothing to say against it
    return parts[3] == key.region and parts[4] == key.account_id
