"""The planning index on moto server, and the full-item fallback while it cannot be read.

The table is created as the stack declares it (snapshot_table_request; tests/infra checks
the template agrees); the index must answer with the planning attributes only, which is
what makes planning cheap. DynamoDB's answer for an index it is still building after an
upgrade comes from botocore's Stubber (moto builds indexes at once).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import ANY, Stubber

from regwatch.errors import SnapshotUnavailable
from regwatch.model import RegistrationProfile
from regwatch.snapshot import PlanEntry, RegionKey, RegistrationSnapshot, VersionSnapshot
from regwatch_aws.planning_index import PLANNING_ATTRIBUTES, PLANNING_INDEX_NAME, snapshot_table_request
from regwatch_aws.snapshot_store import DynamoSnapshotStore, registration_to_item
from tests.integration.scanner.conftest import REGION, ScannerWorld, emf_metrics
from tests.integration.scanner.conftest import TABLE as TABLE_OF_WORLD

KEY = RegionKey("123456789012", "us-east-1")
OTHER = RegionKey("123456789012", "eu-west-1")
TABLE = "regwatch-planning"
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


def _snapshot(rid: str, **changes: Any) -> RegistrationSnapshot:
    snapshot = RegistrationSnapshot(
        registration_id=rid,
        registration_arn=f"arn:aws:sms-voice:us-east-1:123456789012:registration/{rid}",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status="REQUIRES_UPDATES",
        current_version_number=2,
        approved_version_number=1,
        latest_denied_version_number=2,
        versions={
            1: VersionSnapshot(1, "APPROVED", {"ApprovedTimestamp": MOMENT}),
            2: VersionSnapshot(2, "DENIED", {"DeniedTimestamp": MOMENT}),
        },
        full_read_at=MOMENT,
        registration_changes=3,
        revision=4,
        profile=RegistrationProfile(name="Acme brand", name_source="tag:Name"),
        reminders_sent=frozenset({"reminder-1"}),
    )
    return replace(snapshot, **changes)


def _saved(
    store: DynamoSnapshotStore, key: RegionKey, snapshot: RegistrationSnapshot
) -> RegistrationSnapshot:
    store.save_registration(key, snapshot, expected_revision=None)
    return snapshot


@pytest.fixture
def dynamodb(aws: str) -> Any:
    return boto3.client("dynamodb", region_name="us-east-1")


def test_the_index_answers_the_planning_attributes_only(dynamodb: Any) -> None:
    dynamodb.create_table(**snapshot_table_request(TABLE))
    store = DynamoSnapshotStore(dynamodb, TABLE)
    snapshots = [
        _saved(store, KEY, _snapshot("registration-a")),
        _saved(store, KEY, _snapshot("registration-b", deleted_at=MOMENT + timedelta(days=1))),
        _saved(
            store,
            KEY,
            _snapshot(
                "registration-c",
                versions={},
                full_read_at=None,
                approved_version_number=None,
                latest_denied_version_number=None,
                first_read_pending=True,
                profile=None,
            ),
        ),
    ]
    _saved(store, OTHER, _snapshot("registration-elsewhere"))
    store.release_lease(KEY, "scan-1", store.acquire_lease(KEY, "scan-1", MOMENT, MOMENT) or pytest.fail())

    raw = dynamodb.query(
        TableName=TABLE,
        IndexName=PLANNING_INDEX_NAME,
        KeyConditionExpression="pk = :pk AND sk = :sk",
        ExpressionAttributeValues={":pk": {"S": KEY.partition}, ":sk": {"S": "REG#registration-a"}},
    )["Items"][0]
    assert set(raw) == {"pk", "sk", *PLANNING_ATTRIBUTES} - {"deletedAt", "firstReadPending"}
    full = registration_to_item(KEY, snapshots[0], timedelta(days=30))
    assert {"versions", "profile", "remindersSent", "registrationArn"} <= set(full)

    planning = store.load_plan(KEY)
    assert planning.full_items_because is None
    assert planning.entries == {s.registration_id: PlanEntry.of(s) for s in snapshots}
    assert planning.entries["registration-b"].is_tombstone
    assert planning.entries["registration-c"].first_read_pending


def test_a_table_without_the_index_is_planned_from_its_full_items(dynamodb: Any) -> None:
    request = snapshot_table_request(TABLE)
    del request["GlobalSecondaryIndexes"]
    dynamodb.create_table(**request)
    store = DynamoSnapshotStore(dynamodb, TABLE)
    snapshot = _saved(store, KEY, _snapshot("registration-a"))
    planning = store.load_plan(KEY)
    assert planning.entries == {"registration-a": PlanEntry.of(snapshot)}
    assert planning.full_items_because is not None and PLANNING_INDEX_NAME in planning.full_items_because


def _offline_client() -> Any:
    config = Config(retries={"mode": "standard", "max_attempts": 1})
    return boto3.client("dynamodb", region_name="us-east-1", config=config, endpoint_url="http://127.0.0.1:9")


def _query(**extra: Any) -> dict[str, Any]:
    return {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": ANY,
        **extra,
    }


def test_an_index_still_backfilling_falls_back_to_a_consistent_query_of_the_items() -> None:
    dynamodb = _offline_client()
    store = DynamoSnapshotStore(dynamodb, TABLE)
    item = registration_to_item(KEY, _snapshot("registration-a"), timedelta(days=30))
    message = f"Cannot read from backfilling global secondary index: {PLANNING_INDEX_NAME}"
    with Stubber(dynamodb) as stub:
        stub.add_client_error(
            "query",
            service_error_code="ValidationException",
            service_message=message,
            http_status_code=400,
            expected_params=_query(IndexName=PLANNING_INDEX_NAME),
        )
        stub.add_response("query", {"Items": [item]}, expected_params=_query(ConsistentRead=True))
        planning = store.load_plan(KEY)
        stub.assert_no_pending_responses()
    assert planning.entries == {"registration-a": PlanEntry.of(_snapshot("registration-a"))}
    assert planning.full_items_because == f"ValidationException: {message}"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "One or more parameter values were invalid"),
        ("ProvisionedThroughputExceededException", "Cannot read from backfilling global secondary index"),
        ("InternalServerError", "Internal server error"),
    ],
)
def test_other_index_errors_make_the_table_unavailable_without_a_full_query(code: str, message: str) -> None:
    dynamodb = _offline_client()
    store = DynamoSnapshotStore(dynamodb, TABLE)
    with Stubber(dynamodb) as stub:
        stub.add_client_error("query", service_error_code=code, service_message=message, http_status_code=400)
        with pytest.raises(SnapshotUnavailable):
            store.load_plan(KEY)
        stub.assert_no_pending_responses()


@pytest.mark.parametrize("with_index", [True, False])
def test_the_scanner_plans_from_the_index_or_without_it_reports_the_same(
    world: ScannerWorld, with_index: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    if not with_index:  # a table as before the upgrade, or one whose index is not built yet
        world.dynamodb.delete_table(TableName=TABLE_OF_WORLD)
        request = snapshot_table_request(TABLE_OF_WORLD)
        del request["GlobalSecondaryIndexes"]
        world.dynamodb.create_table(**request)
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    capsys.readouterr()
    summary = world.invoke()
    assert emf_metrics(capsys.readouterr().out)["PlanningFromFullItems"] == (0 if with_index else 1)
    planning = summary["regions"][REGION]["planning"]
    assert planning["snapshotsLoaded"] == 1 and planning["readsSkipped"] == 0
    if with_index:
        assert planning["fullItemsBecause"] is None
    else:
        assert PLANNING_INDEX_NAME in planning["fullItemsBecause"]
    versions = [d for d in world.details() if d["scope"] == "VERSION"]
    assert [(d["registrationId"], d["status"]) for d in versions] == [(registration_id, "SUBMITTED")]
