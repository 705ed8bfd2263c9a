"""Which registrations a scan reads in full (DescribeRegistrationVersions).

Reading versions is what costs API calls. A registration is read when it is new, when
its summary changed (status, current/approved/latest-denied version numbers), or when
reconciliation is due: every registration is re-read at least once per reconcile
period, spread evenly over the scans, least recently read first, so a change the summary
does not show is still caught.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from regwatch.model import RegistrationSummary
from regwatch.snapshot import PlanEntry

_NEVER = datetime.min.replace(tzinfo=UTC)


class FetchReason(StrEnum):
    CHANGED = "changed"
    NEW = "new"
    RECONCILE = "reconcile"
    # Listed during the baseline as settled, never read (regwatch/triage.py): read when
    # the scan has the calls to spare.
    FIRST_READ = "first-read"


def reconcile_quota(registrations: int, interval: timedelta, period: timedelta) -> int:
    """ceil(N × scan interval / reconcile period): enough that N are read once per period."""
    if registrations <= 0:
        return 0
    # Integer microseconds: float division would round ceil(N × i / p) up by one at times.
    tick = timedelta(microseconds=1)
    elapsed = min(max(interval // tick, 0), period // tick)
    return min(registrations, -(-registrations * elapsed // (period // tick)))


def reconcile_targets(
    entries: Mapping[str, PlanEntry],
    *,
    now: datetime,
    previous_scan_started_at: datetime | None,
    reconcile_period: timedelta,
    capacity: int,
) -> list[str]:
    """The registrations this scan re-reads for reconciliation, least recently read first.

    Chosen from the plan entries before listing (the listing may span several invocations,
    so a scan cannot wait for the whole list to choose): ceil(N × interval / period) of
    the least recently read, or every overdue one if more, at most `capacity` (the calls
    the remaining time allows after the listing). A target is read when its page is
    listed; one on a page this invocation does not reach stays least recently read and
    is chosen again.
    """
    # Stubs never read have their own pace (regwatch/triage.py), not the reconcile quota.
    live = [s for s in entries.values() if not s.is_tombstone and not s.first_read_pending]
    live.sort(key=lambda s: (s.full_read_at or _NEVER, s.registration_id))
    interval = now - previous_scan_started_at if previous_scan_started_at else reconcile_period
    quota = reconcile_quota(len(live), interval, reconcile_period)
    overdue = sum(1 for s in live if (s.full_read_at or _NEVER) <= now - reconcile_period)
    wanted = min(max(quota, overdue), max(0, capacity))
    return [s.registration_id for s in live[:wanted]]


def fetch_reason(
    summary: RegistrationSummary, entry: PlanEntry | None, reconcile: Set[str]
) -> FetchReason | None:
    """Why a listed registration's versions must be read now, or None (nothing to read).

    New (no snapshot, or a tombstone) and changed (status, current/approved/latest-denied
    version numbers differ) are always read; unchanged ones only as reconciliation targets.
    Asked twice for a registration that is read: of its planning entry when it is listed,
    and of its full snapshot, read consistently just before (regwatch/region_scan.py).
    """
    if entry is None or entry.is_tombstone:
        return FetchReason.NEW
    if entry.fingerprint() != summary.fingerprint():
        return FetchReason.CHANGED
    if entry.first_read_pending:
        return FetchReason.FIRST_READ
    if summary.registration_id in reconcile:
        return FetchReason.RECONCILE
    return None
