"""The flood guard: a listing cycle that would delete too much holds its deletions.

Scanner against the in-memory ports of test_scan.py; the same story over the real
adapters and the local stack is in tests/faults/test_floods.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from regwatch.deletion_guard import DeletionGuard
from regwatch.diff import BaselineAlerts
from regwatch.snapshot import RegistrationSnapshot
from tests.unit.test_scan import KEY, Harness

HELD = "Target Deletions Held"


def fleet(size: int, guard: DeletionGuard | None = None) -> Harness:
    h = Harness(BaselineAlerts.NONE)
    if guard is not None:
        h.options = replace(h.options, deletion_guard=guard)
    for number in range(size):
        h.registry.put(f"r{number:02d}", (1, "APPROVED", 0), status="COMPLETE")
    assert h.scan().complete
    return h


def events(h: Harness, detail_type: str) -> list[dict[str, Any]]:
    return [json.loads(str(e["Detail"])) for e in h.publisher.entries if e["DetailType"] == detail_type]


def deleted(h: Harness) -> list[str]:
    return [d["registrationId"] for d in events(h, "Registration Deleted")]


def snapshot(h: Harness, registration_id: str) -> RegistrationSnapshot:
    stored = h.store.load_registration(KEY, registration_id)
    assert stored is not None
    return stored


class Hidden:
    """The listing leaves some registrations out (they still exist: their versions answer)."""

    def __init__(self, h: Harness, ids: list[str]) -> None:
        self.h, self.ids = h, ids

    def __enter__(self) -> None:
        self.saved = {i: self.h.registry.registrations.pop(i) for i in self.ids}

    def __exit__(self, *_: object) -> None:
        self.h.registry.registrations.update(self.saved)


def test_an_empty_listing_holds_every_deletion_and_says_so_once() -> None:
    h = fleet(10)
    with Hidden(h, list(h.registry.registrations)):
        report = h.scan()
        again = h.scan()  # still empty: the hold is confirmed by this second complete cycle
        assert report.complete and report.deletions_held == 10 and report.deleted == 0
    held = events(h, HELD)
    assert len(held) == 1
    assert held[0]["heldDeletions"] == 10 and held[0]["registrationsKnown"] == 10
    assert held[0]["status"] == "TARGET_DELETIONS_HELD" and held[0]["severity"] == "ACTION_REQUIRED"
    assert held[0]["scope"] == "TARGET" and held[0]["reason"] == "DELETION_FLOOD"
    assert again.deletions_confirmed == 10 and len(deleted(h)) == 10


def test_held_deletions_listed_again_are_released_without_an_alert() -> None:
    h = fleet(10)
    with Hidden(h, list(h.registry.registrations)):
        h.scan()
    assert h.store.load_state(KEY).held is not None
    back = h.scan()
    assert back.deletions_released == 10 and back.deleted == 0
    assert deleted(h) == [] and len(events(h, HELD)) == 1
    assert h.store.load_state(KEY).held is None
    assert not any(snapshot(h, i).is_tombstone for i in h.registry.registrations)


def test_the_next_cycle_applies_only_the_held_ones_still_missing() -> None:
    h = fleet(10)
    with Hidden(h, [f"r{n:02d}" for n in range(5)]):
        h.scan()
    h.registry.delete("r00")  # really gone; r01..r04 come back
    report = h.scan()
    assert deleted(h) == ["r00"]
    assert report.deletions_confirmed == 1 and report.deletions_released == 4
    assert h.store.load_state(KEY).held is None


@pytest.mark.parametrize(("missing", "held"), [(1, False), (2, False), (3, True)])
def test_more_than_the_percentage_is_held(missing: int, held: bool) -> None:
    h = fleet(10)  # default 20 %: 2 of 10 are applied, 3 are held
    for number in range(missing):
        h.registry.delete(f"r{number:02d}")
    report = h.scan()
    assert (report.deletions_held > 0) is held
    assert len(deleted(h)) == (0 if held else missing)


def test_more_than_the_count_is_held_whatever_the_percentage() -> None:
    h = fleet(12, DeletionGuard(percent=100.0, count=5))
    for number in range(6):
        h.registry.delete(f"r{number:02d}")
    assert h.scan().deletions_held == 6
    assert deleted(h) == []


def test_a_single_deletion_on_a_tiny_target_is_not_held() -> None:
    h = fleet(2)
    h.registry.delete("r00")
    assert h.scan().deleted == 1
    assert deleted(h) == ["r00"] and events(h, HELD) == []


def test_an_operator_confirmation_applies_the_hold_on_the_next_scan() -> None:
    h = fleet(10)
    for number in range(4):
        h.registry.delete(f"r{number:02d}")
    held = h.scan()
    assert held.deletions_held == 4
    state = h.store.load_state(KEY)
    assert state.held is not None
    h.store.confirmed.add((KEY.partition, state.held.cycle_id))
    report = h.scan()
    assert report.deletions_confirmed == 4 and sorted(deleted(h)) == ["r00", "r01", "r02", "r03"]
    assert len(events(h, HELD)) == 1  # the confirmed ones are not held a second time
    assert h.store.load_state(KEY).held is None


def test_a_failed_held_event_applies_nothing_and_the_next_cycle_decides_again() -> None:
    h = fleet(10)
    with Hidden(h, list(h.registry.registrations)):
        h.publisher.fail_next = 1
        failed = h.scan()
        assert not failed.complete and failed.deletions_held == 0
        assert h.store.load_state(KEY).held is None
        assert h.scan().deletions_held == 10
    assert deleted(h) == [] and len(events(h, HELD)) == 1


def test_a_registration_back_from_a_tombstone_is_compared_not_replayed() -> None:
    h = fleet(3)
    h.registry.put("r00", (1, "DENIED", 5), (2, "APPROVED", 9), status="COMPLETE")
    h.scan()
    saved = (h.registry.registrations["r00"], h.registry.versions["r00"])
    h.registry.delete("r00")
    h.scan()
    assert snapshot(h, "r00").is_tombstone
    before = len(h.publisher.entries)
    h.registry.registrations["r00"], h.registry.versions["r00"] = saved
    h.registry.put("r00", (2, "REVOKED", 30), status="COMPLETE")  # one step while it was away
    h.scan()
    back = [json.loads(str(e["Detail"])) for e in h.publisher.entries[before:]]
    assert [(d["scope"], d["status"]) for d in back] == [("REGISTRATION", "COMPLETE"), ("VERSION", "REVOKED")]
    assert snapshot(h, "r00").incarnation == 1


def test_each_life_of_a_registration_has_its_own_discovered_and_deleted_ids() -> None:
    h = fleet(3)
    saved = (h.registry.registrations["r00"], h.registry.versions["r00"])
    for _ in range(2):  # deleted, back, deleted, back
        h.registry.delete("r00")
        h.scan()
        h.registry.registrations["r00"], h.registry.versions["r00"] = saved
        h.scan()
    gone = [d["eventId"] for d in events(h, "Registration Deleted")]
    found = [d["eventId"] for d in events(h, "Registration Discovered")]
    assert len(gone) == 2 and len(set(gone)) == 2
    assert len(found) == 2 and len(set(found)) == 2


def test_another_regions_answer_discovers_nothing_and_its_deletions_are_held() -> None:
    h = fleet(10)
    saved = dict(h.registry.registrations)
    h.registry.registrations = {
        f"x{n}": replace(
            saved["r00"],
            registration_id=f"x{n}",
            registration_arn=f"arn:aws:sms-voice:eu-west-1:{KEY.account_id}:registration/x{n}",
        )
        for n in range(3)
    }
    report = h.scan()
    assert report.foreign == 3 and report.deletions_held == 10
    assert h.store.load_registration(KEY, "x0") is None
    h.registry.registrations = saved
    assert h.scan().deletions_released == 10
    assert deleted(h) == [] and events(h, "Registration Discovered") == []
    assert len(events(h, HELD)) == 1
