"""Routing patterns: their exact shape, and what they really match on an EventBridge (moto server).

The local demo provisions these patterns on moto from the synthesized template, so the
forms used (exact lists, one `anything-but`) must match there exactly as on AWS.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from infra.routing import ALERT_FILTER, event_pattern, status_filter
from regwatch.severity import ACTION_REQUIRED_STATUSES, GOOD_NEWS_STATUSES, Severity

A, G, INF = Severity.ACTION_REQUIRED, Severity.GOOD_NEWS, Severity.INFO
KNOWN = sorted(ACTION_REQUIRED_STATUSES | GOOD_NEWS_STATUSES)
INFO_STATUSES = ["DRAFT", "SUBMITTED", "AWS_REVIEWING", "REVIEWING", "DISCARDED", "ARCHIVED", "PROVISIONING"]
ALL_STATUSES = [*KNOWN, *INFO_STATUSES]


def test_known_classes_become_exact_lists() -> None:
    assert status_filter([A], []) == sorted(ACTION_REQUIRED_STATUSES)
    assert status_filter([G], []) == sorted(GOOD_NEWS_STATUSES)
    assert status_filter([A, G], ["SUBMITTED"]) == sorted([*KNOWN, "SUBMITTED"])
    assert status_filter([], ["SUBMITTED", "REVIEWING"]) == ["REVIEWING", "SUBMITTED"]


def test_info_becomes_anything_but_the_other_classes() -> None:
    assert status_filter([INF], []) == [{"anything-but": KNOWN}]
    assert status_filter([INF, G], []) == [{"anything-but": sorted(ACTION_REQUIRED_STATUSES)}]
    # An explicitly listed status is carved out of the exclusion.
    assert status_filter([INF], ["DENIED"]) == [{"anything-but": sorted(set(KNOWN) - {"DENIED"})}]


def test_everything_means_no_status_filter() -> None:
    assert status_filter([A, G, INF], []) is None
    assert event_pattern("regwatch", [A, G, INF], []) == {
        "source": ["regwatch"],
        "detail": {"$or": ALERT_FILTER},
    }
    assert event_pattern("src", [A], []) == {
        "source": ["src"],
        "detail": {"$or": ALERT_FILTER, "status": sorted(ACTION_REQUIRED_STATUSES)},
    }


@pytest.fixture
def bus_with_rule(aws: str):  # type: ignore[no-untyped-def]
    """A moto bus + SQS target; returns (put(pattern) -> matched statuses)."""
    events = boto3.client("events")
    sqs = boto3.client("sqs")

    def matched(pattern: dict[str, object], statuses: list[str], alert: object = "absent") -> set[str]:
        name = f"t-{uuid.uuid4().hex[:8]}"
        events.create_event_bus(Name=name)
        queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "q", "Arn": queue_arn}])
        for status in statuses:
            for source in ("regwatch", "someone-else"):
                detail: dict[str, object] = {"status": status, "severity": "INFO", "baseline": False}
                if alert != "absent":
                    detail["alert"] = alert
                entry = {
                    "Source": source,
                    "DetailType": "x",
                    "Detail": json.dumps(detail),
                    "EventBusName": name,
                }
                assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
        received: list[tuple[str, str]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for message in messages:
                body = json.loads(message["Body"])
                received.append((body["source"], body["detail"]["status"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        assert {source for source, _ in received} <= {"regwatch"}
        return {status for _, status in received}

    return matched


@pytest.mark.parametrize(
    ("severities", "statuses", "expected"),
    [
        ([A], [], set(ACTION_REQUIRED_STATUSES)),
        ([A, G], ["SUBMITTED"], {*KNOWN, "SUBMITTED"}),
        ([INF], [], set(INFO_STATUSES)),
        ([INF], ["DENIED"], {*INFO_STATUSES, "DENIED"}),
        ([G, INF], [], {*INFO_STATUSES, *GOOD_NEWS_STATUSES}),
        ([A, G, INF], [], set(ALL_STATUSES)),
    ],
    ids=["action", "action+good+submitted", "info", "info+denied", "good+info", "all"],
)
def test_patterns_match_on_a_real_event_bus(
    bus_with_rule,
    severities: list[Severity],
    statuses: list[str],
    expected: set[str],  # type: ignore[no-untyped-def]
) -> None:
    pattern = event_pattern("regwatch", severities, statuses)
    assert bus_with_rule(pattern, ALL_STATUSES) == expected


def test_filters_and_detail_types_match_on_a_real_event_bus(aws: str) -> None:
    """PagerDuty-like routing: ACTION_REQUIRED of one account/region/type, or target health anywhere
    in that account/region; everything else stays out."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    name = f"f-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=name)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = event_pattern(
        "regwatch",
        [A],
        [],
        accounts=["111122223333"],
        regions=["us-east-1"],
        registration_types=["US_TEN_DLC_BRAND_REGISTRATION"],
        detail_types=["Target Unhealthy"],
    )
    events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "q", "Arn": queue_arn}])
    base = {
        "accountId": "111122223333",
        "region": "us-east-1",
        "registrationType": "US_TEN_DLC_BRAND_REGISTRATION",
    }
    cases = {
        "match": ("Registration Version Denied", {**base, "status": "DENIED"}),
        "other-account": (
            "Registration Version Denied",
            {**base, "status": "DENIED", "accountId": "999999999999"},
        ),
        "other-region": ("Registration Version Denied", {**base, "status": "DENIED", "region": "eu-west-1"}),
        "other-type": ("Registration Version Denied", {**base, "status": "DENIED", "registrationType": "X"}),
        "info": ("Registration Version Reviewing", {**base, "status": "REVIEWING"}),
        "target": (
            "Target Unhealthy",
            {"accountId": "111122223333", "region": "us-east-1", "case": "target"},
        ),
        "target-elsewhere": ("Target Unhealthy", {"accountId": "111122223333", "region": "eu-west-1"}),
    }
    for case, (detail_type, detail) in cases.items():
        entry = {
            "Source": "regwatch",
            "DetailType": detail_type,
            "Detail": json.dumps({**detail, "case": case}),
        }
        assert events.put_events(Entries=[{**entry, "EventBusName": name}])["FailedEntryCount"] == 0
    received = set()
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            received.add(json.loads(message["Body"])["detail"]["case"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert received == {"match", "target"}


@pytest.mark.parametrize(
    ("alert", "delivered"),
    [(True, True), ("absent", True), (False, False)],
    ids=["alert-true", "1.0-event-without-alert", "alert-false"],
)
def test_only_alert_events_reach_a_destination(bus_with_rule, alert: object, delivered: bool) -> None:  # type: ignore[no-untyped-def]
    for severities in ([A], [A, G, INF]):
        pattern = event_pattern("regwatch", severities, [])
        got = bus_with_rule(pattern, ["DENIED", "REQUIRES_UPDATES"], alert)
        assert got == ({"DENIED", "REQUIRES_UPDATES"} if delivered else set())
