"""The snapshot table as the evaluator's ReminderStore: read every registration item, and
record sent reminders with a write conditional on the item's revision.

A Scan (not a Query per region) so the evaluator needs no list of targets: whatever the
scanners wrote, for any account and region, is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState
from regwatch_aws.snapshot_store import (
    META_SORT_KEY,
    REGISTRATION_PREFIX,
    registration_from_item,
    state_from_item,
)
from regwatch_aws.table_calls import call_table

DIGEST_PARTITION = "DIGEST"
DIGEST_RECORD_TTL = timedelta(days=30)


def region_key_of(partition: str) -> RegionKey:
    account_id, _, region = partition.partition("#")
    return RegionKey(account_id, region)


class DynamoReminderStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _call(self, operation: str, **request: Any) -> Any:
        return call_table(self._client, self._table, operation, "condition failed", **request)

    def all_registrations(self) -> Iterator[tuple[RegionKey, RegistrationSnapshot]]:
        request: dict[str, Any] = {
            "FilterExpression": "begins_with(sk, :prefix) AND attribute_not_exists(deletedAt)",
            "ExpressionAttributeValues": {":prefix": {"S": REGISTRATION_PREFIX}},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("scan", **request)
            for raw in response.get("Items", []):
                yield region_key_of(raw["pk"]["S"]), registration_from_item(raw)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def all_states(self) -> dict[RegionKey, ScanState]:
        """Every account-region's scan state (META item), for the digest's monitor health."""
        states: dict[RegionKey, ScanState] = {}
        request: dict[str, Any] = {
            "FilterExpression": "sk = :meta",
            "ExpressionAttributeValues": {":meta": {"S": META_SORT_KEY}},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("scan", **request)
            for raw in response.get("Items", []):
                states[region_key_of(raw["pk"]["S"])] = state_from_item(raw)
            last = response.get("LastEvaluatedKey")
            if not last:
                return states
            request["ExclusiveStartKey"] = last

    def _digest_key(self, record_key: str) -> dict[str, Any]:
        return {"pk": {"S": DIGEST_PARTITION}, "sk": {"S": f"DAY#{record_key}"}}

    def digest_recorded(self, record_key: str) -> bool:
        response = self._call("get_item", Key=self._digest_key(record_key), ConsistentRead=True)
        return "Item" in response

    def record_digest(self, record_key: str, event_id: str, now: datetime) -> None:
        self._call(
            "put_item",
            Item={
                **self._digest_key(record_key),
                "eventId": {"S": event_id},
                "sentAt": {"S": now.isoformat()},
                "expiresAt": {"N": str(int((now + DIGEST_RECORD_TTL).timestamp()))},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        response = self._call(
            "get_item",
            Key={"pk": {"S": key.partition}, "sk": {"S": REGISTRATION_PREFIX + registration_id}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return registration_from_item(item) if item else None

    def record_reminders(self, key: RegionKey, snapshot: RegistrationSnapshot, sent: frozenset[str]) -> None:
        values: dict[str, Any] = {
            ":expected": {"N": str(snapshot.revision)},
            ":next": {"N": str(snapshot.revision + 1)},
        }
        if sent:
            update = "SET remindersSent = :sent, revision = :next"
            values[":sent"] = {"SS": sorted(sent)}
        else:
            update = "SET revision = :next REMOVE remindersSent"
        self._call(
            "update_item",
            Key={"pk": {"S": key.partition}, "sk": {"S": REGISTRATION_PREFIX + snapshot.registration_id}},
            UpdateExpression=update,
            ConditionExpression="revision = :expected",
            ExpressionAttributeValues=values,
        )
