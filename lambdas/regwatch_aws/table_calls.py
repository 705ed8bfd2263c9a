"""One DynamoDB call on the snapshot table, its errors translated into the domain's.

The snapshot store, the target-health store and the reminder store share the table and the
meaning of its errors: a failed condition is a conflict with a concurrent writer (the caller
decides what that means), anything else makes the table unavailable for this run.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import SnapshotConflict, SnapshotUnavailable


def call_table(client: Any, table_name: str, operation: str, conflict: str, **request: Any) -> Any:
    """`client.<operation>(TableName=table_name, **request)`; SnapshotConflict on a failed
    condition (message `<operation>: <conflict>`), SnapshotUnavailable on any other failure."""
    try:
        return getattr(client, operation)(TableName=table_name, **request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise SnapshotConflict(f"{operation}: {conflict}") from error
        raise SnapshotUnavailable(f"{operation}: {error}") from error
    except BotoCoreError as error:
        raise SnapshotUnavailable(f"{operation}: {error}") from error


def revision_condition(expected: int | None) -> dict[str, Any]:
    """The optimistic-lock condition of a write: the item is new (`expected` None) or still at
    the revision it was read with; a lost race fails the write (SnapshotConflict)."""
    if expected is None:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {
        "ConditionExpression": "revision = :expected",
        "ExpressionAttributeValues": {":expected": {"N": str(expected)}},
    }
