"""Every queue with a dead-letter queue can actually dead-letter: the rule checked at synth.

SQS moves a message to its DLQ on the receive after its `maxReceiveCount`-th; each failed
receive leaves it invisible for the visibility timeout. A message that expires before
that (retention ≤ maxReceiveCount × visibility) is silently deleted, so the DLQ and its
alarm stay empty forever. Checked over every queue of every synthesized variant, not only
the scan queue; the checker itself is shown to fail on the numbers of the old scan queue.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import load_config
from infra.fanout import MAX_RECEIVE_COUNT, scan_queue_timing
from tests.infra.conftest import Synthesized, synthesize
from tests.infra.test_infra_organizations import ORGANIZATION, STATIC

# SQS's defaults when a queue leaves them out.
DEFAULT_VISIBILITY = 30
DEFAULT_RETENTION = 345_600
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "organization": ORGANIZATION,
    "static accounts": STATIC,
    "daily schedule, short scanner timeout": {"schedule": "rate(1 day)", "scannerTimeoutSeconds": 60},
}


def unreachable_dead_letter_queues(template: dict[str, Any]) -> list[str]:
    """Queues whose messages expire before they could be dead-lettered, with their numbers."""
    problems = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::SQS::Queue":
            continue
        props = resource.get("Properties", {})
        redrive = props.get("RedrivePolicy")
        if redrive is None:
            continue
        visibility = int(props.get("VisibilityTimeout", DEFAULT_VISIBILITY))
        retention = int(props.get("MessageRetentionPeriod", DEFAULT_RETENTION))
        receives = int(redrive["maxReceiveCount"])
        if retention <= receives * visibility:
            problems.append(
                f"{logical_id}: retention {retention} s <= "
                f"maxReceiveCount {receives} × visibility {visibility} s"
            )
    return problems


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> Synthesized:
    return synthesize(VARIANTS[request.param])


def test_every_queue_with_a_dlq_keeps_its_messages_long_enough_to_dead_letter(variant: Synthesized) -> None:
    queues = variant.resources("AWS::SQS::Queue")
    assert any("RedrivePolicy" in q.get("Properties", {}) for q in queues.values()), "no queue to check"
    assert unreachable_dead_letter_queues(variant.json) == []


def test_the_scan_queue_is_the_one_with_a_redrive_and_its_numbers_are_the_documented_ones(
    variant: Synthesized,
) -> None:
    queue_id = variant.logical_id(variant.stack.fanout.scan_queue)
    props = variant.json["Resources"][queue_id]["Properties"]
    config = variant.stack.config
    visibility, retention = scan_queue_timing(config)
    assert (props["VisibilityTimeout"], props["MessageRetentionPeriod"]) == (visibility, retention)
    assert props["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVE_COUNT
    assert retention >= (MAX_RECEIVE_COUNT + 1) * visibility


def test_the_check_refuses_the_old_scan_queue_numbers() -> None:
    """Visibility 6 × 900 s, retention max(3,600 s, 2 × 5 min): nothing could ever be dead-lettered."""
    old = {
        "Resources": {
            "ScanQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "VisibilityTimeout": 5400,
                    "MessageRetentionPeriod": 3600,
                    "RedrivePolicy": {"deadLetterTargetArn": "arn:dlq", "maxReceiveCount": 3},
                },
            },
            "Defaults": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"RedrivePolicy": {"maxReceiveCount": 20000}},
            },
        }
    }
    assert unreachable_dead_letter_queues(old) == [
        "ScanQueue: retention 3600 s <= maxReceiveCount 3 × visibility 5400 s",
        "Defaults: retention 345600 s <= maxReceiveCount 20000 × visibility 30 s",
    ]


def test_the_longest_scanner_timeout_still_fits_in_sqs_retention() -> None:
    config = load_config({"regwatch": {"scannerTimeoutSeconds": 900, "schedule": "rate(1 day)"}})
    visibility, retention = scan_queue_timing(config)
    assert retention > MAX_RECEIVE_COUNT * visibility
    assert retention <= 14 * 86400
