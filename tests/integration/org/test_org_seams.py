"""The seams of the fan-out, end to end over real sockets (moto, the emulator, real handlers).

- A work item that fails every time reaches the scan queue's DLQ (the alarm's metric, the
  DLQ's visible messages, is non-zero) while the other targets are scanned; with the old
  retention (shorter than maxReceiveCount × visibility) the same item silently expires,
  exactly as in SQS (local.fanout ages a failed message by its visibility timeout).
- AWS's native event of an account or region regwatch does not monitor is counted and
  dropped with its reason; one of a monitored member account is rescanned.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from infra.config import load_config
from infra.fanout import MAX_RECEIVE_COUNT, scan_queue_timing
from local.fanout import EventSourceMapping
from scanner.dependencies import get_dependencies as scanner_dependencies
from tests.integration.org.conftest import HUB, OTHER_REGION, REGION, OrgWorld
from tests.integration.scanner.conftest import emf_metrics, status_change_event

BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
MEMBER = "111122223333"


def _queue_pair(world: OrgWorld, name: str, visibility: int, retention: int) -> tuple[str, str]:
    fourteen_days = {"MessageRetentionPeriod": "1209600"}
    dlq_url = world.sqs.create_queue(QueueName=f"{name}-dlq", Attributes=fourteen_days)["QueueUrl"]
    dlq_arn = world.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
    queue_url = world.sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility),
            "MessageRetentionPeriod": str(retention),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return queue_url, dlq_url


def _fail_every_scan_of(account_id: str) -> None:
    """The snapshot table is unreachable for one target's keys: its work item fails each time."""
    client = scanner_dependencies().store.client

    def unreachable(params: dict[str, Any], **_: Any) -> None:
        if account_id in json.dumps(params.get("Key", {})):
            raise EndpointConnectionError(endpoint_url="https://dynamodb.invalid")

    client.meta.events.register("before-parameter-build.dynamodb", unreachable, unique_id="fail-one-target")


def _visible(world: OrgWorld, queue_url: str) -> int:
    attributes = world.sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _schedule_through(world: OrgWorld, queue_url: str) -> Any:
    world.configure(SCAN_QUEUE_URL=queue_url, TARGET_ACCOUNTS=json.dumps([{"id": MEMBER}]))
    world.dispatch()
    world.scanner_invoke(status_change_event("warm-up"))  # build the scanner's clients
    _fail_every_scan_of(MEMBER)
    invokers = [world.scanner_invoke]
    mapping = EventSourceMapping(world.sqs, queue_url, invokers, region=REGION, fast_forward=True)
    return mapping.drain()


def test_a_work_item_failing_three_times_reaches_the_dlq_and_the_others_are_scanned(
    org_world: OrgWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    visibility, retention = scan_queue_timing(load_config({}))
    queue_url, dlq_url = _queue_pair(org_world, "regwatch-scan-queue-deployed", visibility, retention)
    org_world.control.create_registration(REGION, BRAND)
    capsys.readouterr()

    stats = _schedule_through(org_world, queue_url)

    assert (stats.failed, stats.expired) == (MAX_RECEIVE_COUNT, 0)
    # ScanQueueDlqAlarm watches the DLQ's ApproximateNumberOfMessagesVisible: now 1.
    assert _visible(org_world, dlq_url) == 1
    [dead] = org_world.sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(dead["Body"])["accountId"] == MEMBER
    assert _visible(org_world, queue_url) == 0
    # The hub's target was scanned (its work item succeeded once) and is healthy.
    assert stats.succeeded == 1
    assert f"{HUB}#{REGION}" in org_world.health_items()
    assert emf_metrics(capsys.readouterr().out)["ScanFailures"] >= 1


def test_with_the_old_retention_the_failing_item_expires_before_the_dlq_as_in_sqs(
    org_world: OrgWorld,
) -> None:
    queue_url, dlq_url = _queue_pair(org_world, "regwatch-scan-queue-old", 6 * 900, 3600)

    stats = _schedule_through(org_world, queue_url)

    assert (stats.failed, stats.expired) == (1, 1)
    assert _visible(org_world, dlq_url) == 0, "the DLQ alarm could never fire"


def test_native_events_outside_the_fleet_are_counted_and_dropped_with_their_reason(
    org_world: OrgWorld, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    org = org_world.organization()
    engineering = org.ou("engineering")
    inside = org.account("inside", engineering)
    outside = org.account("outside", org.ou("sales"))
    suspended = org.account("suspended", engineering)
    org.client.close_account(AccountId=suspended)
    excluded = org.account("excluded", engineering)
    org_world.configure(
        ORGANIZATION=json.dumps({"enabled": True, "ouIds": [engineering], "excludeAccounts": [excluded]})
    )
    created = org_world.control.create_registration(REGION, BRAND, account=inside)
    registration_id = str(created["RegistrationId"])
    event = status_change_event(registration_id)

    # Before any dispatch recorded the organization's scope, members are not trusted.
    assert org_world.scanner_invoke({**event, "account": inside})["targets"] == {}
    org_world.dispatch()
    capsys.readouterr()
    drops = {
        "account-outside-organization-scope": {**event, "account": outside},
        "account-not-active": {**event, "account": suspended},
        "account-excluded": {**event, "account": excluded},
        "region-not-monitored": {**event, "account": inside, "region": OTHER_REGION},
    }
    for reason, dropped in drops.items():
        caplog.clear()
        assert org_world.scanner_invoke(dropped)["targets"] == {}
        assert emf_metrics(capsys.readouterr().out)["NativeEventsNotMonitored"] == 1
        [record] = [r for r in caplog.records if "does not monitor" in r.getMessage()]
        assert record.__dict__["reason"] == reason
    summary = org_world.scanner_invoke({**event, "account": inside})
    assert summary["targets"][f"{inside}/{REGION}"]["registrationsRead"] == 1
