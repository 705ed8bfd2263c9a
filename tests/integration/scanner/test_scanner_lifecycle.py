"""The scanner handler over real sockets: emulator (SMS API) + moto (DynamoDB, EventBridge -> SQS).

Covers what a scan reports: baseline modes, every status, several transitions between
scans, new and discarded versions, deletions, unknown statuses, the native-event trigger.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from local.lambda_events import scheduled_event
from regwatch.events import UNKNOWN_VERSION_STATUS_DETAIL_TYPE, VERSION_DETAIL_TYPES
from scanner.settings import SettingsError
from scanner.triggers import InvalidTrigger
from tests.integration.scanner.conftest import REGION, ScannerWorld, emf_metrics, status_change_event

BASELINE_SCENARIO = {
    "region": REGION,
    "registrations": [
        {"ref": "auth", "versions": [{"status": "REQUIRES_AUTHENTICATION"}]},
        {"ref": "denied", "versions": [{"status": "APPROVED"}, {"status": "DENIED"}]},
        {"ref": "old-denial", "versions": [{"status": "DENIED"}, {"status": "REVIEWING"}]},
        {"ref": "revoked", "versions": [{"status": "REVOKED"}]},
        {"ref": "fine", "versions": [{"status": "APPROVED"}]},
    ],
}


def by_ref(seeded: dict[str, Any]) -> dict[str, str]:
    return dict(seeded["refs"])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "actionable",
            {("auth", 1, "REQUIRES_AUTHENTICATION"), ("denied", 2, "DENIED"), ("revoked", 1, "REVOKED")},
        ),
        ("none", set()),
    ],
)
def test_baseline_reports_per_mode(
    world: ScannerWorld, mode: str, expected: set[tuple[str, int, str]]
) -> None:
    world.configure(BASELINE_ALERTS=mode)
    refs = by_ref(world.control.seed(BASELINE_SCENARIO))
    names = {rid: ref for ref, rid in refs.items()}
    summary = world.invoke()
    assert summary["complete"] and summary["regions"][REGION]["baseline"]
    details = world.details()
    assert {(names[d["registrationId"]], d["versionNumber"], d["status"]) for d in details} == expected
    assert len(details) == len(expected)
    assert all(d["baseline"] and d["severity"] == "ACTION_REQUIRED" for d in details)
    assert len([i for i in world.snapshot_items() if i["sk"]["S"].startswith("REG#")]) == 5
    # The second scan knows the baseline: nothing new, nothing reported.
    assert world.invoke()["eventsPublished"] == 0
    assert world.details() == []


def test_baseline_all_reports_every_status_of_every_version(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="all")
    world.control.seed(BASELINE_SCENARIO)
    world.invoke()
    details = world.details()
    version_events = [d for d in details if d["scope"] == "VERSION"]
    discovered = [d for d in details if d["scope"] == "REGISTRATION"]
    # The emulator's review paths stamp 4 + (4 + 4) + (4 + 3) + 5 + 4 statuses.
    assert len(version_events) == 28
    assert len(discovered) == 5
    assert all(d["baseline"] for d in details)


def test_every_version_status_is_reported_with_its_detail_type_and_previous_status(
    world: ScannerWorld,
) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    path = [
        "SUBMITTED",
        "AWS_REVIEWING",
        "REVIEWING",
        "REQUIRES_AUTHENTICATION",
        "REVIEWING",
        "REQUIRES_OFFLINE_REVIEW",
        "DENIED",
        "REVIEWING",
        "APPROVED",
        "REVOKED",
        "ARCHIVED",
    ]
    previous = "DRAFT"
    for status in path:
        world.control.advance_clock(60)
        world.control.set_version_status(REGION, registration_id, 1, status)
        world.invoke()
        versions = [
            (e["detail-type"], e["detail"]) for e in world.drain() if e["detail"]["scope"] == "VERSION"
        ]
        assert [(t, d["status"], d["previousStatus"]) for t, d in versions] == [
            (VERSION_DETAIL_TYPES[status], status, previous)
        ], status
        detail = versions[0][1]
        assert (detail["statusTimestamp"] is None) == (status == "REQUIRES_OFFLINE_REVIEW")
        previous = status


def test_several_transitions_between_two_scans_arrive_in_time_order(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    for status in ("SUBMITTED", "REVIEWING", "DENIED"):
        world.control.advance_clock(300)
        world.control.set_version_status(
            REGION,
            registration_id,
            1,
            status,
            denied_reasons=[{"Reason": "Brand", "ShortDescription": "Mismatch"}],
        )
    summary = world.invoke()
    events = world.drain()
    details = [e["detail"] for e in events]
    assert [(d["scope"], d["status"], d["previousStatus"]) for d in details] == [
        ("VERSION", "SUBMITTED", "DRAFT"),
        ("VERSION", "REVIEWING", "SUBMITTED"),
        ("VERSION", "DENIED", "REVIEWING"),
        ("REGISTRATION", "REQUIRES_UPDATES", "CREATED"),
    ]
    times = [e["time"] for e in events[:3]]
    assert times == sorted(times) and len(set(times)) == 3
    assert details[2]["deniedReasons"][0]["reason"] == "Brand"
    assert all(e["resources"] == [details[0]["registrationArn"]] for e in events)
    assert summary["transitionsByStatus"] == {
        "SUBMITTED": 1,
        "REVIEWING": 1,
        "DENIED": 1,
        "REGISTRATION_STATUS_CHANGED:REQUIRES_UPDATES": 1,
    }


def test_new_and_discarded_versions(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    refs = by_ref(
        world.control.seed(
            {"region": REGION, "registrations": [{"ref": "r", "versions": [{"status": "DENIED"}]}]}
        )
    )
    registration_id = refs["r"]
    world.invoke()
    world.control.advance_clock(60)
    world.sms.create_registration_version(RegistrationId=registration_id)
    world.invoke()
    assert [(d["versionNumber"], d["status"], d["previousStatus"]) for d in world.details()] == [
        (2, "DRAFT", None)
    ]
    world.control.advance_clock(60)
    world.sms.discard_registration_version(RegistrationId=registration_id)
    world.invoke()
    assert [(d["versionNumber"], d["status"], d["previousStatus"]) for d in world.details()] == [
        (2, "DISCARDED", "DRAFT")
    ]


def test_deleted_registration_is_reported_once_and_tombstoned(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    keep = world.create_registration()
    gone = world.create_registration()
    world.invoke()
    world.control.call("delete", region=REGION, registration_id=gone)
    first = world.invoke()
    events = world.drain()
    assert [
        (e["detail-type"], e["detail"]["registrationId"], e["detail"]["previousStatus"]) for e in events
    ] == [("Registration Deleted", gone, "CREATED")]
    assert events[0]["detail"]["status"] == "DELETED"
    assert first["regions"][REGION]["deleted"] == 1
    world.invoke()
    assert world.drain() == []
    items = {i["registrationId"]["S"]: i for i in world.snapshot_items() if "registrationId" in i}
    assert "deletedAt" not in items[keep] and "expiresAt" not in items[keep]
    # The tombstone expires through the table's TTL, about 30 days after the deletion.
    expires_in = int(items[gone]["expiresAt"]["N"]) - time.time()
    assert 29 * 86400 < expires_in <= 30 * 86400


def test_unknown_statuses_and_history_keys_flow_through(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(
        REGION, registration_id, 1, "CARRIER_VETTING", history_key="CarrierVettingTimestamp"
    )
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, "PAUSED_BY_CARRIER", history_key=None)
    world.invoke()
    events = world.drain()
    assert [(e["detail-type"], e["detail"]["status"], e["detail"]["previousStatus"]) for e in events] == [
        (UNKNOWN_VERSION_STATUS_DETAIL_TYPE, "CARRIER_VETTING", "DRAFT"),
        (UNKNOWN_VERSION_STATUS_DETAIL_TYPE, "PAUSED_BY_CARRIER", "CARRIER_VETTING"),
    ]
    assert "CarrierVettingTimestamp" in events[0]["detail"]["statusHistory"]
    assert (
        events[0]["detail"]["statusTimestamp"]
        == events[0]["detail"]["statusHistory"]["CarrierVettingTimestamp"]
    )


def test_native_status_change_event_rescans_just_that_registration(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    quiet = [world.create_registration() for _ in range(3)]
    registration_id = world.create_registration()
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    world.control.set_version_status(REGION, registration_id, 1, "REQUIRES_AUTHENTICATION")
    world.control.reset_counters()
    summary = world.invoke(status_change_event(registration_id, "REQUIRES_AUTHENTICATION"))
    assert summary["trigger"] == "registration-status-change" and summary["complete"]
    counters = world.control.counters()
    assert counters.get("DescribeRegistrations") == 1
    assert counters.get("DescribeRegistrationVersions") == 1
    # The submission also names the registration (issue 11): its form values, then, with no
    # name in the form, its Name tag.
    assert summary["apiCalls"] == {
        "DescribeRegistrations": 1,
        "DescribeRegistrationVersions": 1,
        "DescribeRegistrationFieldValues": 1,
        "ListTagsForResource": 1,
    }
    assert {d["registrationId"] for d in world.details()} == {registration_id}
    # The next full scan has nothing left to report.
    world.invoke()
    assert world.details() == []
    assert quiet  # untouched registrations were not read by the targeted scan


def test_events_that_are_not_triggers_fail_validation(world: ScannerWorld) -> None:
    with pytest.raises(InvalidTrigger, match="Registration Status Change"):
        world.invoke({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"})
    # The schedule targets the dispatcher; the scanner has no direct scheduled path any more.
    with pytest.raises(InvalidTrigger, match="the schedule targets the dispatcher"):
        world.invoke(scheduled_event(REGION))
    bad_native = status_change_event("x")
    del bad_native["detail"]["registrationDetails"]
    with pytest.raises(InvalidTrigger, match="registrationDetails"):
        world.invoke(bad_native)


def test_missing_configuration_fails_the_first_invocation_naming_the_variable(world: ScannerWorld) -> None:
    world.monkeypatch.delenv("SNAPSHOT_TABLE_NAME")
    world.configure(BASELINE_ALERTS="sometimes")
    with pytest.raises(
        SettingsError, match=r"SNAPSHOT_TABLE_NAME is not set.*BASELINE_ALERTS must be one of"
    ):
        world.invoke(status_change_event("registration-x"))
    world.configure(SNAPSHOT_TABLE_NAME="regwatch-snapshots", BASELINE_ALERTS="none")
    assert world.invoke()["complete"]


def test_metrics_describe_the_scan(world: ScannerWorld, capsys: pytest.CaptureFixture[str]) -> None:
    world.configure(BASELINE_ALERTS="none")
    ids = [world.create_registration() for _ in range(3)]
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, ids[0], 1, "SUBMITTED")
    world.control.set_faults(operation="DescribeRegistrationVersions", error_script=[500])
    capsys.readouterr()
    summary = world.invoke()
    values = emf_metrics(capsys.readouterr().out)
    assert values["RegistrationsListed"] == 3
    region = summary["regions"][REGION]
    # The changed registration, plus the one due for reconciliation (oldest read first; when
    # that is the changed one itself, one read serves both).
    reads = region["registrationsRead"]
    assert values["RegistrationsRead"] == reads == sum(region["readsByReason"].values())
    assert reads in (1, 2) and region["readsByReason"].get("changed") == 1
    assert (
        values["Transitions"] == values["EventsPublished"] == 2
    )  # version SUBMITTED + registration SUBMITTED
    assert values["ApiCallsDescribeRegistrations"] == 1
    assert values["ApiCallsDescribeRegistrationVersions"] == reads + 1  # the first read was retried
    assert values["ScansCompleted"] == values["ScanHeartbeat"] == 1
    assert values["ScansResumed"] == 0 and values["ScansIncomplete"] == 0
    assert values["Throttles"] == 0 and "ScanDuration" in values
