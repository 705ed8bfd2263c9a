"""Which registrations a scan reads in full (DescribeRegistrationVersions), in what order.

Reading versions is what costs API calls. A registration is read when it is new, when
its summary changed (status, current/approved/latest-denied version numbers), or when
reconciliation is due: every registration is re-read at least once per reconcile
period, spread evenly over the scans, least recently read first, so a change the summary
does not show is still caught.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from regwatch.model import RegistrationSummary
from regwatch.snapshot import RegistrationSnapshot

_NEVER = datetime.min.replace(tzinfo=UTC)


class FetchReason(StrEnum):
    CHANGED = "changed"
    NEW = "new"
    RECONCILE = "reconcile"


@dataclass(frozen=True, slots=True)
class PlannedFetch:
    summary: RegistrationSummary
    snapshot: RegistrationSnapshot | None
    reason: FetchReason


def reconcile_quota(registrations: int, interval: timedelta, period: timedelta) -> int:
    """ceil(N × scan interval / reconcile period): enough that N are read once per period."""
    if registrations <= 0:
        return 0
    # Integer microseconds: float division would round ceil(N × i / p) up by one at times.
    tick = timedelta(microseconds=1)
    elapsed = min(max(interval // tick, 0), period // tick)
    return min(registrations, -(-registrations * elapsed // (period // tick)))


def plan_fetches(
    summaries: Sequence[RegistrationSummary],
    snapshots: Mapping[str, RegistrationSnapshot],
    *,
    now: datetime,
    previous_scan_started_at: datetime | None,
    reconcile_period: timedelta,
    capacity: int,
) -> list[PlannedFetch]:
    """Changed first (alerts matter most), then new, then reconciliation.

    `capacity` is how many version reads the remaining time allows; reconciliation only
    fills what is left of it (overdue registrations included), so the scan fits its
    budget. Changed and new registrations are always planned: the time budget stops the
    scan cleanly and the next one carries on.
    """
    changed: list[PlannedFetch] = []
    new: list[PlannedFetch] = []
    unchanged: list[tuple[datetime, str, PlannedFetch]] = []
    for summary in summaries:
        snapshot = snapshots.get(summary.registration_id)
        if snapshot is None or snapshot.is_tombstone:
            new.append(PlannedFetch(summary, snapshot, FetchReason.NEW))
        elif snapshot.fingerprint() != summary.fingerprint():
            changed.append(PlannedFetch(summary, snapshot, FetchReason.CHANGED))
        else:
            fetch = PlannedFetch(summary, snapshot, FetchReason.RECONCILE)
            unchanged.append((snapshot.full_read_at or _NEVER, summary.registration_id, fetch))
    unchanged.sort(key=lambda item: (item[0], item[1]))

    interval = now - previous_scan_started_at if previous_scan_started_at else reconcile_period
    quota = reconcile_quota(len(summaries), interval, reconcile_period)
    overdue = sum(1 for read_at, _, _ in unchanged if read_at <= now - reconcile_period)
    wanted = max(quota, overdue)
    room = max(0, capacity - len(changed) - len(new))
    reconcile = [fetch for _, _, fetch in unchanged[: min(wanted, room)]]
    return [*changed, *new, *reconcile]
