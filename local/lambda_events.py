"""Events as AWS delivers them to regwatch's functions, for local runs, tests and benchmarks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

LOCAL_ACCOUNT_ID = "123456789012"  # moto's and the emulator's account


def scheduled_event(
    region: str,
    *,
    moment: datetime | None = None,
    rule_arn: str | None = None,
    account_id: str = LOCAL_ACCOUNT_ID,
) -> dict[str, Any]:
    """What an EventBridge schedule rule sends its target (`aws.events` "Scheduled Event")."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn or f"arn:aws:events:{region}:{account_id}:rule/regwatch-scan"],
        "detail": {},
    }


def work_item_event(
    account_id: str,
    region: str,
    *,
    schedule_id: str = "local-schedule",
    queue_region: str | None = None,
    receive_count: int = 1,
) -> dict[str, Any]:
    """What Lambda's SQS event source mapping sends the scanner for one scan-queue message:
    the body the dispatcher queues for one target (regwatch_aws.work_queue)."""
    from local.fanout import sqs_event
    from regwatch.targets import ScanTarget
    from regwatch_aws.work_queue import work_item

    queue_region = queue_region or region
    body = work_item(ScanTarget(account_id, region), schedule_id)
    message = {
        "MessageId": str(uuid.uuid4()),
        "ReceiptHandle": str(uuid.uuid4()),
        "Body": body,
        "Attributes": {"ApproximateReceiveCount": str(receive_count)},
    }
    queue_arn = f"arn:aws:sqs:{queue_region}:{LOCAL_ACCOUNT_ID}:regwatch-scan-queue"
    return sqs_event(message, queue_arn, queue_region)
