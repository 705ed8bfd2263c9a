"""Planning from the planning entries, acting on the full snapshots (regwatch/region_scan.py).

The entries come from an eventually consistent index: here the MemoryStore answers one
load_plan with entries taken earlier (`lagging_plan`), as an index that has not caught up
with the latest writes would. Whatever the entries say, no transition is reported twice
and none is lost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from regwatch.diff import BaselineAlerts
from regwatch.snapshot import PlanEntry
from tests.unit.test_scan import KEY, REGION, Harness


def _settled(baseline: BaselineAlerts = BaselineAlerts.NONE) -> Harness:
    h = Harness(baseline)
    for rid in ("r1", "r2", "r3", "r4"):
        h.registry.put(rid, (1, "SUBMITTED", 0))
    h.scan()
    h.registry.calls.clear()
    h.store.full_loads.clear()
    return h


def _entries(h: Harness) -> dict[str, PlanEntry]:
    return dict(h.store.load_plan(KEY).entries)


def test_a_scan_plans_from_one_load_and_reads_full_snapshots_only_of_what_it_reads() -> None:
    h = _settled()
    h.registry.put("r2", (1, "DENIED", 10), status="REQUIRES_UPDATES")
    loads_before = h.store.plan_loads
    report = h.scan(advance=timedelta(seconds=1))  # reconcile quota 1
    assert h.store.plan_loads == loads_before + 1
    assert dict(report.reads_by_reason) == {"changed": 1, "reconcile": 1}
    # r2 (changed) and the one reconcile target; the two others are not read at all.
    assert len(h.store.full_loads) == 2 and "r2" in h.store.full_loads
    assert report.snapshots_loaded == 2 and report.plan_reads_skipped == 0
    assert h.registry.calls.count("DescribeRegistrationVersions") == 2


def test_an_entry_older_than_a_rescan_neither_reads_again_nor_reports_twice() -> None:
    h = _settled()
    stale = _entries(h)
    h.registry.put("r2", (1, "REQUIRES_AUTHENTICATION", 7), status="REQUIRES_AUTHENTICATION")
    assert h.scanner().scan_registration(REGION, "r2").complete  # AWS's native event
    reported = h.publisher.summary()
    assert ("r2", "VERSION", 1, "REQUIRES_AUTHENTICATION") in reported
    h.registry.calls.clear()

    h.store.lagging_plan = stale  # still shows r2 as SUBMITTED: "changed"
    report = h.scan(advance=timedelta(seconds=1))
    assert report.complete and report.plan_reads_skipped == 1
    assert h.publisher.summary() == reported
    # Only the reconcile target (r1: least recently read, then by id) is read.
    assert dict(report.reads_by_reason) == {"reconcile": 1}
    assert h.registry.calls.count("DescribeRegistrationVersions") == 1


def test_a_change_after_the_rescan_is_still_read_and_reported_once() -> None:
    h = _settled()
    stale = _entries(h)
    h.registry.put("r2", (1, "REQUIRES_AUTHENTICATION", 7), status="REQUIRES_AUTHENTICATION")
    h.scanner().scan_registration(REGION, "r2")
    h.registry.put("r2", (1, "DENIED", 9), status="REQUIRES_UPDATES")
    h.store.lagging_plan = stale
    report = h.scan(advance=timedelta(seconds=1))
    assert report.reads_by_reason["changed"] == 1
    assert [s for s in h.publisher.summary() if s[0] == "r2"] == [
        ("r2", "VERSION", 1, "REQUIRES_AUTHENTICATION"),
        ("r2", "REGISTRATION", 1, "REQUIRES_AUTHENTICATION"),
        ("r2", "VERSION", 1, "DENIED"),
        ("r2", "REGISTRATION", 1, "REQUIRES_UPDATES"),
    ]


def test_a_registration_the_entries_do_not_show_yet_is_not_discovered_twice() -> None:
    h = _settled()
    stale = _entries(h)
    h.registry.put("r5", (1, "DRAFT", 12), status="CREATED")
    h.scanner().scan_registration(REGION, "r5")
    discovered = h.publisher.summary()
    assert ("r5", "REGISTRATION", 1, "CREATED") in discovered
    h.store.lagging_plan = stale  # without r5
    report = h.scan(advance=timedelta(seconds=1))
    assert report.complete and report.plan_reads_skipped == 1
    assert h.publisher.summary() == discovered


def test_entries_that_lag_a_deletion_do_not_report_it_twice() -> None:
    h = _settled()
    h.registry.delete("r1")
    stale = _entries(h)
    assert h.scan().deleted == 1
    h.store.lagging_plan = stale  # r1 still live
    again = h.scan()
    assert again.complete and again.deleted == 0
    assert h.publisher.summary() == [("r1", "REGISTRATION", 1, "DELETED")]


def test_a_registration_read_since_the_cycle_began_is_not_deleted_on_a_lagging_entry() -> None:
    h = _settled()
    stale = _entries(h)
    h.registry.delete("r1")
    # Read during the coming scan's cycle (its page listed before it went away, say): the
    # item says so, the lagging entry does not.
    item = h.store.items[(KEY.partition, "r1")]
    h.store.items[(KEY.partition, "r1")] = replace(item, full_read_at=h.now + timedelta(minutes=5))
    h.store.lagging_plan = stale
    report = h.scan(advance=timedelta(minutes=5))
    assert report.complete and report.deleted == 0 and h.publisher.entries == []
    assert not h.store.items[(KEY.partition, "r1")].is_tombstone
    assert h.scan().deleted == 1  # the next cycle decides: r1 is gone


def test_the_baseline_reads_no_full_snapshot_of_a_registration_it_has_no_entry_for() -> None:
    h = Harness(BaselineAlerts.NONE)
    for rid in ("r1", "r2"):
        h.registry.put(rid, (1, "SUBMITTED", 0))
    report = h.scan()
    assert report.complete and report.registrations_read == 2
    assert h.store.full_loads == [] and report.snapshots_loaded == 0
