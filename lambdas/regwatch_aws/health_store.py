"""Per-target health in the snapshot table: pk = "TARGET#HEALTH", sk = "<account>#<region>".

One partition holds every target's health, so the dispatcher reads all of them with one
Query (a few KB per thousand targets) to publish the unhealthy/stale target gauges.
Writes are conditional on `revision`, like the registration snapshots.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from regwatch.health import TargetHealth
from regwatch.snapshot import RegionKey
from regwatch_aws.table_calls import call_table, revision_condition

HEALTH_PARTITION = "TARGET#HEALTH"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_MOMENTS = ("failing_since", "unhealthy_since", "last_attempt_at", "last_healthy_at", "first_seen_at")
_NAMES = {
    "failing_since": "failingSince",
    "unhealthy_since": "unhealthySince",
    "last_attempt_at": "lastAttemptAt",
    "last_healthy_at": "lastHealthyAt",
    "first_seen_at": "firstSeenAt",
    "consecutive_failures": "consecutiveFailures",
    "error_code": "errorCode",
}


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)).astimezone(UTC) if value else None


def health_to_item(key: RegionKey, health: TargetHealth, revision: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": HEALTH_PARTITION,
        "sk": key.partition,
        "accountId": key.account_id,
        "region": key.region,
        "healthy": health.healthy,
        "consecutiveFailures": health.consecutive_failures,
        "reason": health.reason,
        "errorCode": health.error_code,
        "message": health.message,
        "revision": revision,
    }
    for name in _MOMENTS:
        moment = getattr(health, name)
        item[_NAMES[name]] = moment.astimezone(UTC).isoformat() if moment else None
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def health_from_item(raw: dict[str, Any]) -> TargetHealth:
    item = {k: _deserializer.deserialize(v) for k, v in raw.items()}
    return TargetHealth(
        healthy=bool(item.get("healthy", True)),
        consecutive_failures=int(item.get("consecutiveFailures", 0)),
        reason=item.get("reason"),
        error_code=item.get("errorCode"),
        message=item.get("message"),
        revision=int(item["revision"]),
        **{name: _moment(item.get(_NAMES[name])) for name in _MOMENTS},
    )


class DynamoHealthStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _call(self, operation: str, **request: Any) -> Any:
        return call_table(self._client, self._table, operation, "target health changed meanwhile", **request)

    def load(self, key: RegionKey) -> TargetHealth:
        response = self._call(
            "get_item",
            Key={"pk": {"S": HEALTH_PARTITION}, "sk": {"S": key.partition}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return health_from_item(item) if item else TargetHealth()

    def save(self, key: RegionKey, health: TargetHealth) -> None:
        """Write if nobody else did since `health` was loaded; else SnapshotConflict."""
        expected = health.revision
        condition = revision_condition(expected)
        self._call("put_item", Item=health_to_item(key, health, (expected or 0) + 1), **condition)

    def load_all(self) -> dict[RegionKey, TargetHealth]:
        found: dict[RegionKey, TargetHealth] = {}
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": HEALTH_PARTITION}},
        }
        while True:
            response = self._call("query", **request)
            for raw in response.get("Items", []):
                key = RegionKey(str(raw["accountId"]["S"]), str(raw["region"]["S"]))
                found[key] = health_from_item(raw)
            last = response.get("LastEvaluatedKey")
            if not last:
                return found
            request["ExclusiveStartKey"] = last
