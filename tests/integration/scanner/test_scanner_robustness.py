"""The scanner against answers it cannot read and listings longer than one invocation, over
real sockets (emulator + moto): a malformed value skips one registration, never the region;
a listing that does not fit the time budget carries on in the next invocation; an expired
NextToken restarts the cycle's listing without re-reading or re-emitting anything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from regwatch.targets import ScanTarget
from scanner.dependencies import get_dependencies
from tests.integration.scanner.conftest import (
    ACCOUNT_ID,
    REGION,
    FakeLambdaContext,
    ScannerWorld,
    emf_metrics,
)

SMS = "pinpoint-sms-voice-v2"


def spoil_answers(world: ScannerWorld, operation: str, spoil: Callable[[dict[str, Any]], bool]) -> list[int]:
    """Rewrite the scanner's SMS API answers on the wire, before botocore parses them.

    Returns a one-element list counting the answers actually spoiled.
    """
    spoiled = [0]

    def rewrite(response_dict: dict[str, Any], **_: Any) -> None:
        if response_dict.get("status_code", 500) >= 300:
            return
        body = json.loads(response_dict["body"])
        if spoil(body):
            spoiled[0] += 1
            response_dict["body"] = json.dumps(body).encode()

    client = get_dependencies().registry_for_target(ScanTarget(ACCOUNT_ID, REGION)).client
    client.meta.events.register_first(f"before-parse.{SMS}.{operation}", rewrite, unique_id="spoil")
    return spoiled


def unspoil(operation: str) -> None:
    client = get_dependencies().registry_for_target(ScanTarget(ACCOUNT_ID, REGION)).client
    client.meta.events.unregister(f"before-parse.{SMS}.{operation}", unique_id="spoil")


def change_statuses(world: ScannerWorld, ids: list[str]) -> None:
    world.control.advance_clock(60)
    for registration_id in ids:
        world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")


def version_statuses(details: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((d["registrationId"], d["status"]) for d in details if d["scope"] == "VERSION")


def test_an_unreadable_timestamp_skips_one_registration_until_it_is_fixed(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    ids = [world.create_registration() for _ in range(4)]
    world.invoke()
    bad = ids[1]
    change_statuses(world, ids)

    def bad_timestamp(body: dict[str, Any]) -> bool:
        if body.get("RegistrationId") != bad:
            return False
        body["RegistrationVersions"][0]["RegistrationVersionStatusHistory"]["DraftTimestamp"] = "not-a-time"
        return True

    spoiled = spoil_answers(world, "DescribeRegistrationVersions", bad_timestamp)
    for _ in range(2):  # a persistent fault: every scan skips and reports it again
        summary = world.invoke()
        region = summary["regions"][REGION]
        assert summary["complete"] and region["malformed"] == 1
        assert any(bad in e and "DraftTimestamp" in e for e in region["errors"])
    assert spoiled[0] == 2
    assert version_statuses(world.details()) == sorted((i, "SUBMITTED") for i in ids if i != bad)

    unspoil("DescribeRegistrationVersions")
    fixed = world.invoke()
    assert fixed["complete"] and fixed["regions"][REGION]["malformed"] == 0
    assert version_statuses(world.details()) == [(bad, "SUBMITTED")]
    world.invoke()
    assert world.details() == []
    assert len({e["detail"]["eventId"] for e in world.received}) == len(world.received)


def test_a_summary_without_current_version_is_skipped_not_deleted(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    ids = [world.create_registration() for _ in range(3)]
    world.invoke()
    bad = ids[0]
    change_statuses(world, ids)

    def no_current_version(body: dict[str, Any]) -> bool:
        hit = False
        for item in body.get("Registrations", []):
            if item["RegistrationId"] == bad:
                item.pop("CurrentVersionNumber")
                hit = True
        return hit

    spoiled = spoil_answers(world, "DescribeRegistrations", no_current_version)
    summary = world.invoke()
    region = summary["regions"][REGION]
    assert spoiled[0] == 1 and summary["complete"]
    assert region["malformed"] == 1 and region["deleted"] == 0
    assert any(bad in e and "CurrentVersionNumber" in e for e in region["errors"])
    assert version_statuses(world.details()) == sorted((i, "SUBMITTED") for i in ids[1:])
    unspoil("DescribeRegistrations")
    world.invoke()
    assert version_statuses(world.details()) == [(bad, "SUBMITTED")]


def list_calls_budget(world: ScannerWorld, list_calls: float) -> FakeLambdaContext:
    """A Lambda context whose remaining time is spent only by DescribeRegistrations calls.

    `list_calls` = 2.1 leaves room for two list calls (the safety margin is 10 % of the
    starting time), so a 350-registration listing (4 pages) cannot fit one invocation.
    """
    start = world.control.counters().get("DescribeRegistrations", 0)

    def remaining_ms() -> int:
        made = world.control.counters().get("DescribeRegistrations", 0) - start
        return max(0, int((list_calls - made) * 1000))

    return FakeLambdaContext(remaining_ms=remaining_ms)


def listed_summaries(world: ScannerWorld) -> list[dict[str, Any]]:
    paginator = world.sms.get_paginator("describe_registrations")
    return [item for page in paginator.paginate() for item in page["Registrations"]]


def test_a_listing_longer_than_an_invocation_carries_on_in_the_next_ones(
    world: ScannerWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.configure(BASELINE_ALERTS="none")
    world.control.generate(REGION, 350, versions_min=1, versions_max=2, seed=11)
    assert world.invoke()["complete"]
    registrations = sorted(listed_summaries(world), key=lambda r: r["RegistrationId"])
    # Changes on every page (sorted ids, 100 per page), and a deletion on the last page.
    eligible = [
        r["RegistrationId"] for r in registrations if r["RegistrationStatus"] != "REQUIRES_AUTHENTICATION"
    ]
    changed = eligible[5::40][:8]
    deleted = registrations[-3]["RegistrationId"]
    changed = [i for i in changed if i != deleted]
    world.control.advance_clock(60)
    for registration_id in changed:
        world.control.set_version_status(
            REGION,
            registration_id,
            "current",
            "REQUIRES_AUTHENTICATION",
            registration_status="REQUIRES_AUTHENTICATION",
        )
    world.sms.delete_registration(RegistrationId=deleted)

    summaries = []
    heartbeats = []
    while True:
        capsys.readouterr()
        summary = world.invoke(context=list_calls_budget(world, 2.1))
        metrics = emf_metrics(capsys.readouterr().out)
        heartbeats.append((metrics["ScanHeartbeat"], metrics["ScansCompleted"]))
        summaries.append(summary["regions"][REGION])
        if summary["complete"]:
            break
        assert summaries[-1]["stopReason"] == "time budget" and summaries[-1]["deleted"] == 0
        assert len(summaries) < 12
    assert len(summaries) >= 3
    # Every invocation that made progress is a heartbeat; only the last completed the cycle.
    assert heartbeats == [(1, 0)] * (len(summaries) - 1) + [(1, 1)]
    assert len({s["listing"]["cycleId"] for s in summaries}) == 1
    assert [s["listing"]["complete"] for s in summaries] == [False] * (len(summaries) - 1) + [True]

    details = world.details()
    assert len({d["eventId"] for d in details}) == len(details)  # nothing emitted twice
    version_events = Counter(d["registrationId"] for d in details if d["scope"] == "VERSION")
    assert version_events == Counter(changed)  # every change, exactly once
    deletions = [d["registrationId"] for d in details if d["status"] == "DELETED"]
    assert deletions == [deleted]  # only the real one, decided when the cycle ended
    assert summaries[-1]["deleted"] == 1

    meta = world.dynamodb.get_item(
        TableName="regwatch-snapshots",
        Key={"pk": {"S": f"123456789012#{REGION}"}, "sk": {"S": "META#SCAN"}},
        ConsistentRead=True,
    )["Item"]
    assert "listingNextToken" not in meta and "listingCycleId" not in meta  # the cycle is over
    assert world.invoke()["complete"]
    assert world.details() == []


def test_an_expired_next_token_restarts_the_cycle_without_re_reading(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    world.control.generate(REGION, 250, versions_min=1, versions_max=1, seed=5)
    world.invoke()
    registrations = sorted(listed_summaries(world), key=lambda r: r["RegistrationId"])
    eligible = [
        r["RegistrationId"] for r in registrations if r["RegistrationStatus"] != "REQUIRES_AUTHENTICATION"
    ]
    changed = eligible[::25]
    world.control.advance_clock(60)
    for registration_id in changed:
        world.control.set_version_status(
            REGION,
            registration_id,
            "current",
            "REQUIRES_AUTHENTICATION",
            registration_status="REQUIRES_AUTHENTICATION",
        )
    first = world.invoke(context=list_calls_budget(world, 2.1))["regions"][REGION]
    assert not first["complete"] and first["listing"]["pages"] == 2

    # The stored token expires before the next scan: AWS (and the emulator's
    # next_token_ttl_seconds fault) answers ValidationException INVALID_NEXT_TOKEN.
    world.control.set_faults("DescribeRegistrations", next_token_ttl_seconds=60)
    world.control.advance_clock(61)
    world.control.reset_counters()
    second = world.invoke()
    region = second["regions"][REGION]
    assert second["complete"] and region["listing"]["restarts"] == 1
    assert region["listing"]["cycleId"] == first["listing"]["cycleId"]
    # Only what the first invocation had not processed is read now: no repeat reads.
    already = first["readsByReason"].get("changed", 0)
    assert region["readsByReason"].get("changed", 0) == len(changed) - already
    details = world.details()
    assert Counter(d["registrationId"] for d in details if d["scope"] == "VERSION") == Counter(changed)
    assert len({d["eventId"] for d in details}) == len(details)
    assert region["deleted"] == 0
