"""The scanner under load and faults, over real sockets (emulator + moto): pagination,
throttling and 5xx storms, PutEvents partial failure, a crash between publish and
snapshot write, overlapping scans, a time-budget stop and its resumption.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, defaultdict
from typing import Any

import pytest

from regwatch.model import history_key_for_status
from scanner.dependencies import get_dependencies
from tests.integration.scanner.conftest import REGION, FakeLambdaContext, ScannerWorld, status_change_event


def event_ids(details: list[dict[str, Any]]) -> list[str]:
    return [d["eventId"] for d in details]


def registration_items(world: ScannerWorld) -> list[dict[str, Any]]:
    return [i for i in world.snapshot_items() if i["sk"]["S"].startswith("REG#")]


def test_pagination_past_250_registrations_costs_three_list_calls(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    world.control.generate(REGION, 260, versions_min=1, versions_max=2, seed=7)
    world.control.reset_counters()
    summary = world.invoke()
    region = summary["regions"][REGION]
    assert summary["complete"]
    assert region["registrationsListed"] == 260
    assert summary["apiCalls"] == {"DescribeRegistrations": 3, "DescribeRegistrationVersions": 260}
    counters = world.control.counters()
    assert counters["DescribeRegistrations"] == 3 and counters["DescribeRegistrationVersions"] == 260
    assert len(registration_items(world)) == 260
    # Nothing changed: the listing again plus ceil(260 × seconds-since-last-scan / 24 h) = 1.
    again = world.invoke()
    assert again["apiCalls"] == {"DescribeRegistrations": 3, "DescribeRegistrationVersions": 1}
    assert again["regions"][REGION]["readsByReason"] == {"reconcile": 1}
    assert world.details() == []


def _change_all(world: ScannerWorld, ids: list[str], status: str) -> None:
    world.control.advance_clock(60)
    for registration_id in ids:
        world.control.set_version_status(REGION, registration_id, 1, status)


def test_throttling_storm_slows_the_scan_but_does_not_fail_it(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none", API_CALLS_PER_SECOND="50")
    ids = [world.create_registration() for _ in range(8)]
    world.invoke()
    _change_all(world, ids, "SUBMITTED")
    # Someone else uses the quota: the emulator throttles far below our configured rate, and
    # (so the storm happens however slow the machine is) the first answers are throttles.
    world.control.set_faults(
        operation="DescribeRegistrationVersions", rate_limit=4, error_script=["ThrottlingException"] * 4
    )
    world.control.reset_counters()
    summary = world.invoke()
    assert summary["complete"]
    assert summary["throttles"].get("DescribeRegistrationVersions", 0) > 0
    counters = world.control.counters()
    assert (
        counters["DescribeRegistrationVersions:throttled"]
        == summary["throttles"]["DescribeRegistrationVersions"]
    )
    assert counters["DescribeRegistrationVersions"] == summary["apiCalls"]["DescribeRegistrationVersions"]
    details = world.details()
    assert sorted(d["registrationId"] for d in details if d["scope"] == "VERSION") == sorted(ids)
    assert len(set(event_ids(details))) == len(details)


def test_5xx_storm_is_absorbed_by_retries(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    ids = [world.create_registration() for _ in range(3)]
    world.invoke()
    _change_all(world, ids, "SUBMITTED")
    world.control.set_faults(operation="DescribeRegistrations", error_script=[500, 503])
    world.control.set_faults(operation="DescribeRegistrationVersions", error_script=[500, 500, 500])
    world.control.reset_counters()
    summary = world.invoke()
    assert summary["complete"]
    # Each submission is also named (issue 11): form values, then the Name tag (no form name).
    assert summary["apiCalls"] == {
        "DescribeRegistrations": 1 + 2,
        "DescribeRegistrationVersions": 3 + 3,
        "DescribeRegistrationFieldValues": 3,
        "ListTagsForResource": 3,
    }
    assert world.control.counters()["DescribeRegistrationVersions:faulted"] == 3
    assert sorted(d["registrationId"] for d in world.details() if d["scope"] == "VERSION") == sorted(ids)


def test_put_events_partial_failure_retries_only_the_failed_entry(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    for status in ("SUBMITTED", "REVIEWING", "APPROVED"):
        world.control.advance_clock(60)
        world.control.set_version_status(REGION, registration_id, 1, status)

    # EventBridge's partial failure, played over the wire: the first PutEvents reaches
    # moto without its second entry and answers that entry with InternalFailure.
    sent: list[int] = []
    dropped: dict[str, Any] = {}

    def drop_second_entry(params: dict[str, Any], **_: Any) -> None:
        sent.append(len(params["Entries"]))
        if not dropped:
            dropped["entry"] = params["Entries"].pop(1)

    def report_it_failed(parsed: dict[str, Any], **_: Any) -> None:
        if dropped and not dropped.get("reported"):
            dropped["reported"] = True
            parsed["Entries"].insert(1, {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            parsed["FailedEntryCount"] = 1

    events_client = get_dependencies().publisher.client
    events_client.meta.events.register("provide-client-params.events.PutEvents", drop_second_entry)
    events_client.meta.events.register("after-call.events.PutEvents", report_it_failed)
    summary = world.invoke()
    assert summary["complete"]
    assert sent == [4, 1]  # 3 version transitions + registration COMPLETE; then only the failed one
    details = world.details()
    assert sorted(d["status"] for d in details) == sorted(["SUBMITTED", "REVIEWING", "APPROVED", "COMPLETE"])
    assert len(set(event_ids(details))) == 4


def test_crash_between_publish_and_snapshot_write_re_emits_the_same_ids(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    world.control.set_version_status(REGION, registration_id, 1, "REQUIRES_OFFLINE_REVIEW")

    class LambdaKilled(Exception):
        pass

    def crash_on_snapshot_write(**_: Any) -> None:
        raise LambdaKilled("timeout before the snapshot write")

    dynamodb = get_dependencies().store.client
    dynamodb.meta.events.register("before-call.dynamodb.PutItem", crash_on_snapshot_write, unique_id="crash")
    with pytest.raises(LambdaKilled):
        world.invoke()
    dynamodb.meta.events.unregister("before-call.dynamodb.PutItem", unique_id="crash")
    crashed = world.details()
    assert [(d["scope"], d["status"]) for d in crashed] == [
        ("VERSION", "SUBMITTED"),
        ("VERSION", "REQUIRES_OFFLINE_REVIEW"),
        ("REGISTRATION", "REVIEWING"),
    ]

    resumed = world.invoke()
    assert resumed["resumed"] and resumed["complete"]
    again = world.details()
    # The same events, with the same ids (the untimed one included): consumers drop repeats.
    assert event_ids(again) == event_ids(crashed)
    world.invoke()
    assert world.details() == []


# Powertools Metrics is per process; threads share it, so one flush may find it empty.
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_overlapping_scans_lose_nothing_and_never_mint_two_ids_for_one_transition(
    world: ScannerWorld,
) -> None:
    world.configure(BASELINE_ALERTS="none")
    ids = [world.create_registration() for _ in range(6)]
    world.invoke()
    _change_all(world, ids, "SUBMITTED")
    _change_all(world, ids[:3], "REVIEWING")
    # Slow API answers make the scans overlap: two scheduled scans and a native-event
    # rescan of every changed registration, all at once.
    world.control.set_faults(latency_ms=40)
    summaries: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def run(event: dict[str, Any] | None) -> None:
        try:
            summaries.append(world.invoke(event))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    events: list[dict[str, Any] | None] = [None, None, *(status_change_event(i) for i in ids)]
    threads = [threading.Thread(target=run, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and len(summaries) == len(events)
    scheduled = [s for s in summaries if s["trigger"] == "schedule"]
    print(  # how much the scans overlapped this time (varies; not asserted)
        "overlap:",
        [s["regions"][REGION]["skipped"] for s in scheduled],
        sum(s["regions"][REGION]["conflicts"] for s in summaries if s["regions"]),
    )
    # At most one full scan held the lease at a time; a skipped one says so.
    for summary in scheduled:
        region = summary["regions"][REGION]
        assert region["complete"] or region["skipped"]

    details = world.details()
    ids_per_transition: dict[tuple[str, str, str | None], set[str]] = defaultdict(set)
    for d in details:
        ids_per_transition[(d["registrationId"], d["status"], d["statusTimestamp"])].add(d["eventId"])
    assert all(len(v) == 1 for v in ids_per_transition.values())
    expected = {(i, "SUBMITTED") for i in ids} | {(i, "REVIEWING") for i in ids[:3]}
    assert {(r, s) for r, s, _ in ids_per_transition if s in ("SUBMITTED", "REVIEWING")} == expected
    # The snapshot ends up at the latest state, whichever scan wrote it.
    world.control.clear_faults()
    world.invoke()
    assert world.details() == []
    statuses = Counter(i["registrationStatus"]["S"] for i in registration_items(world))
    assert statuses == Counter({"REVIEWING": 3, "SUBMITTED": 3})


def shrinking_remaining_time(start_ms: int, step_ms: int) -> Any:
    """Remaining time that drops by `step_ms` at every look, like a slow invocation."""
    counter = itertools.count()
    return lambda: max(0, start_ms - step_ms * next(counter))


def test_time_budget_stop_then_resume_skips_nothing_and_emits_nothing_twice(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="all")
    world.control.generate(REGION, 20, versions_min=1, versions_max=2, seed=3)
    # 100 s at first, so a 10 s safety margin; every look at the clock "costs" 9 s.
    stopped = world.invoke(context=FakeLambdaContext(remaining_ms=shrinking_remaining_time(100_000, 9_000)))
    region = stopped["regions"][REGION]
    assert not stopped["complete"] and region["stopReason"] == "time budget"
    assert 0 < region["registrationsRead"] < 20
    rounds = 1
    while True:
        summary = world.invoke(
            context=FakeLambdaContext(remaining_ms=shrinking_remaining_time(100_000, 9_000))
        )
        rounds += 1
        assert summary["resumed"]
        if summary["complete"]:
            break
        assert rounds < 10
    details = world.details()
    assert len(event_ids(details)) == len(set(event_ids(details)))
    # Everything of the baseline arrived exactly once: one DISCOVERED per registration,
    # one event per stamped status of every version, one more for an unstamped current status.
    expected_versions = 0
    listed = world.sms.describe_registrations()["Registrations"]
    for registration in listed:
        for version in world.sms.describe_registration_versions(
            RegistrationId=registration["RegistrationId"]
        )["RegistrationVersions"]:
            history = version["RegistrationVersionStatusHistory"]
            unstamped = history_key_for_status(version["RegistrationVersionStatus"]) not in history
            expected_versions += len(history) + unstamped
    assert Counter(d["scope"] for d in details) == {"REGISTRATION": 20, "VERSION": expected_versions}
    assert world.invoke()["regions"][REGION]["baseline"] is False
