"""Exact AWS fault shapes against the adapters, via botocore's Stubber (no network).

The emulator and moto cover the happy paths and storms in the other test modules; here
each ClientError code must become the right domain error, and a PutEvents partial
failure must be retried with exactly the failed entries.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from regwatch.errors import (
    PublishFailed,
    RegistrationNotFound,
    RegistryRejected,
    RegistryThrottled,
    RegistryUnavailable,
    SnapshotConflict,
    SnapshotUnavailable,
)
from regwatch.ratelimit import RateLimiter
from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot
from regwatch_aws.publisher import EventBridgePublisher, batches
from regwatch_aws.sms_api import SmsRegistry
from regwatch_aws.snapshot_store import DynamoSnapshotStore, registration_from_item, registration_to_item

NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})
KEY = RegionKey("123456789012", "us-east-1")


def client(service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", config=NO_RETRIES, endpoint_url="http://127.0.0.1:9"
    )


def registry() -> tuple[SmsRegistry, Stubber]:
    sms = client("pinpoint-sms-voice-v2")
    return SmsRegistry(sms, RateLimiter(1000, time.monotonic, time.sleep)), Stubber(sms)


@pytest.mark.parametrize(
    ("code", "status", "domain_error"),
    [
        ("ThrottlingException", 400, RegistryThrottled),
        ("ResourceNotFoundException", 404, RegistrationNotFound),
        ("AccessDeniedException", 403, RegistryRejected),
        ("ValidationException", 400, RegistryRejected),
        ("InternalServerException", 500, RegistryUnavailable),
        ("ServiceUnavailableException", 503, RegistryUnavailable),
        ("ExpiredTokenException", 400, RegistryUnavailable),
    ],
)
def test_sms_api_errors_become_domain_errors(code: str, status: int, domain_error: type[Exception]) -> None:
    adapter, stub = registry()
    stub.add_client_error("describe_registration_versions", service_error_code=code, http_status_code=status)
    with stub, pytest.raises(domain_error):
        adapter.list_versions("registration-1")


def test_describe_of_an_unknown_id_is_an_empty_list() -> None:
    adapter, stub = registry()
    stub.add_client_error("describe_registrations", "ResourceNotFoundException", http_status_code=404)
    with stub:
        assert adapter.describe_registrations(["registration-gone"]) == []


def test_versions_are_read_across_pages_with_the_maximum_page_size() -> None:
    adapter, stub = registry()
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    page = {
        "RegistrationArn": "arn:aws:sms-voice:us-east-1:123456789012:registration/registration-1",
        "RegistrationId": "registration-1",
    }
    stub.add_response(
        "describe_registration_versions",
        {
            **page,
            "RegistrationVersions": [
                {
                    "VersionNumber": 1,
                    "RegistrationVersionStatus": "DENIED",
                    "RegistrationVersionStatusHistory": {"DraftTimestamp": moment, "DeniedTimestamp": moment},
                    "DeniedReasons": [{"Reason": "Website", "ShortDescription": "Unreachable"}],
                    "Feedback": "Fix the site",
                }
            ],
            "NextToken": "page-2",
        },
        {"RegistrationId": "registration-1", "MaxResults": 100},
    )
    stub.add_response(
        "describe_registration_versions",
        {
            **page,
            "RegistrationVersions": [
                {
                    "VersionNumber": 2,
                    "RegistrationVersionStatus": "DRAFT",
                    "RegistrationVersionStatusHistory": {"DraftTimestamp": moment},
                }
            ],
        },
        {"RegistrationId": "registration-1", "MaxResults": 100, "NextToken": "page-2"},
    )
    with stub:
        versions = adapter.list_versions("registration-1")
    stub.assert_no_pending_responses()
    assert [(v.version_number, v.status) for v in versions] == [(1, "DENIED"), (2, "DRAFT")]
    assert versions[0].denied_reasons[0].reason == "Website"
    assert versions[0].feedback == "Fix the site"
    assert versions[0].status_history["DeniedTimestamp"] == moment


def _entry(n: int, size: int = 10) -> dict[str, Any]:
    return {
        "Source": "regwatch",
        "DetailType": "Registration Version Approved",
        "Detail": json.dumps({"n": n, "pad": "x" * size}),
        "Resources": ["arn:aws:sms-voice:us-east-1:123456789012:registration/r"],
        "EventBusName": "bus",
    }


def test_put_events_partial_failure_retries_exactly_the_failed_entries() -> None:
    events = client("events")
    sleeps: list[float] = []
    publisher = EventBridgePublisher(events, sleep=sleeps.append)
    entries = [_entry(n) for n in range(3)]
    with Stubber(events) as stub:
        stub.add_response(
            "put_events",
            {
                "FailedEntryCount": 1,
                "Entries": [
                    {"EventId": "a"},
                    {"ErrorCode": "InternalFailure", "ErrorMessage": "Internal"},
                    {"EventId": "c"},
                ],
            },
            {"Entries": entries},
        )
        stub.add_response(
            "put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "b"}]}, {"Entries": [entries[1]]}
        )
        assert publisher.publish(entries) == 3
        stub.assert_no_pending_responses()
    assert publisher.failed_entry_retries == 1
    assert len(sleeps) == 1


def test_put_events_entries_that_keep_failing_raise_publish_failed() -> None:
    events = client("events")
    publisher = EventBridgePublisher(events, attempts=3, sleep=lambda _: None)
    entry = _entry(1)
    failure = {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "slow"}],
    }
    with Stubber(events) as stub:
        for _ in range(3):
            stub.add_response("put_events", failure, {"Entries": [entry]})
        with pytest.raises(PublishFailed) as error:
            publisher.publish([entry])
    assert error.value.failed == 1 and error.value.error_codes == ("ThrottlingException",)


def test_put_events_call_failure_raises_publish_failed() -> None:
    events = client("events")
    publisher = EventBridgePublisher(events, sleep=lambda _: None)
    with Stubber(events) as stub:
        stub.add_client_error("put_events", "AccessDeniedException", http_status_code=403)
        with pytest.raises(PublishFailed, match="AccessDeniedException"):
            publisher.publish([_entry(1)])


def test_batches_hold_at_most_ten_entries_and_256_kb() -> None:
    assert [len(b) for b in batches([_entry(n) for n in range(23)])] == [10, 10, 3]
    big = [_entry(n, size=100_000) for n in range(5)]
    assert [len(b) for b in batches(big)] == [2, 2, 1]


def _snapshot(revision: int = 3, deleted: datetime | None = None) -> RegistrationSnapshot:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    return RegistrationSnapshot(
        registration_id="registration-1",
        registration_arn="arn:aws:sms-voice:us-east-1:123456789012:registration/registration-1",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status="REQUIRES_UPDATES",
        current_version_number=2,
        approved_version_number=None,
        latest_denied_version_number=1,
        versions={
            1: VersionSnapshot(1, "DENIED", {"DeniedTimestamp": moment, "FutureKeyTimestamp": moment}, 0),
            2: VersionSnapshot(2, "REQUIRES_OFFLINE_REVIEW", {"DraftTimestamp": moment}, 2),
        },
        full_read_at=moment,
        registration_changes=4,
        revision=revision,
        deleted_at=deleted,
    )


def test_snapshot_items_round_trip_exactly() -> None:
    from datetime import timedelta

    snapshot = _snapshot()
    assert registration_from_item(registration_to_item(KEY, snapshot, timedelta(days=30))) == snapshot
    tombstone = _snapshot(deleted=datetime(2026, 2, 1, tzinfo=UTC))
    item = registration_to_item(KEY, tombstone, timedelta(days=30))
    assert item["expiresAt"] == {"N": str(int(datetime(2026, 3, 3, tzinfo=UTC).timestamp()))}
    assert item["pk"] == {"S": "123456789012#us-east-1"} and item["sk"] == {"S": "REG#registration-1"}
    assert registration_from_item(item) == tombstone


def test_snapshot_write_conflicts_and_outages_become_domain_errors() -> None:
    dynamodb = client("dynamodb")
    store = DynamoSnapshotStore(dynamodb, "table")
    with Stubber(dynamodb) as stub:
        stub.add_client_error("put_item", "ConditionalCheckFailedException", http_status_code=400)
        with pytest.raises(SnapshotConflict):
            store.save_registration(KEY, _snapshot(), expected_revision=2)
        stub.add_client_error("put_item", "ProvisionedThroughputExceededException", http_status_code=400)
        with pytest.raises(SnapshotUnavailable):
            store.save_registration(KEY, _snapshot(), expected_revision=2)
        stub.add_client_error("update_item", "ConditionalCheckFailedException", http_status_code=400)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        assert store.acquire_lease(KEY, "scan-b", now, now) is None
