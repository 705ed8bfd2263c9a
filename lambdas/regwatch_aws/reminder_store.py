"""The snapshot table as the evaluator's ReminderStore: read every registration item, and
record sent reminders with a write conditional on the item's revision.

A Scan (not a Query per region) so the evaluator needs no list of targets: whatever the
scanners wrote, for any account and region, is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import SnapshotConflict, SnapshotUnavailable
from regwatch.snapshot import RegionKey, RegistrationSnapshot
from regwatch_aws.snapshot_store import REGISTRATION_PREFIX, registration_from_item


def region_key_of(partition: str) -> RegionKey:
    account_id, _, region = partition.partition("#")
    return RegionKey(account_id, region)


class DynamoReminderStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _call(self, operation: str, **request: Any) -> Any:
        try:
            return getattr(self._client, operation)(TableName=self._table, **request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise SnapshotConflict(f"{operation}: condition failed") from error
            raise SnapshotUnavailable(f"{operation}: {error}") from error
        except BotoCoreError as error:
            raise SnapshotUnavailable(f"{operation}: {error}") from error

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
