"""Triage-first baseline: read first what listing says may need a person.

The first scan of a target must read every registration's versions (one
DescribeRegistrationVersions each); at 100,000 that is ~35 hours at the deployed pace.
Listing already says a lot (registration status, current/approved version numbers), so
a registration the summary shows as settled (COMPLETE or CLOSED, no newer version in
flight) waits: it is stored as a "listed, not yet read" stub, and the scans after read
it while they list, at most one such read per list call once the listing no longer fits
the invocation (so the listing keeps its pace and a change elsewhere is still seen
within a listing cycle). Everything else is read the moment its page is listed.

Only with `baselineAlerts: actionable` (regwatch/scan.py decides). A stub is a first
sighting when it is read: it reports what that baseline reports (for a settled
registration, nothing). A stub whose summary changed before it was read is read at once, and the
status change since it was listed is reported (regwatch.diff.diff_first_read).
The bound within which every registration is read is in docs/scanner.md
("Triage-first baseline").
"""

from __future__ import annotations

from regwatch.model import RegistrationSummary
from regwatch.snapshot import RegistrationSnapshot

# Registration statuses that need nobody as long as no newer version is in flight.
SETTLED_STATUSES = frozenset({"COMPLETE", "CLOSED"})


def may_need_person(summary: RegistrationSummary) -> bool:
    """True unless the summary shows a settled registration (unknown statuses: True)."""
    if summary.registration_status not in SETTLED_STATUSES:
        return True
    approved = summary.approved_version_number
    denied = summary.latest_denied_version_number
    in_flight = approved is not None and summary.current_version_number > approved
    newer_denial = denied is not None and (approved is None or denied > approved)
    return in_flight or newer_denial


def listed_stub(summary: RegistrationSummary) -> RegistrationSnapshot:
    """The snapshot of a registration listed but not read yet (no versions, never read)."""
    return RegistrationSnapshot(
        registration_id=summary.registration_id,
        registration_arn=summary.registration_arn,
        registration_type=summary.registration_type,
        registration_status=summary.registration_status,
        current_version_number=summary.current_version_number,
        approved_version_number=summary.approved_version_number,
        latest_denied_version_number=summary.latest_denied_version_number,
        versions={},
        full_read_at=None,
        revision=1,
        first_read_pending=True,
    )


def may_read_pending(*, reads_this_scan: int, lists_this_scan: int, capacity: int, lists_left: int) -> bool:
    """Whether a scan may read one more pending stub now without slowing its listing.

    Each operation has its own quota bucket and the calls alternate, so a read per list
    call is free; beyond that, only the time the rest of the listing does not need.
    """
    return reads_this_scan < lists_this_scan or capacity > lists_left
