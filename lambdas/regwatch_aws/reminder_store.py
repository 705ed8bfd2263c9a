"""The snapshot table as the evaluator's ReminderStore: read every registration item, and
record sent reminders with a write conditional on the item's revision.

A Scan (not a Query per region) so the evaluator needs no list of targets: whatever the
scanners wrote, for any account and region, is evaluated. The Scan is eventually consistent
(half the read units of a consistent one): a registration read stale is re-read consistently
when its reminder record meets a newer revision, and the digest is a daily summary. One page
per call, its position returned as the pass cursor (stored in the PASS item between
invocations), the targets' scan states (META items) read in the same pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from regwatch.errors import SnapshotConflict
from regwatch.evaluate import PassState, TablePage
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState
from regwatch_aws.snapshot_store import (
    META_SORT_KEY,
    REGISTRATION_PREFIX,
    registration_from_item,
    state_from_item,
)
from regwatch_aws.table_calls import call_table

DIGEST_PARTITION = "DIGEST"
PASS_KEY = {"pk": {"S": "EVALUATOR"}, "sk": {"S": "PASS"}}
DIGEST_RECORD_TTL = timedelta(days=30)


def region_key_of(partition: str) -> RegionKey:
    account_id, _, region = partition.partition("#")
    return RegionKey(account_id, region)


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


class DynamoReminderStore:
    """`page_items` caps the items a page reads (DynamoDB's `Limit`; None: 1 MB pages)."""

    def __init__(self, client: Any, table_name: str, page_items: int | None = None) -> None:
        self._client = client
        self._table = table_name
        self._page_items = page_items

    def page(self, start: str | None) -> TablePage:
        request: dict[str, Any] = {
            "FilterExpression": (
                "(begins_with(sk, :prefix) AND attribute_not_exists(deletedAt)) OR sk = :meta"
            ),
            "ExpressionAttributeValues": {
                ":prefix": {"S": REGISTRATION_PREFIX},
                ":meta": {"S": META_SORT_KEY},
            },
            "ReturnConsumedCapacity": "TOTAL",
        }
        if self._page_items:
            request["Limit"] = self._page_items
        if start:
            request["ExclusiveStartKey"] = json.loads(start)
        response = self._call("scan", **request)
        registrations, states = [], []
        for raw in response.get("Items", []):
            key = region_key_of(raw["pk"]["S"])
            if raw["sk"]["S"] == META_SORT_KEY:
                states.append((key, state_from_item(raw)))
            else:
                registrations.append((key, registration_from_item(raw)))
        last = response.get("LastEvaluatedKey")
        units = float(response.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0))
        return TablePage(registrations, states, json.dumps(last, sort_keys=True) if last else None, units)

    def load_pass(self) -> PassState:
        item = self._call("get_item", Key=PASS_KEY, ConsistentRead=True).get("Item")
        if not item:
            return PassState()
        digest = item.get("digest", {}).get("S")
        return PassState(
            cursor=item.get("cursor", {}).get("S"),
            started_at=_moment(item.get("startedAt", {}).get("S")),
            digest=json.loads(digest) if digest else None,
            revision=int(item["revision"]["N"]),
            invocations=int(item.get("invocations", {"N": "0"})["N"]),
            last_completed_at=_moment(item.get("lastCompletedAt", {}).get("S")),
        )

    def save_pass(self, state: PassState) -> None:
        item: dict[str, Any] = {
            **PASS_KEY,
            "revision": {"N": str(state.revision)},
            "invocations": {"N": str(state.invocations)},
        }
        if state.cursor:
            item["cursor"] = {"S": state.cursor}
        if state.started_at:
            item["startedAt"] = {"S": state.started_at.isoformat()}
        if state.digest is not None:
            item["digest"] = {"S": json.dumps(state.digest, separators=(",", ":"))}
        if state.last_completed_at:
            item["lastCompletedAt"] = {"S": state.last_completed_at.isoformat()}
        condition: dict[str, Any]
        if state.revision <= 1:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "revision = :previous",
                "ExpressionAttributeValues": {":previous": {"N": str(state.revision - 1)}},
            }
        try:
            self._call("put_item", Item=item, **condition)
        except SnapshotConflict:
            raise SnapshotConflict("evaluator pass: another invocation saved it first") from None

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
