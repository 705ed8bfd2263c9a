"""The snapshot table (DynamoDB) as the scan's SnapshotStore port.

Layout (docs/scanner.md): pk = "<account>#<region>", sk = "REG#<registrationId>" for one
item per registration, sk = "META#SCAN" for the region's scan state and lease. One
Query reads a whole account-region. Writes are conditional on a per-item `revision`.
Deleted registrations stay as tombstones with an `expiresAt` TTL.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from regwatch.errors import SnapshotConflict
from regwatch.snapshot import (
    HeldDeletions,
    ListingCursor,
    RegionKey,
    RegistrationSnapshot,
    ScanState,
    VersionSnapshot,
)
from regwatch_aws.profile_items import profile_from_item, profile_to_item
from regwatch_aws.table_calls import call_table

REGISTRATION_PREFIX = "REG#"
META_SORT_KEY = "META#SCAN"
LISTED_PREFIX = "LISTED#"
CONFIRMED_PREFIX = "HELD#CONFIRMED#"
DEFAULT_TOMBSTONE_TTL = timedelta(days=30)
# Ids listed by one invocation of an unfinished listing cycle; read once, when the cycle
# ends (deletion detection), then left to the table's TTL.
LISTED_IDS_TTL = timedelta(days=3)
# Registration ids are ~45 characters: 5,000 per item stay far below DynamoDB's 400 KB.
LISTED_IDS_PER_ITEM = 5_000

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _iso(moment: datetime | None) -> str | None:
    # Full precision (not the event's second precision): equality decides "changed".
    return moment.astimezone(UTC).isoformat() if moment else None


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)).astimezone(UTC) if value else None


def _required_moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def registration_to_item(
    key: RegionKey, snapshot: RegistrationSnapshot, tombstone_ttl: timedelta
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": key.partition,
        "sk": REGISTRATION_PREFIX + snapshot.registration_id,
        "revision": snapshot.revision,
        "registrationId": snapshot.registration_id,
        "registrationArn": snapshot.registration_arn,
        "registrationType": snapshot.registration_type,
        "registrationStatus": snapshot.registration_status,
        "currentVersionNumber": snapshot.current_version_number,
        "approvedVersionNumber": snapshot.approved_version_number,
        "latestDeniedVersionNumber": snapshot.latest_denied_version_number,
        "registrationChanges": snapshot.registration_changes,
        "fullReadAt": _iso(snapshot.full_read_at),
        "versions": {
            str(number): {
                "status": version.status,
                "history": {k: _iso(v) for k, v in version.status_history.items()},
                "untimedChanges": version.untimed_changes,
            }
            for number, version in snapshot.versions.items()
        },
    }
    if snapshot.profile is not None:
        item["profile"] = profile_to_item(snapshot.profile)
    if snapshot.reminders_sent:
        item["remindersSent"] = set(snapshot.reminders_sent)
    if snapshot.incarnation:
        item["incarnation"] = snapshot.incarnation
    if snapshot.first_read_pending:
        item["firstReadPending"] = True
    if snapshot.deleted_at is not None:
        item["deletedAt"] = _iso(snapshot.deleted_at)
        item["expiresAt"] = int((snapshot.deleted_at + tombstone_ttl).timestamp())
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def registration_from_item(raw: Mapping[str, Any]) -> RegistrationSnapshot:
    item = {k: _deserializer.deserialize(v) for k, v in raw.items()}
    versions = {
        int(number): VersionSnapshot(
            version_number=int(number),
            status=str(version["status"]),
            status_history={k: _required_moment(v) for k, v in version.get("history", {}).items() if v},
            untimed_changes=int(version.get("untimedChanges", 0)),
        )
        for number, version in item.get("versions", {}).items()
    }
    return RegistrationSnapshot(
        registration_id=str(item["registrationId"]),
        registration_arn=str(item["registrationArn"]),
        registration_type=str(item["registrationType"]),
        registration_status=str(item["registrationStatus"]),
        current_version_number=int(item["currentVersionNumber"]),
        approved_version_number=_int(item.get("approvedVersionNumber")),
        latest_denied_version_number=_int(item.get("latestDeniedVersionNumber")),
        versions=versions,
        full_read_at=_moment(item.get("fullReadAt")),
        registration_changes=int(item.get("registrationChanges", 0)),
        revision=int(item["revision"]),
        deleted_at=_moment(item.get("deletedAt")),
        profile=profile_from_item(item["profile"]) if item.get("profile") else None,
        reminders_sent=frozenset(str(i) for i in item.get("remindersSent", ())),
        incarnation=int(item.get("incarnation", 0)),
        first_read_pending=bool(item.get("firstReadPending", False)),
    )


def state_from_item(raw: Mapping[str, Any] | None) -> ScanState:
    if not raw:
        return ScanState()
    item = {k: _deserializer.deserialize(v) for k, v in raw.items()}
    return ScanState(
        baseline_completed_at=_moment(item.get("baselineCompletedAt")),
        last_scan_started_at=_moment(item.get("lastScanStartedAt")),
        last_scan_completed_at=_moment(item.get("lastScanCompletedAt")),
        last_scan_id=item.get("lastScanId"),
        incomplete=bool(item.get("incomplete", False)),
        cursor=_cursor_from(item),
        held=_held_from(item),
        native_event_at=_moment(item.get("nativeEventAt")),
        unannounced_change_at=_moment(item.get("unannouncedChangeAt")),
    )


def _held_from(item: Mapping[str, Any]) -> HeldDeletions | None:
    cycle_id = item.get("heldCycleId")
    held_at = _moment(item.get("heldAt"))
    if not cycle_id or held_at is None:
        return None
    return HeldDeletions(
        cycle_id=str(cycle_id),
        held_at=held_at,
        count=int(item.get("heldCount", 0)),
        known=int(item.get("heldKnown", 0)),
    )


def _cursor_from(item: Mapping[str, Any]) -> ListingCursor | None:
    cycle_id = item.get("listingCycleId")
    started = _moment(item.get("listingCycleStartedAt"))
    if not cycle_id or started is None:
        return None
    return ListingCursor(
        cycle_id=str(cycle_id),
        started_at=started,
        next_token=item.get("listingNextToken"),
        after_id=item.get("listingAfterId"),
        pages=int(item.get("listingPages", 0)),
    )


class DynamoSnapshotStore:
    """`client` is a boto3 DynamoDB client; the table has pk (S) / sk (S) and TTL on expiresAt."""

    def __init__(
        self, client: Any, table_name: str, tombstone_ttl: timedelta = DEFAULT_TOMBSTONE_TTL
    ) -> None:
        self._client = client
        self._table = table_name
        self._tombstone_ttl = tombstone_ttl

    @property
    def client(self) -> Any:
        return self._client

    def _key(self, key: RegionKey, sort_key: str) -> dict[str, Any]:
        return {"pk": {"S": key.partition}, "sk": {"S": sort_key}}

    def _call(self, operation: str, **request: Any) -> Any:
        return call_table(self._client, self._table, operation, "condition failed", **request)

    def load_state(self, key: RegionKey) -> ScanState:
        response = self._call("get_item", Key=self._key(key, META_SORT_KEY), ConsistentRead=True)
        return state_from_item(response.get("Item"))

    def acquire_lease(self, key: RegionKey, owner: str, now: datetime, until: datetime) -> ScanState | None:
        try:
            response = self._call(
                "update_item",
                Key=self._key(key, META_SORT_KEY),
                UpdateExpression="SET leaseOwner = :owner, leaseExpiresAt = :until",
                ConditionExpression=(
                    "attribute_not_exists(leaseOwner) OR leaseExpiresAt < :now OR leaseOwner = :owner"
                ),
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": {"N": str(int(until.timestamp()))},
                    ":now": {"N": str(int(now.timestamp()))},
                },
                ReturnValues="ALL_NEW",
            )
        except SnapshotConflict:
            return None
        return state_from_item(response.get("Attributes"))

    def release_lease(self, key: RegionKey, owner: str, state: ScanState) -> None:
        cursor = state.cursor
        fields: dict[str, Any] = {
            "baselineCompletedAt": _iso(state.baseline_completed_at),
            "lastScanStartedAt": _iso(state.last_scan_started_at),
            "lastScanCompletedAt": _iso(state.last_scan_completed_at),
            "lastScanId": state.last_scan_id,
            "listingCycleId": cursor.cycle_id if cursor else None,
            "listingCycleStartedAt": _iso(cursor.started_at) if cursor else None,
            "listingNextToken": cursor.next_token if cursor else None,
            "listingAfterId": cursor.after_id if cursor else None,
            "listingPages": cursor.pages if cursor else None,
            "heldCycleId": state.held.cycle_id if state.held else None,
            "heldAt": _iso(state.held.held_at) if state.held else None,
            "heldCount": state.held.count if state.held else None,
            "heldKnown": state.held.known if state.held else None,
            "unannouncedChangeAt": _iso(state.unannounced_change_at),
        }
        # nativeEventAt is not among them: rescans write it while a scan holds the lease.
        names = {f"#{name}": name for name in (*fields, "incomplete")}
        values: dict[str, Any] = {":owner": {"S": owner}, ":incomplete": {"BOOL": state.incomplete}}
        sets = ["#incomplete = :incomplete"]
        removes = ["leaseOwner", "leaseExpiresAt"]
        for name, value in fields.items():
            if value is None:
                removes.append(f"#{name}")
            else:
                sets.append(f"#{name} = :{name}")
                values[f":{name}"] = _serializer.serialize(value)
        self._call(
            "update_item",
            Key=self._key(key, META_SORT_KEY),
            UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
            ConditionExpression="leaseOwner = :owner",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def record_native_event(self, key: RegionKey, at: datetime) -> None:
        """Remember that AWS's native event for the target arrived at `at` (never moves back).

        An UpdateItem of one attribute: it neither needs nor disturbs the scan lease.
        """
        try:
            self._call(
                "update_item",
                Key=self._key(key, META_SORT_KEY),
                UpdateExpression="SET nativeEventAt = :at",
                ConditionExpression="attribute_not_exists(nativeEventAt) OR nativeEventAt < :at",
                ExpressionAttributeValues={":at": {"S": _iso(at) or ""}},
            )
        except SnapshotConflict:
            return  # a later event was recorded first

    def load_registrations(self, key: RegionKey) -> dict[str, RegistrationSnapshot]:
        snapshots: dict[str, RegistrationSnapshot] = {}
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": key.partition}, ":prefix": {"S": REGISTRATION_PREFIX}},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("query", **request)
            for raw in response.get("Items", []):
                snapshot = registration_from_item(raw)
                snapshots[snapshot.registration_id] = snapshot
            last = response.get("LastEvaluatedKey")
            if not last:
                return snapshots
            request["ExclusiveStartKey"] = last

    def save_listed_ids(self, key: RegionKey, cycle_id: str, part: str, registration_ids: Set[str]) -> None:
        ids = sorted(registration_ids)
        expires = int((datetime.now(UTC) + LISTED_IDS_TTL).timestamp())
        for start in range(0, len(ids), LISTED_IDS_PER_ITEM):
            chunk = ids[start : start + LISTED_IDS_PER_ITEM]
            item = {
                "pk": {"S": key.partition},
                "sk": {"S": f"{LISTED_PREFIX}{cycle_id}#{part}#{start // LISTED_IDS_PER_ITEM:04d}"},
                "ids": {"SS": chunk},
                "expiresAt": {"N": str(expires)},
            }
            self._call("put_item", Item=item)

    def load_listed_ids(self, key: RegionKey, cycle_id: str) -> set[str]:
        listed: set[str] = set()
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": key.partition},
                ":prefix": {"S": f"{LISTED_PREFIX}{cycle_id}#"},
            },
            "ConsistentRead": True,
        }
        while True:
            response = self._call("query", **request)
            for raw in response.get("Items", []):
                listed.update(raw.get("ids", {}).get("SS", []))
            last = response.get("LastEvaluatedKey")
            if not last:
                return listed
            request["ExclusiveStartKey"] = last

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        response = self._call(
            "get_item", Key=self._key(key, REGISTRATION_PREFIX + registration_id), ConsistentRead=True
        )
        item = response.get("Item")
        return registration_from_item(item) if item else None

    def save_registration(
        self, key: RegionKey, snapshot: RegistrationSnapshot, expected_revision: int | None
    ) -> None:
        condition: dict[str, Any]
        if expected_revision is None:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "revision = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_revision)}},
            }
        self._call("put_item", Item=registration_to_item(key, snapshot, self._tombstone_ttl), **condition)

    def deletions_confirmed(self, key: RegionKey, cycle_id: str) -> bool:
        response = self._call(
            "get_item", Key=self._key(key, CONFIRMED_PREFIX + cycle_id), ConsistentRead=True
        )
        return "Item" in response

    def confirm_deletions(self, key: RegionKey, cycle_id: str, by: str, now: datetime) -> None:
        """An operator's go-ahead for the deletions held in `cycle_id` (`regwatch deletions confirm`).

        Its own item, not a field of the scan state: a scan holding the lease rewrites that.
        """
        expires = int((now + LISTED_IDS_TTL).timestamp())
        item = {
            **self._key(key, CONFIRMED_PREFIX + cycle_id),
            "confirmedBy": {"S": by},
            "confirmedAt": {"S": now.astimezone(UTC).isoformat()},
            "expiresAt": {"N": str(expires)},
        }
        self._call("put_item", Item=item)
