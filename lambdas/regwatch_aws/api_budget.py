"""One API budget per target, shared by every execution environment: slots in DynamoDB.

The SMS API's Describe* quota is per account, region and operation. A scheduled scan and
any number of native-event rescans of the same target may run at once in different Lambda
execution environments, each with its own memory: an in-memory token bucket per
environment would let N environments make N calls per second. Instead every call first
reserves the next free slot of its (target, operation) in the snapshot table, one
conditional UpdateItem on `API#BUDGET` / `<account>#<region>#<operation>`:

- `nextAt` is the earliest moment the next call may start (epoch seconds);
- a caller takes the slot max(now, nextAt) by writing nextAt = slot + 1/rate under the
  condition that nextAt is still what it read (or already past); losing the race means
  another environment took that slot: read again and take the next one;
- then it sleeps until its slot. Calls of one (target, operation) are therefore at least
  1/rate apart whoever makes them; different operations and targets do not wait on each
  other. The item expires (TTL) a day after its last use.

Cost: one write per SMS API attempt (two when environments race), at most `rate` per
second per (target, operation). Clocks: Lambda hosts are NTP-synchronized (milliseconds);
a slot is a wall-clock moment, so a skew of d shortens one gap by at most d.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from typing import Any

from regwatch.errors import SnapshotConflict, SnapshotUnavailable
from regwatch_aws.table_calls import call_table

BUDGET_PARTITION = "API#BUDGET"
# Slots expire from the table a day after their last use.
TTL_SECONDS = 86400
# Environments racing for one operation's slots: each lost race means another one got a slot.
MAX_RACES = 50
# Slots are kept to the microsecond (DynamoDB numbers hold 38 digits), rounded up.
_MICROSECOND = Decimal("0.000001")


def _number(value: Decimal) -> dict[str, str]:
    return {"N": format(value, "f")}


class TableCallPacer:
    """`acquire(operation)` for one target: waits for the target's next slot of `operation`."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        target_label: str,
        rate: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._client = client
        self._table = table_name
        self._target = target_label.replace("/", "#")
        self._interval = (Decimal(1) / Decimal(str(rate))).quantize(_MICROSECOND, rounding=ROUND_CEILING)
        self._clock = clock
        self._sleep = sleep
        self._seen: dict[str, Decimal | None] = {}
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return float(1 / self._interval)

    def _key(self, operation: str) -> dict[str, Any]:
        return {"pk": {"S": BUDGET_PARTITION}, "sk": {"S": f"{self._target}#{operation}"}}

    def _read(self, operation: str) -> Decimal | None:
        item = call_table(
            self._client, self._table, "get_item", "", Key=self._key(operation), ConsistentRead=True
        ).get("Item")
        return None if item is None else Decimal(item["nextAt"]["N"])

    def _take(self, operation: str, seen: Decimal | None, now: Decimal) -> Decimal:
        """Take the slot after `seen` (or now); SnapshotConflict if another caller took it."""
        slot = now if seen is None or seen <= now else seen
        values: dict[str, Any] = {
            ":next": _number(slot + self._interval),
            ":ttl": _number(Decimal(int(now) + TTL_SECONDS)),
        }
        if seen is None:
            condition = "attribute_not_exists(nextAt) OR nextAt <= :now"
            values[":now"] = _number(now)
        else:
            condition = "nextAt = :seen"
            values[":seen"] = _number(seen)
        call_table(
            self._client,
            self._table,
            "update_item",
            "another environment took this slot",
            Key=self._key(operation),
            UpdateExpression="SET nextAt = :next, expiresAt = :ttl",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return slot

    def acquire(self, key: str) -> float:
        """Reserve the next slot of `key` (an operation) and sleep until it; seconds waited.

        SnapshotUnavailable if the table cannot be used: the call is not made (the scan
        stops cleanly and the next one resumes), rather than made outside the budget.
        """
        with self._lock:
            seen = self._seen.get(key)
            for _ in range(MAX_RACES):
                now = Decimal(repr(self._clock())).quantize(_MICROSECOND, rounding=ROUND_CEILING)
                try:
                    slot = self._take(key, seen, now)
                except SnapshotConflict:
                    seen = self._read(key)
                    continue
                self._seen[key] = slot + self._interval
                wait = float(slot - now)
                if wait > 0:
                    self._sleep(wait)
                return max(0.0, wait)
            raise SnapshotUnavailable(f"API budget of {self._target}#{key}: {MAX_RACES} races lost in a row")
