"""Adaptive listing (regwatch/listing_policy.py): full listings less often while AWS's native
events flow for a target, in-flight listings in between, and the fall-back to a full listing
every schedule when events are not known to flow."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from regwatch.listing_policy import IN_FLIGHT_STATUSES, ListingMode, ListingPolicy, choose_listing
from regwatch.snapshot import HeldDeletions, ListingCursor, ScanState
from tests.unit.test_scan import KEY, REGION, T0, Harness

POLICY = ListingPolicy(full_listing_interval=timedelta(minutes=15), native_event_window=timedelta(hours=24))
NOW = T0 + timedelta(days=3)
TRUSTED = ScanState(
    baseline_completed_at=T0,
    last_scan_started_at=NOW - timedelta(minutes=6),
    last_scan_completed_at=NOW - timedelta(minutes=5),
    native_event_at=NOW - timedelta(minutes=1),
)


@pytest.mark.parametrize(
    ("state", "policy", "mode", "fallback", "reason"),
    [
        (TRUSTED, POLICY, ListingMode.IN_FLIGHT, False, "native events flowing"),
        (TRUSTED, ListingPolicy(), ListingMode.FULL, False, "adaptive listing off"),
        (replace(TRUSTED, baseline_completed_at=None), POLICY, ListingMode.FULL, False, "baseline not"),
        (replace(TRUSTED, incomplete=True), POLICY, ListingMode.FULL, False, "did not finish"),
        (
            replace(TRUSTED, cursor=ListingCursor("c1", NOW)),
            POLICY,
            ListingMode.FULL,
            False,
            "did not finish",
        ),
        (
            replace(TRUSTED, held=HeldDeletions("c1", NOW, 30, 100)),
            POLICY,
            ListingMode.FULL,
            False,
            "deletions held",
        ),
        (replace(TRUSTED, native_event_at=None), POLICY, ListingMode.FULL, True, "no native event seen"),
        (
            replace(TRUSTED, native_event_at=NOW - timedelta(hours=25)),
            POLICY,
            ListingMode.FULL,
            True,
            "no native event for 25.0 h",
        ),
        (
            replace(TRUSTED, unannounced_change_at=NOW - timedelta(seconds=30)),
            POLICY,
            ListingMode.FULL,
            True,
            "no native event announced",
        ),
        # An unannounced change before the last native event no longer counts.
        (
            replace(TRUSTED, unannounced_change_at=NOW - timedelta(minutes=2)),
            POLICY,
            ListingMode.IN_FLIGHT,
            False,
            "native events flowing",
        ),
        # Due 15 minutes after the last full listing started, less a minute of schedule jitter.
        (
            replace(TRUSTED, last_scan_started_at=NOW - timedelta(minutes=14, seconds=30)),
            POLICY,
            ListingMode.FULL,
            False,
            "interval elapsed",
        ),
        (
            replace(TRUSTED, last_scan_started_at=NOW - timedelta(minutes=13, seconds=30)),
            POLICY,
            ListingMode.IN_FLIGHT,
            False,
            "native events flowing",
        ),
    ],
)
def test_choose_listing(
    state: ScanState, policy: ListingPolicy, mode: ListingMode, fallback: bool, reason: str
) -> None:
    decision = choose_listing(state, NOW, policy)
    assert (decision.mode, decision.fallback) == (mode, fallback)
    assert reason in decision.reason


def adaptive_harness() -> Harness:
    h = Harness()
    h.options = replace(h.options, listing=POLICY)
    return h


def fleet(h: Harness) -> None:
    h.registry.put("r1", (1, "SUBMITTED", 0), (1, "REVIEWING", 1))  # in flight
    h.registry.put("r2", (1, "APPROVED", 1), status="COMPLETE")
    h.registry.put("r3", (1, "APPROVED", 1), status="COMPLETE")
    # Enough settled ones that one deletion stays below the flood guard's share.
    for number in range(4, 10):
        h.registry.put(f"r{number}", (1, "APPROVED", 1), status="COMPLETE")


def test_native_events_allow_in_flight_listings_and_an_unannounced_change_revokes_that() -> None:
    h = adaptive_harness()
    fleet(h)
    h.scan()  # baseline
    h.scan()  # first reads of the settled ones
    third = h.scan()
    assert third.listing_mode == "full" and third.listing_fallback
    assert "no native event seen" in (third.listing_reason or "")

    # AWS announces r1's approval: the rescan stores it, and from now on events are trusted.
    h.now += timedelta(minutes=1)
    h.registry.put("r1", (1, "SUBMITTED", 0), (1, "REVIEWING", 1), (1, "APPROVED", 61), status="COMPLETE")
    h.scanner().scan_registration(REGION, "r1")
    assert h.store.load_state(KEY).native_event_at == h.now
    h.registry.calls.clear()
    in_flight = h.scan()
    assert (in_flight.listing_mode, in_flight.listing_fallback, in_flight.complete) == (
        "in-flight",
        False,
        True,
    )
    assert h.registry.calls == ["DescribeRegistrations(filtered)"]  # nothing in flight: one call, no reads

    # A registration goes back into review and AWS's event is lost: the in-flight listing does not
    # see a COMPLETE registration... until it is in flight; here r2 becomes REQUIRES_UPDATES.
    h.registry.put(
        "r2", (1, "APPROVED", 1), (2, "SUBMITTED", 70), (2, "DENIED", 71), status="REQUIRES_UPDATES"
    )
    events_before = len(h.publisher.entries)
    found = h.scan()
    assert found.listing_mode == "in-flight"
    assert found.unannounced_changes == 1
    assert ("r2", "VERSION", 2, "DENIED") in h.publisher.summary()[events_before:]
    # Evidence that events do not flow: the next schedule lists everything, and says why.
    after = h.scan()
    assert (after.listing_mode, after.listing_fallback) == ("full", True)
    assert "no native event announced" in (after.listing_reason or "")
    # A native event after that restores trust.
    h.now += timedelta(seconds=30)
    h.scanner().scan_registration(REGION, "r3")
    assert h.scan().listing_mode == "in-flight"


def test_a_settled_registration_changing_without_an_event_is_found_by_the_next_full_listing() -> None:
    h = adaptive_harness()
    fleet(h)
    h.scan()
    h.scan()
    h.scanner().scan_registration(REGION, "r1")
    assert h.scan().listing_mode == "in-flight"  # the last full listing was 5 minutes ago
    # r4 is closed (no longer in flight, never listed by the in-flight listing); its event is lost.
    h.registry.put("r4", (1, "APPROVED", 1), (1, "REVOKED", 90), status="CLOSED")
    modes = []
    before = len(h.publisher.entries)
    for _ in range(3):
        h.scanner().scan_registration(REGION, "r1")  # other events keep flowing
        modes.append(h.scan().listing_mode)
        if ("r4", "VERSION", 1, "REVOKED") in h.publisher.summary()[before:]:
            break
    # Found by the next full listing, within one full-listing interval (3 schedules).
    assert modes == ["in-flight", "full"]
    assert ("r4", "VERSION", 1, "REVOKED") in h.publisher.summary()[before:]


def test_an_in_flight_listing_never_decides_deletions() -> None:
    h = adaptive_harness()
    fleet(h)
    h.scan()
    h.scan()
    h.scan()
    h.scanner().scan_registration(REGION, "r1")
    h.registry.delete("r1")  # in flight, and gone
    before = len(h.publisher.entries)
    in_flight = h.scan()
    assert in_flight.listing_mode == "in-flight" and in_flight.deleted == 0
    assert not h.store.items[(KEY.partition, "r1")].is_tombstone
    modes = [in_flight.listing_mode]
    while modes[-1] != "full":
        h.scanner().scan_registration(REGION, "r2")
        modes.append(h.scan().listing_mode or "")
    assert h.store.items[(KEY.partition, "r1")].is_tombstone
    assert any(d["status"] == "DELETED" for d in h.publisher.details()[before:])


def test_in_flight_statuses_fit_the_api_filter() -> None:
    # DescribeRegistrations accepts at most 20 values per filter; none of them settled.
    assert 0 < len(IN_FLIGHT_STATUSES) <= 20
    assert not IN_FLIGHT_STATUSES & {"COMPLETE", "CLOSED", "DELETED"}
