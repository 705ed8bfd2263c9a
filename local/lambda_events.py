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
