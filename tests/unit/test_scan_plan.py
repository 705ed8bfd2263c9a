"""What a scan reads in full, and when it has to stop (pure planning and budget)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regwatch.budget import TimeBudget
from regwatch.model import RegistrationSummary
from regwatch.plan import FetchReason, fetch_reason, reconcile_quota, reconcile_targets
from regwatch.snapshot import PlanEntry, RegistrationSnapshot

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(hours=24)


def summary(rid: str, status: str = "REVIEWING", current: int = 1) -> RegistrationSummary:
    return RegistrationSummary(rid, f"arn:{rid}", "US_TEN_DLC_BRAND_REGISTRATION", status, current)


def snapshot(
    rid: str, read_hours_ago: float, status: str = "REVIEWING", tombstone: bool = False
) -> PlanEntry:
    return PlanEntry.of(
        RegistrationSnapshot(
            registration_id=rid,
            registration_arn=f"arn:{rid}",
            registration_type="US_TEN_DLC_BRAND_REGISTRATION",
            registration_status=status,
            current_version_number=1,
            approved_version_number=None,
            latest_denied_version_number=None,
            versions={},
            full_read_at=NOW - timedelta(hours=read_hours_ago),
            revision=1,
            deleted_at=NOW if tombstone else None,
        )
    )


@given(st.integers(0, 20_000), st.integers(1, 86_400 * 3), st.integers(3600, 86_400 * 7))
def test_quota_reads_everything_once_per_period(registrations: int, interval_s: int, period_s: int) -> None:
    quota = reconcile_quota(registrations, timedelta(seconds=interval_s), timedelta(seconds=period_s))
    assert 0 <= quota <= registrations
    if registrations and interval_s < period_s:
        assert quota == math.ceil(registrations * interval_s / period_s)
        # The scans of one period read at least every registration once.
        assert quota * math.ceil(period_s / interval_s) >= registrations
    elif registrations:
        assert quota == registrations


def test_new_and_changed_are_always_read_unchanged_only_as_reconcile_targets() -> None:
    snapshots = {
        "changed": snapshot("changed", 1),
        "same": snapshot("same", 1),
        "tomb": snapshot("tomb", 5, tombstone=True),
    }
    targets = {"same"}
    assert fetch_reason(summary("changed", status="REQUIRES_UPDATES"), snapshots["changed"], targets) == (
        FetchReason.CHANGED
    )
    assert fetch_reason(summary("new"), None, targets) == FetchReason.NEW
    assert fetch_reason(summary("tomb"), snapshots["tomb"], targets) == FetchReason.NEW
    assert fetch_reason(summary("same"), snapshots["same"], targets) == FetchReason.RECONCILE
    assert fetch_reason(summary("same"), snapshots["same"], set()) is None
    assert fetch_reason(summary("changed", current=2), snapshots["changed"], set()) == FetchReason.CHANGED


def test_reconcile_targets_are_the_least_recently_read_quota() -> None:
    snapshots = {
        "old": snapshot("old", 20),
        "older": snapshot("older", 23),
        "fresh": snapshot("fresh", 0.1),
        "mid": snapshot("mid", 10),
        "tomb": snapshot("tomb", 30, tombstone=True),
    }
    targets = reconcile_targets(
        snapshots,
        now=NOW,
        previous_scan_started_at=NOW - timedelta(hours=7),
        reconcile_period=DAY,
        capacity=100,
    )
    # Quota over the 4 live ones: ceil(4 × 7 h / 24 h) = 2, least recently read first;
    # tombstones are never reconciled.
    assert targets == ["older", "old"]


def test_overdue_registrations_are_all_reconciled_within_capacity() -> None:
    snapshots = {f"r{n}": snapshot(f"r{n}", 30 + n) for n in range(5)}
    targets = reconcile_targets(
        snapshots,
        now=NOW,
        previous_scan_started_at=NOW - timedelta(minutes=5),
        reconcile_period=DAY,
        capacity=3,
    )
    assert targets == ["r4", "r3", "r2"]
    none_left = reconcile_targets(
        snapshots, now=NOW, previous_scan_started_at=None, reconcile_period=DAY, capacity=-2
    )
    assert none_left == []


def test_budget_keeps_a_safety_margin_and_counts_calls() -> None:
    remaining = [100.0]
    budget = TimeBudget.for_invocation(lambda: remaining[0], calls_per_second=0.8)
    assert budget.margin_seconds == pytest.approx(10.0)
    assert budget.call_capacity() == 72  # (100 - 10) × 0.8
    remaining[0] = 11.0
    assert not budget.allows()  # 1 s left after the margin, a call needs 1.25 s
    long = TimeBudget.for_invocation(lambda: 900.0, calls_per_second=1)
    assert long.margin_seconds == 15.0
    assert TimeBudget.unlimited().allows(10**9)
