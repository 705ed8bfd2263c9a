"""The organization's in-scope accounts as the last dispatch found them, in the snapshot table.

pk = "FLEET", sk = "ORGANIZATION": `active` and `inactive` string sets of account ids and
`savedAt`. The dispatcher writes it on every schedule of organization mode (one PutItem);
the scanner reads it to decide whether AWS's native event of a member account is regwatch's
to rescan (OU scope, includeAccounts, ACTIVE status), with no Organizations permissions of
its own. One item holds ~30,000 accounts (400 KB, 12-digit ids).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from regwatch.targets import Fleet
from regwatch_aws.table_calls import call_table

FLEET_KEY = {"pk": {"S": "FLEET"}, "sk": {"S": "ORGANIZATION"}}
# How long a scanner environment trusts the fleet it read: a burst of native events costs
# one read, and an account moved out of scope stops being rescanned within a minute of the
# dispatch that noticed it.
CACHE_SECONDS = 60.0


class FleetStore:
    def __init__(self, client: Any, table_name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self._table = table_name
        self._clock = clock
        self._cached: tuple[float, Fleet] | None = None
        self._lock = threading.Lock()

    def save(self, fleet: Fleet, now: datetime) -> None:
        item: dict[str, Any] = {**FLEET_KEY, "savedAt": {"S": now.astimezone(UTC).isoformat()}}
        # DynamoDB string sets cannot be empty: an absent set is an empty one.
        if fleet.active:
            item["active"] = {"SS": sorted(fleet.active)}
        if fleet.inactive:
            item["inactive"] = {"SS": sorted(fleet.inactive)}
        call_table(self.client, self._table, "put_item", "", Item=item)

    def load(self) -> Fleet | None:
        """The last saved fleet (cached CACHE_SECONDS); None before the first dispatch."""
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < CACHE_SECONDS:
                return self._cached[1]
            # An absent fleet is not cached: the first dispatch's is used at once.
            item = call_table(
                self.client, self._table, "get_item", "", Key=FLEET_KEY, ConsistentRead=True
            ).get("Item")
            fleet = None
            if item is not None:
                fleet = Fleet(
                    frozenset(item.get("active", {}).get("SS", [])),
                    frozenset(item.get("inactive", {}).get("SS", [])),
                )
            self._cached = None if fleet is None else (now, fleet)
            return fleet
