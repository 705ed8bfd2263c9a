"""Small per-key state a destination keeps between deliveries, in the idempotency table.

PagerDuty records the latest action per dedup_key (so a late, older trigger cannot reopen
a resolved incident); Slack thread mode records the parent message of each registration's
thread. Items share the idempotency table (partition key `id`, TTL `expiration`) under
their own namespace, `<namespace>#<key>`, which Powertools' own records never use.
Writes are conditional: concurrent or retried deliveries agree on one winner.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from regwatch.notification_errors import DestinationFailed

# Registrations stay open for months; a year without any event lets the item expire.
DEFAULT_RETENTION = timedelta(days=400)
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StateConflict(Exception):
    """A conditional write lost: another delivery wrote a newer or the same item first."""


class DeliveryStateStore:
    def __init__(
        self,
        dynamodb_client: Any,
        table_name: str,
        namespace: str,
        destination: str,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._namespace = namespace
        self._destination = destination
        self._retention = retention

    def _id(self, key: str) -> dict[str, Any]:
        return {"id": {"S": f"{self._namespace}#{key}"}}

    def _failed(self, error: ClientError, doing: str) -> DestinationFailed:
        code = error.response.get("Error", {}).get("Code", "unknown error")
        return DestinationFailed(self._destination, f"cannot {doing} state in {self._table}: {code}")

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            answer = self._dynamodb.get_item(TableName=self._table, Key=self._id(key), ConsistentRead=True)
        except ClientError as error:
            raise self._failed(error, "read") from None
        item = answer.get("Item")
        if item is None:
            return None
        return {name: _deserializer.deserialize(value) for name, value in item.items() if name != "id"}

    def put(self, key: str, attributes: dict[str, Any], *, condition: str, values: dict[str, Any]) -> None:
        """Write the whole item if `condition` holds; StateConflict otherwise."""
        item = {
            **self._id(key),
            **{name: _serializer.serialize(value) for name, value in attributes.items()},
            "expiration": {"N": str(int(time.time() + self._retention.total_seconds()))},
        }
        request: dict[str, Any] = {"TableName": self._table, "Item": item, "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = {
                name: _serializer.serialize(v) for name, v in values.items()
            }
        try:
            self._dynamodb.put_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StateConflict(key) from None
            raise self._failed(error, "write") from None

    def delete(self, key: str, *, condition: str, values: dict[str, Any]) -> None:
        """Remove the item if `condition` holds; StateConflict otherwise."""
        try:
            self._dynamodb.delete_item(
                TableName=self._table,
                Key=self._id(key),
                ConditionExpression=condition,
                ExpressionAttributeValues={name: _serializer.serialize(v) for name, v in values.items()},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StateConflict(key) from None
            raise self._failed(error, "delete") from None

    def put_if_absent(self, key: str, attributes: dict[str, Any]) -> None:
        item = {
            **self._id(key),
            **{name: _serializer.serialize(value) for name, value in attributes.items()},
            "expiration": {"N": str(int(time.time() + self._retention.total_seconds()))},
        }
        try:
            self._dynamodb.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(id)"
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StateConflict(key) from None
            raise self._failed(error, "write") from None
