"""regwatch's ports in memory, on a simulated clock: what the paced benchmarks run the Scanner on.

At the deployed pace (0.8 call/s per operation of a 1 call/s quota) a first scan of 100,000
registrations takes tens of hours and a steady-state hour is an hour: neither can be waited
for, and compressing time would change what the pacing does. So the paced benchmarks
(benchmarks/first_scan.py, benchmarks/steady_state.py) run regwatch's real Scanner on these
ports instead: time is a `SimClock` that moves only when a call waits for its pacing slot
or takes `CALL_SECONDS`, the registry answers from a `Fleet` held in memory, the store keeps
snapshots with the DynamoDB adapter's revision rules, and the publisher records when each
event went out. DynamoDB, EventBridge and HTTP latency are not in the loop: they are small
next to the 1.25 s per call the quota imposes, and through moto these runs would take hours.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from regwatch.errors import RegistrationNotFound, SnapshotConflict
from regwatch.model import (
    AssociationListing,
    RegistrationFieldValue,
    RegistrationSummary,
    RegistrationVersion,
)
from regwatch.ports import RegistrationPage
from regwatch.ratelimit import CallPacer
from regwatch.scan import PAGE_SIZE
from regwatch.snapshot import PlanEntry, PlanningRead, RegionKey, RegistrationSnapshot, ScanState

ACCOUNT = "123456789012"
REGION = "us-east-1"
RATE = 0.8  # deployed apiCallsPerSecond, per operation
CALL_SECONDS = 0.1  # a round trip once the token is granted (benchmarks/pacing.py)
INVOCATION_SECONDS = 900.0  # the scanner's Lambda timeout
SCHEDULE_SECONDS = 300.0
START = datetime(2026, 1, 5, tzinfo=UTC)
HOUR = 3600.0


class SimClock:
    """Seconds since START that move only when something sleeps (a monotonic clock and `sleep`).

    `moment()` is the same instant as the aware datetime the Scanner's Clock port returns.
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def moment(self) -> datetime:
        return START + timedelta(seconds=self.now)


class Fleet:
    """The registrations of one account-region as the SMS API shows them, in listing order.

    Mutable: a benchmark that changes registrations over time replaces a summary with
    `update` (it keeps its place in the listing) and edits `versions` in place.
    """

    def __init__(
        self, summaries: Sequence[RegistrationSummary], versions: dict[str, list[RegistrationVersion]]
    ) -> None:
        self.summaries = list(summaries)
        self.position = {s.registration_id: i for i, s in enumerate(self.summaries)}
        self.versions = versions

    def summary(self, registration_id: str) -> RegistrationSummary | None:
        position = self.position.get(registration_id)
        return None if position is None else self.summaries[position]

    def update(self, summary: RegistrationSummary) -> None:
        self.summaries[self.position[summary.registration_id]] = summary

    def advance(self, now: float) -> None:
        """Bring the fleet to simulated time `now` before a call is answered (static: nothing)."""


class PacedRegistry:
    """The Registry and ProfileSource ports over a Fleet; every call is paced, then counted.

    Each call first waits for `pacer` (regwatch's RateLimiter, or the deployed shared-slot
    pacer over a `BudgetTable`) on `clock`, then costs CALL_SECONDS; `pacer` None: unpaced
    and free (a baseline built before the measured time). `before_call` runs before the pacing (a
    benchmark advancing its world, or running what else happens by then); `calls` may be
    shared between registries that stand for different Lambda invocations of one target.
    Names, field values and associations answer empty: what they cost is the call.
    """

    def __init__(
        self,
        fleet: Fleet,
        clock: SimClock,
        pacer: CallPacer | None,
        *,
        calls: Counter[str] | None = None,
        before_call: Callable[[], None] | None = None,
    ) -> None:
        self.fleet = fleet
        self.clock = clock
        self.pacer = pacer
        self.calls: Counter[str] = Counter() if calls is None else calls
        self.before_call = before_call

    def _call(self, operation: str) -> None:
        if self.before_call is not None:
            self.before_call()
        if self.pacer is not None:
            self.pacer.acquire(operation)
            self.clock.sleep(CALL_SECONDS)
        self.fleet.advance(self.clock.now)
        self.calls[operation] += 1

    def list_registrations(
        self, next_token: str | None, statuses: frozenset[str] | None = None
    ) -> RegistrationPage:
        """One page; with `statuses`, only registrations in one of them (DescribeRegistrations' filter)."""
        self._call("DescribeRegistrations")
        listed = self.fleet.summaries
        if statuses is not None:
            listed = [s for s in listed if s.registration_status in statuses]
        start = int(next_token or 0)
        end = start + PAGE_SIZE
        return RegistrationPage(tuple(listed[start:end]), str(end) if end < len(listed) else None)

    def describe_registrations(self, registration_ids: Sequence[str]) -> list[RegistrationSummary]:
        self._call("DescribeRegistrations")
        found = (self.fleet.summary(i) for i in registration_ids)
        return [s for s in found if s is not None]

    def list_versions(self, registration_id: str) -> list[RegistrationVersion]:
        self._call("DescribeRegistrationVersions")
        if registration_id not in self.fleet.versions:
            raise RegistrationNotFound(registration_id)
        return list(self.fleet.versions[registration_id])

    def field_values(self, registration_id: str, version_number: int) -> list[RegistrationFieldValue]:
        self._call("DescribeRegistrationFieldValues")
        return []

    def name_tag(self, registration_arn: str) -> str | None:
        self._call("ListTagsForResource")
        return None

    def associations(self, registration_id: str) -> AssociationListing:
        self._call("ListRegistrationAssociations")
        return AssociationListing((), 0)


