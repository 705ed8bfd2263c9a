"""Deletion floods, table-driven: a listing that comes back short must not delete anything.

The story of tests/faults/test_faults.py (40 registrations on the local stack, a baseline
scan, 6 of them change, the fault is armed for one scheduled scan, then cleared for two
more), with the flood guard's own figures: how many "Registration Deleted" events and how
many "Target Deletions Held" events reached the bus, Slack and SNS. A control row deletes
three registrations for real: those alerts must still arrive, and nothing is held.

`make faults` writes this table into docs/reliability.md ("Deletion floods").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from benchmarks.dataset import Dataset
from tests.faults.pipeline import REGION, Pipeline
from tests.faults.results import record_row
from tests.faults.sdk_faults import INJECTOR, WireFault
from tests.faults.test_faults import CHANGING, PAGINATED, REGISTRATIONS, STORM

OTHER_REGION = "eu-west-1"
HELD = "TARGET_DELETIONS_HELD"
Probe = Callable[[], int]


@dataclass(frozen=True)
class FloodRow:
    id: str
    where: str
    arm: Callable[[Pipeline], Probe]
    disarm: Callable[[Pipeline], None] = lambda _: None
    registrations: int = REGISTRATIONS
    expected_held_alerts: int = 1
    really_deleted: int = 0
    note: str = ""


def empty_listing(pipeline: Pipeline) -> Probe:
    """Every DescribeRegistrations answer of the scan is empty (no registrations, no NextToken)."""
    emptied = [0]

    def observer(service: str, name: str, parsed: dict[str, Any]) -> None:
        if name == "DescribeRegistrations":
            parsed["Registrations"] = []
            parsed.pop("NextToken", None)
            emptied[0] += 1

    INJECTOR.observers.append(observer)
    return lambda: emptied[0]


def access_denied_after_page_one(pipeline: Pipeline) -> Probe:
    """A permissions change mid-listing: page 2 onwards answers AccessDeniedException."""
    fault = WireFault(
        "pinpoint-sms-voice-v2",
        "DescribeRegistrations",
        count=STORM,
        status=400,
        code="AccessDeniedException",
        when=lambda body: "NextToken" in body,
        members={"Message": "User is not authorized to perform: sms-voice:DescribeRegistrations"},
    )
    with INJECTOR.lock:
        INJECTOR.wire.append(fault)
    return lambda: fault.fired


_switched: dict[str, Any] = {}
_switch_lock = threading.Lock()


def region_switch(pipeline: Pipeline) -> Probe:
    """The endpoint answers for another Region: its 5 registrations, none of the target's 40."""
    store = pipeline.emulator.store
    Dataset(pipeline.emulator, pipeline.control, OTHER_REGION, seed=5).generate(5, versions_max=2, seed=5)
    account = next(account for account, region in store.partitions if region == REGION)
    with _switch_lock, store.lock:
        own, other = store.partitions[(account, REGION)], store.partitions[(account, OTHER_REGION)]
        store.partitions[(account, REGION)] = other
        _switched[pipeline.control.url] = (account, own)
    answered = [0]

    def observer(service: str, name: str, parsed: dict[str, Any]) -> None:
        if name == "DescribeRegistrations":
            answered[0] += 1

    INJECTOR.observers.append(observer)
    return lambda: answered[0]


def switch_back(pipeline: Pipeline) -> None:
    store = pipeline.emulator.store
    with _switch_lock, store.lock:
        account, own = _switched.pop(pipeline.control.url)
        store.partitions[(account, REGION)] = own


def three_real_deletions(pipeline: Pipeline) -> Probe:
    """Control row: three unchanged registrations are really deleted (below the guard)."""
    changed = {item.transition.registration_id for item in pipeline.dataset.injected}
    gone = [rid for rid in pipeline.dataset.ids if rid not in changed][:3]
    with pipeline.emulator.store.lock:
        for registration_id in gone:
            pipeline.emulator.store.region(REGION).remove(registration_id)
    return lambda: len(gone)


FLOOD_ROWS: list[FloodRow] = [
    FloodRow("flood-empty-listing", "SMS DescribeRegistrations answer", empty_listing),
    FloodRow(
        "flood-list-access-denied",
        "SMS DescribeRegistrations page 2",
        access_denied_after_page_one,
        registrations=PAGINATED,
        expected_held_alerts=0,
        note="the listing cycle never completes, so no deletion is even considered: the guard is not needed",
    ),
    FloodRow(
        "flood-region-switch",
        "SMS endpoint answers for another Region",
        region_switch,
        disarm=switch_back,
        note="the other Region's registrations are skipped by their ARN (not discovered)",
    ),
    FloodRow(
        "flood-control-real-deletions",
        "3 of 40 registrations deleted for real",
        three_real_deletions,
        expected_held_alerts=0,
        really_deleted=3,
    ),
]


def alerts(pipeline: Pipeline, wanted: Callable[[dict[str, Any]], bool]) -> tuple[int, int, int]:
    """(events on the bus, Slack posts, SNS messages) of the distinct eventIds `wanted` picks."""
    ids = {d["eventId"] for d in pipeline.audit_details if wanted(d)}
    pipeline.slack.wait_idle()
    posted = [json.dumps(request) for request in pipeline.slack.requests]
    slack = sum(1 for text in posted if any(event_id in text for event_id in ids))
    sns = sum(1 for event_id in pipeline.sns_event_ids if event_id in ids)
    return len(ids), slack, sns


@pytest.mark.parametrize("row", FLOOD_ROWS, ids=[row.id for row in FLOOD_ROWS])
def test_no_spurious_deletion_alert(row: FloodRow, pipeline: Pipeline) -> None:
    pipeline.seed(row.registrations)
    baseline = pipeline.scan()
    assert baseline is not None and baseline["complete"], "the baseline scan must succeed before the fault"
    pipeline.start_measuring()
    injected = pipeline.dataset.mutate(CHANGING / row.registrations, hidden_share=0.0, tick=pipeline.tick + 1)
    truth = [item for item in injected if item.revealed]
    probe = row.arm(pipeline)
    pipeline.scan()
    pipeline.drain()
    struck = probe()
    INJECTOR.clear()
    pipeline.control.clear_faults()
    row.disarm(pipeline)
    for _ in range(2):  # the schedule carries on
        pipeline.scan()
        pipeline.drain()
    outcome = pipeline.outcome(truth)
    deleted = alerts(pipeline, lambda d: d.get("status") == "DELETED")
    held = alerts(pipeline, lambda d: d.get("status") == HELD)
    record_row(
        row.id,
        outcome,
        struck=struck,
        deleted_events=deleted[0],
        deleted_slack=deleted[1],
        deleted_sns=deleted[2],
        held_events=held[0],
        held_slack=held[1],
        held_sns=held[2],
        expected_deleted=row.really_deleted,
        expected_held=row.expected_held_alerts,
        expected_duplicates=0,
        expected_dead_letters=0,
        expected_left_in_dlq=0,
    )
    print(f"\n{outcome.line(row.id)} struck={struck} deleted={deleted} held={held}")

    assert struck > 0, f"{row.id}: the fault never fired, so this row proved nothing"
    assert deleted == (row.really_deleted,) * 3, f"{row.id}: DELETED (bus, Slack, SNS) {deleted}"
    assert held == (row.expected_held_alerts,) * 3, f"{row.id}: held alerts (bus, Slack, SNS) {held}"
    assert outcome.lost == 0, f"{row.id}: {outcome.lost} alert(s) lost: {outcome}"
    assert outcome.duplicates == 0, f"{row.id}: duplicates {outcome}"
