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
from regwatch.model import Association, FieldFeedback, RegistrationProfile
from regwatch.snapshot import ListingCursor, RegionKey, RegistrationSnapshot, ScanState, VersionSnapshot
from regwatch_aws.table_calls import call_table

REGISTRATION_PREFIX = "REG#"
META_SORT_KEY = "META#SCAN"
LISTED_PREFIX = "LISTED#"
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


# The snapshot keeps as many associations as an event shows.
MAX_STORED_ASSOCIATIONS = 20


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def profile_to_item(profile: RegistrationProfile) -> dict[str, Any]:
    return _drop_none(
        {
            "name": profile.name,
            "nameSource": profile.name_source,
            "fieldsVersion": profile.fields_version,
            "associations": [
                _drop_none(
                    {
                        "resourceType": a.resource_type,
                        "resourceId": a.resource_id,
                        "resourceArn": a.resource_arn,
                        "phoneNumber": a.phone_number,
                        "isoCountryCode": a.iso_country_code,
                    }
                )
                for a in profile.associations[:MAX_STORED_ASSOCIATIONS]
            ],
            "associationCount": profile.association_count,
            "associationsRead": profile.associations_read,
            "associationCountAtLeast": profile.association_count_at_least or None,
            "feedbackVersion": profile.field_feedback_version,
            "fieldFeedback": [
                _drop_none(
                    {"fieldPath": f.field_path, "deniedReason": f.denied_reason, "feedback": f.feedback}
                )
                for f in profile.field_feedback
            ],
        }
    )


def _optional_str(value: Any) -> str | None:
    return str(value) if value is not None else None


def profile_from_item(item: Mapping[str, Any]) -> RegistrationProfile:
    return RegistrationProfile(
        name=_optional_str(item.get("name")),
        name_source=_optional_str(item.get("nameSource")),
        fields_version=_int(item.get("fieldsVersion")),
        associations=tuple(
            Association(
                resource_type=str(a["resourceType"]),
                resource_id=str(a["resourceId"]),
                resource_arn=_optional_str(a.get("resourceArn")),
                phone_number=_optional_str(a.get("phoneNumber")),
                iso_country_code=_optional_str(a.get("isoCountryCode")),
            )
            for a in item.get("associations", [])
        ),
        association_count=int(item.get("associationCount", 0)),
        associations_read=bool(item.get("associationsRead", False)),
        association_count_at_least=bool(item.get("associationCountAtLeast", False)),
        field_feedback_version=_int(item.get("feedbackVersion")),
        field_feedback=tuple(
            FieldFeedback(
                field_path=str(f["fieldPath"]),
                denied_reason=_optional_str(f.get("deniedReason")),
                feedback=_optional_str(f.get("feedback")),
            )
            for f in item.get("fieldFeedback", [])
        ),
    )


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
        }
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
