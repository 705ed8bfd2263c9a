"""Adaptive listing over real sockets (emulator + moto): after AWS's native event, the schedule
lists only what is in flight (DescribeRegistrations with a registration-status filter the
emulator honours), and a status change no event announced sends the target back to full
listings, with the metric and the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regwatch.snapshot import RegionKey, ScanState
from regwatch_aws.snapshot_store import DynamoSnapshotStore
from tests.integration.scanner.conftest import (
    ACCOUNT_ID,
    REGION,
    TABLE,
    ScannerWorld,
    emf_metrics,
    status_change_event,
)

FLEET = {
    "region": REGION,
    "registrations": [
        {"ref": "reviewing", "versions": [{"status": "REVIEWING"}]},
        *({"ref": f"settled-{n}", "versions": [{"status": "APPROVED"}]} for n in range(6)),
    ],
}


def target(summary: dict[str, object]) -> dict[str, object]:
    targets = summary["targets"]
    assert isinstance(targets, dict) and len(targets) == 1
    entry = next(iter(targets.values()))
    assert isinstance(entry, dict)
    return entry


def test_native_events_let_schedules_list_only_what_is_in_flight(
    world: ScannerWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.configure(BASELINE_ALERTS="none", FULL_LISTING_MINUTES="15")
    refs = dict(world.control.seed(FLEET)["refs"])
    world.invoke()  # baseline
    second = target(world.invoke())
    assert second["listing"]["mode"] == "full" and second["listing"]["fallback"]  # type: ignore[index]

    # AWS announces the approval of the one in review: rescanned at once, events now trusted.
    world.control.set_version_status(REGION, refs["reviewing"], 1, "APPROVED")
    world.invoke(status_change_event(refs["reviewing"], "COMPLETE"))
    world.details()
    capsys.readouterr()
    quiet = target(world.invoke())
    listing = quiet["listing"]
    assert isinstance(listing, dict)
    assert (listing["mode"], listing["fallback"], listing["reason"]) == (
        "in-flight",
        False,
        "native events flowing",
    )
    assert quiet["registrationsListed"] == 0  # nothing is in flight any more
    assert quiet["apiCalls"] == {"DescribeRegistrations": 1}
    assert emf_metrics(capsys.readouterr().out)["InFlightListings"] == 1

    # A settled registration gets a new version, submitted, and AWS's event never comes.
    silent = refs["settled-3"]
    world.control.add_version(REGION, silent)
    world.control.set_version_status(REGION, silent, 2, "SUBMITTED")
    found = target(world.invoke())
    assert found["listing"]["mode"] == "in-flight"  # type: ignore[index]
    assert found["registrationsListed"] == 1 and found["unannouncedChanges"] == 1
    reported = {(d["registrationId"], d["versionNumber"], d["status"]) for d in world.details()}
    assert (silent, 2, "SUBMITTED") in reported and {r[0] for r in reported} == {silent}
    capsys.readouterr()
    fallback = target(world.invoke())
    assert fallback["listing"]["mode"] == "full" and fallback["listing"]["fallback"]  # type: ignore[index]
    assert "no native event announced" in str(fallback["listing"]["reason"])  # type: ignore[index]
    output = capsys.readouterr().out
    assert emf_metrics(output)["FullListingFallback"] == 1
    assert "native events not known to flow" in output


def test_the_native_event_time_only_moves_forward_and_survives_the_lease_holder(
    world: ScannerWorld,
) -> None:
    store = DynamoSnapshotStore(world.dynamodb, TABLE)
    key = RegionKey(ACCOUNT_ID, REGION)
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    state = store.acquire_lease(key, "scan-1", now, now + timedelta(minutes=15))
    assert state == ScanState()
    store.record_native_event(key, now + timedelta(seconds=30))
    store.record_native_event(key, now + timedelta(seconds=10))  # a late, older one: ignored
    store.release_lease(key, "scan-1", ScanState(last_scan_id="scan-1", unannounced_change_at=now))
    stored = store.load_state(key)
    assert stored.native_event_at == now + timedelta(seconds=30)
    assert stored.unannounced_change_at == now and stored.last_scan_id == "scan-1"