class MemoryStore:
    """The SnapshotStore port in memory, with the DynamoDB adapter's revision and lease rules.

    One target only (the key is ignored). `on_full_read` hears of each registration's first
    full read (a benchmark timing the baseline).
    """

    def __init__(self, on_full_read: Callable[[str], None] = lambda _: None) -> None:
        self.items: dict[str, RegistrationSnapshot] = {}
        self.state = ScanState()
        self.lease: tuple[str, datetime] | None = None
        self.listed: dict[str, set[str]] = {}
        self.on_full_read = on_full_read

    def load_state(self, key: RegionKey) -> ScanState:
        return self.state

    def acquire_lease(self, key: RegionKey, owner: str, now: datetime, until: datetime) -> ScanState | None:
        if self.lease is not None and self.lease[1] > now and self.lease[0] != owner:
            return None
        self.lease = (owner, until)
        return self.state

    def release_lease(self, key: RegionKey, owner: str, state: ScanState) -> None:
        # As the adapter: the lease holder never writes `native_event_at` (rescans record it
        # while a scan holds the lease), so the stored one is kept.
        self.lease, self.state = None, replace(state, native_event_at=self.state.native_event_at)

    def record_native_event(self, key: RegionKey, at: datetime) -> None:
        """AWS's native event for the target arrived at `at` (never moves the time back)."""
        recorded = self.state.native_event_at
        if recorded is None or recorded < at:
            self.state = replace(self.state, native_event_at=at)

    def load_plan(self, key: RegionKey) -> PlanningRead:
        return PlanningRead({rid: PlanEntry.of(snapshot) for rid, snapshot in self.items.items()})

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None:
        return self.items.get(registration_id)

    def save_listed_ids(self, key: RegionKey, cycle_id: str, part: str, registration_ids: Set[str]) -> None:
        self.listed.setdefault(cycle_id, set()).update(registration_ids)

    def load_listed_ids(self, key: RegionKey, cycle_id: str) -> set[str]:
        return set(self.listed.get(cycle_id, ()))

    def save_registration(
        self, key: RegionKey, snapshot: RegistrationSnapshot, expected_revision: int | None
    ) -> None:
        stored = self.items.get(snapshot.registration_id)
        if (stored.revision if stored else None) != expected_revision:
            raise SnapshotConflict(snapshot.registration_id)
        self.items[snapshot.registration_id] = snapshot
        if snapshot.full_read_at is not None and (stored is None or stored.full_read_at is None):
            self.on_full_read(snapshot.registration_id)

    def deletions_confirmed(self, key: RegionKey, cycle_id: str) -> bool:
        return False


class BudgetTable:
    """The API-budget items of the snapshot table, in memory: DynamoDB's answers to the two
    requests regwatch_aws/api_budget.TableCallPacer makes.

    Deployed, a scheduled scan and native-event rescans of one target run in different
    Lambda execution environments and share each operation's budget through these items
    (docs/scanner.md, "One API budget per target"). A TableCallPacer per simulated
    invocation over one BudgetTable reproduces that: the real slot rule, races included.
    """

    def __init__(self) -> None:
        self.next_at: dict[str, Decimal] = {}

    def get_item(self, *, TableName: str, Key: Mapping[str, Any], ConsistentRead: bool) -> dict[str, Any]:
        value = self.next_at.get(str(Key["sk"]["S"]))
        return {} if value is None else {"Item": {"nextAt": {"N": format(value, "f")}}}

    def update_item(
        self,
        *,
        TableName: str,
        Key: Mapping[str, Any],
        UpdateExpression: str,
        ConditionExpression: str,
        ExpressionAttributeValues: Mapping[str, Any],
    ) -> dict[str, Any]:
        slot, values = str(Key["sk"]["S"]), ExpressionAttributeValues
        current = self.next_at.get(slot)
        if ":seen" in values:  # "nextAt = :seen"
            free = current == Decimal(values[":seen"]["N"])
        else:  # "attribute_not_exists(nextAt) OR nextAt <= :now"
            free = current is None or current <= Decimal(values[":now"]["N"])
        if not free:
            error = {"Error": {"Code": "ConditionalCheckFailedException", "Message": "condition failed"}}
            raise ClientError(error, "UpdateItem")  # type: ignore[arg-type]
        self.next_at[slot] = Decimal(values[":next"]["N"])
        return {}


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    """One event regwatch put on the bus, and when (seconds on the publishing clock)."""

    at: float
    registration_id: str
    version_number: int
    status: str


class RecordingPublisher:
    """The Publisher port: records every event and the first one per registration.

    Several publishers (one per simulated invocation, each on its own clock) may share
    `events`, so a benchmark sees every event of the target in one list.
    """

    def __init__(self, clock: SimClock, events: list[PublishedEvent] | None = None) -> None:
        self.clock = clock
        self.first_event_at: dict[str, float] = {}
        self.events: list[PublishedEvent] = [] if events is None else events

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        for entry in entries:
            detail = json.loads(str(entry["Detail"]))
            registration_id = str(detail["registrationId"])
            self.first_event_at.setdefault(registration_id, self.clock.now)
            self.events.append(
                PublishedEvent(
                    self.clock.now, registration_id, int(detail["versionNumber"]), str(detail["status"])
                )
            )
        return len(entries)
