"""The snapshot table's planning index: what a scan plans from, ~200 bytes a registration.

A scan decides what to read from every registration's summary fingerprint and bookkeeping
(regwatch.snapshot.PlanEntry), not from its versions and profile. DynamoDB charges a Query
by the size of the items it reads, whatever the ProjectionExpression, so planning reads a
global secondary index with the table's own key (pk/sk: every registration item is in it)
that carries only those attributes: ~1/10 of the read units of the full items at 10,000
registrations (docs/performance.md). An index is eventually consistent; the scan reads a
full item consistently before it acts on it (regwatch/region_scan.py).

infra/scanner.py declares the index from these names; tables made by hand (tests,
benchmarks) are created from snapshot_table_request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from regwatch.snapshot import PlanEntry

PLANNING_INDEX_NAME = "planning"
# The item attributes planning reads besides the key (sk carries the registration id).
PLANNING_ATTRIBUTES = (
    "registrationStatus",
    "currentVersionNumber",
    "approvedVersionNumber",
    "latestDeniedVersionNumber",
    "fullReadAt",
    "revision",
    "deletedAt",
    "firstReadPending",
)
PARTITION_KEY = "pk"
SORT_KEY = "sk"


def snapshot_table_request(table_name: str) -> dict[str, Any]:
    """The snapshot table as a CreateTable request (keys, planning index, on demand)."""
    keys = [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]
    return {
        "TableName": table_name,
        "KeySchema": keys,
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": PLANNING_INDEX_NAME,
                "KeySchema": keys,
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(PLANNING_ATTRIBUTES)},
            }
        ],
    }


def _moment(raw: Mapping[str, Any] | None) -> datetime | None:
    return datetime.fromisoformat(raw["S"]).astimezone(UTC) if raw else None


def _number(raw: Mapping[str, Any] | None) -> int | None:
    return int(raw["N"]) if raw else None


def plan_entry_from_item(raw: Mapping[str, Any], registration_prefix: str) -> PlanEntry:
    """A planning entry from an index entry or a full item (it reads only the planning attributes)."""
    current = _number(raw.get("currentVersionNumber"))
    revision = _number(raw.get("revision"))
    if current is None or revision is None or "registrationStatus" not in raw:
        raise ValueError(f"snapshot item {raw.get(SORT_KEY)} lacks a planning attribute")
    return PlanEntry(
        registration_id=raw[SORT_KEY]["S"].removeprefix(registration_prefix),
        registration_status=raw["registrationStatus"]["S"],
        current_version_number=current,
        approved_version_number=_number(raw.get("approvedVersionNumber")),
        latest_denied_version_number=_number(raw.get("latestDeniedVersionNumber")),
        full_read_at=_moment(raw.get("fullReadAt")),
        revision=revision,
        deleted_at=_moment(raw.get("deletedAt")),
        first_read_pending=bool(raw.get("firstReadPending", {}).get("BOOL", False)),
    )


# What DynamoDB answers a Query on an index it cannot read: one still being built (it is
# backfilled after an upgrade adds it to an existing table, minutes to hours) or one the
# table does not have (a table made without it).
_INDEX_NOT_READABLE = (
    "backfilling global secondary index",
    "does not have the specified index",
    "Invalid index",
)


def index_not_readable(error: BaseException | None) -> str | None:
    """Why the planning index cannot be queried now, if `error` says so (None otherwise)."""
    if not isinstance(error, ClientError):
        return None
    details = error.response.get("Error", {})
    message = str(details.get("Message", ""))
    if details.get("Code") not in {"ValidationException", "ResourceNotFoundException"}:
        return None
    if not any(phrase in message for phrase in _INDEX_NOT_READABLE):
        return None
    return f"{details.get('Code')}: {message}"
