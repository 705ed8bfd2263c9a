"""Triage-first baseline (regwatch/triage.py): what may need a person is read first, settled
registrations later, nothing is lost and a change during the baseline is still reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.model import RegistrationSummary
from regwatch.triage import listed_stub, may_need_person, may_read_pending
from regwatch_aws.snapshot_store import registration_from_item, registration_to_item
from tests.unit.test_scan import KEY, CallBudget, Harness


def _summary(
    status: str, current: int, approved: int | None, denied: int | None = None
) -> RegistrationSummary:
    return RegistrationSummary(
        "r", "arn:r", "US_TEN_DLC_BRAND_REGISTRATION", status, current, approved, denied
    )


@pytest.mark.parametrize(
    ("summary", "needs"),
    [
        (_summary("COMPLETE", 2, 2), False),
        (_summary("CLOSED", 1, None), False),
        (_summary("COMPLETE", 3, 2), True),  # a newer version in flight
        (_summary("COMPLETE", 3, 2, denied=3), True),  # a newer version denied
        (_summary("REQUIRES_AUTHENTICATION", 1, None), True),
        (_summary("REQUIRES_UPDATES", 2, 1), True),
        (_summary("CREATED", 1, None), True),
        (_summary("SOMETHING_NEW", 1, None), True),  # unknown statuses are read at once
    ],
)
def test_what_the_summary_says_may_need_a_person(summary: RegistrationSummary, needs: bool) -> None:
    assert may_need_person(summary) is needs


def test_pending_reads_ride_along_with_list_calls_or_use_spare_time() -> None:
    assert may_read_pending(reads_this_scan=3, lists_this_scan=4, capacity=10, lists_left=500)
    assert not may_read_pending(reads_this_scan=4, lists_this_scan=4, capacity=10, lists_left=500)
    assert may_read_pending(reads_this_scan=40, lists_this_scan=4, capacity=10, lists_left=3)


def _fleet(h: Harness, settled: int, waiting: int) -> None:
    for n in range(settled):
        h.registry.put(f"s{n:03d}", (1, "SUBMITTED", 0), (1, "APPROVED", 5), status="COMPLETE")
    for n in range(waiting):
        h.registry.put(
            f"w{n:03d}", (1, "SUBMITTED", 0), (1, "REQUIRES_AUTHENTICATION", 3), status="SUBMITTED"
        )


def test_actionable_ones_are_alerted_first_and_every_settled_one_is_read_later_without_an_alert() -> None:
    h = Harness(BaselineAlerts.ACTIONABLE)
    _fleet(h, settled=30, waiting=3)
    first = h.scan(TimeBudget(CallBudget(h.registry, 40), margin_seconds=0, seconds_per_call=1))
    # 17 list calls and 3 reads: the baseline finished and alerted every waiting one.
    assert first.complete and first.registrations_read == 3 and first.first_reads_deferred == 30
    assert sorted(d["registrationId"] for d in h.publisher.details()) == ["w000", "w001", "w002"]
    scans = 0
    while any(s.first_read_pending for s in h.store.load_plan(KEY).entries.values()):
        h.scan(TimeBudget(CallBudget(h.registry, 40), margin_seconds=0, seconds_per_call=1))
        scans += 1
        assert scans <= 3  # the bound: ceil(30 / (40 - 17)) scans after the baseline
    assert all(s.full_read_at is not None for s in h.store.load_plan(KEY).entries.values())
    assert len(h.publisher.entries) == 3  # settled ones have nothing to report


def test_a_change_to_a_listed_not_yet_read_registration_is_reported() -> None:
    h = Harness(BaselineAlerts.ACTIONABLE)
    _fleet(h, settled=4, waiting=0)
    h.scan(TimeBudget(CallBudget(h.registry, 3), margin_seconds=0, seconds_per_call=1))  # lists 2 of 4
    assert h.store.items[(KEY.partition, "s000")].first_read_pending
    # Before its first read, s000 gets a new version that AWS asks to authenticate.
    h.registry.put("s000", (2, "SUBMITTED", 20), (2, "REQUIRES_AUTHENTICATION", 21), status="SUBMITTED")
    h.registry.put("s003", (2, "SUBMITTED", 20), status="REVIEWING")
    for _ in range(10):
        h.scan(advance=timedelta(minutes=5))
        if not any(s.first_read_pending for s in h.store.load_plan(KEY).entries.values()):
            break
    events = {(d["registrationId"], d["scope"], d["status"], d["baseline"]) for d in h.publisher.details()}
    assert ("s000", "VERSION", "REQUIRES_AUTHENTICATION", False) in events
    assert ("s000", "VERSION", "SUBMITTED", False) in events
    assert ("s003", "VERSION", "SUBMITTED", False) in events
    assert ("s003", "REGISTRATION", "REVIEWING", False) in events
    assert not any(rid in {"s001", "s002"} for rid, *_ in events)
    assert all(not s.first_read_pending for s in h.store.load_plan(KEY).entries.values())


def test_triage_off_reads_everything_in_the_baseline() -> None:
    h = Harness(BaselineAlerts.ACTIONABLE)

    h.options = replace(h.options, triage_baseline=False)
    _fleet(h, settled=5, waiting=1)
    report = h.scan()
    assert report.registrations_read == 6 and report.first_reads_deferred == 0


@pytest.mark.parametrize("mode", [BaselineAlerts.ALL, BaselineAlerts.NONE])
def test_baseline_all_or_none_reads_everything_in_the_baseline(mode: BaselineAlerts) -> None:
    h = Harness(mode)
    _fleet(h, settled=5, waiting=1)
    report = h.scan()
    assert report.registrations_read == 6 and report.first_reads_deferred == 0


def test_a_listed_current_version_revoked_before_its_first_read_is_a_change_not_baseline() -> None:
    h = Harness(BaselineAlerts.ACTIONABLE)
    _fleet(h, settled=4, waiting=0)
    h.scan(TimeBudget(CallBudget(h.registry, 3), margin_seconds=0, seconds_per_call=1))
    assert h.store.items[(KEY.partition, "s001")].first_read_pending
    h.registry.put("s001", (1, "REVOKED", 30), status="REQUIRES_UPDATES")
    for _ in range(10):
        h.scan()
    revoked = [d for d in h.publisher.details() if d["registrationId"] == "s001" and d["status"] == "REVOKED"]
    assert len(revoked) == 1 and revoked[0]["baseline"] is False


def test_a_stub_keeps_its_pending_mark_through_the_dynamodb_item_layout() -> None:
    stub = listed_stub(_summary("COMPLETE", 1, 1))
    item = registration_to_item(KEY, stub, timedelta(days=30))
    assert item["firstReadPending"] == {"BOOL": True}
    assert registration_from_item(item) == stub
    read = replace(stub, first_read_pending=False)
    assert "firstReadPending" not in registration_to_item(KEY, read, timedelta(days=30))
