"""The evaluator's pass over a real (moto) snapshot table: pages, the stored cursor and
partial digest, resumed by the next invocation; one digest for the whole pass."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from regwatch.budget import TimeBudget
from regwatch.digest import DigestSchedule
from regwatch.evaluate import DIGEST_DETAIL_TYPE, Evaluator
from regwatch.reminders import ReminderPolicy
from regwatch.snapshot import RegionKey, ScanState
from regwatch_aws.reminder_store import DynamoReminderStore
from regwatch_aws.snapshot_store import DynamoSnapshotStore, registration_to_item
from tests.integration.snapshot_table import create_snapshot_table
from tests.unit.test_digest import _snapshot
from tests.unit.test_evaluator_pass import Publisher

TABLE = "regwatch-evaluator-pass"
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
KEYS = (RegionKey("111122223333", "us-east-1"), RegionKey("444455556666", "eu-west-1"))


class CountingStore(DynamoReminderStore):
    """The adapter, counting the pages it reads (the test's stand-in for time spent)."""

    def __init__(self, client: Any, remaining: list[float]) -> None:
        super().__init__(client, TABLE, page_items=7)
        self.remaining = remaining
        self.seen: Counter[str] = Counter()

    def page(self, start: str | None) -> Any:
        self.remaining[0] -= 1
        found = super().page(start)
        self.seen.update(snapshot.registration_id for _, snapshot in found.registrations)
        return found


def test_a_pass_over_dynamodb_resumes_from_its_stored_cursor_and_sends_one_digest(aws: str) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_snapshot_table(client, TABLE)
    snapshots = DynamoSnapshotStore(client, TABLE)
    waiting = NOW - timedelta(days=5, hours=1)
    for n in range(40):
        key = KEYS[n % 2]
        item = registration_to_item(
            key,
            _snapshot(n, "REQUIRES_AUTHENTICATION", waiting, "REQUIRES_AUTHENTICATION"),
            timedelta(days=30),
        )
        client.put_item(TableName=TABLE, Item=item)
    for key in KEYS:
        assert snapshots.acquire_lease(key, "scan", NOW, NOW) is not None
        snapshots.release_lease(key, "scan", ScanState(last_scan_completed_at=NOW))

    remaining = [0.0]
    store, publisher = CountingStore(client, remaining), Publisher()
    evaluator = Evaluator(
        store=store,
        publisher=publisher,
        policy=ReminderPolicy(),
        clock=lambda: NOW,
        event_source="regwatch",
        event_bus_name="bus",
        digest_schedule=DigestSchedule(time(8, 0), ZoneInfo("UTC")),
    )
    reports = []
    for _ in range(6):
        remaining[0] = 2.5  # two pages per invocation
        reports.append(evaluator.run(TimeBudget(lambda: remaining[0], 0.0, 0.0)))
        if reports[-1].complete:
            break
    assert len(reports) > 2 and reports[-1].complete and not reports[0].complete
    assert all(r.resumed for r in reports[1:])
    assert store.seen and set(store.seen.values()) == {1} and len(store.seen) == 40
    assert sum(r.registrations for r in reports) == 40
    assert Counter(d["registrationId"] for d in publisher.of_type("Registration Reminder")).total() == 40
    [digest] = publisher.of_type(DIGEST_DETAIL_TYPE)
    assert digest["needsHuman"]["total"] == 40
    assert {(t["accountId"], t["lastCompleteScanAt"]) for t in digest["targets"]} == {
        (key.account_id, "2026-04-01T09:00:00Z") for key in KEYS
    }
    assert store.load_pass().cursor is None and store.digest_recorded("2026-04-01#UTC")
