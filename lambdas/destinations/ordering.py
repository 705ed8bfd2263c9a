"""The ordering rule applied by every destination: per registration, the newest status shown.

Each destination keeps, per registration, the ordering key (regwatch/ordering.py) and status
of the newest event it has shown, in the delivery-state items of the idempotency table. An
event whose key is older than that record is older news: it never changes what the
destination shows (docs/notifications.md, "Ordering"):

- message streams (Slack webhook, Teams, SNS) cannot edit a message: the older event is not
  posted, with a log line and the `OlderEventsSkipped` metric, so the last message always
  names the newest status (`newest_only`);
- PagerDuty decides the incident from the newest status only (pagerduty/lifecycle.py);
- Slack thread mode posts the older event as a reply marked "earlier update" and leaves the
  parent as it is (slack/threads.py).

The record is written before the destination is called, with a condition (`orderKey <=`
this event's), so concurrent deliveries agree on the newest. A failed send keeps the record:
the retry of the same event has the same key and counts as current again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from destinations.contract import Send
from regwatch.event_models import Notification, RegwatchEvent
from regwatch.model import Scope
from regwatch.ordering import OrderingKey, ordering_key, registration_key
from regwatch_aws.delivery_state import DeliveryStateStore, StateConflict

NAMESPACE = "latest-status"
ORDER_ATTRIBUTE = "orderKey"
STATUS_ATTRIBUTE = "status"
# What a skipped delivery returns (notifier/flow.py logs and counts it).
SUPERSEDED = "superseded"
_KEEP_OUT = frozenset({"expiration"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an event is the newest shown for its registration, and what was recorded before it."""

    newest: bool
    latest_status: str  # the status the destination shows after this event
    previous: Mapping[str, Any] | None  # the record before this event (None: the first event)


def is_older(order: OrderingKey, recorded: Mapping[str, Any] | None) -> bool:
    if recorded is None or recorded.get(ORDER_ATTRIBUTE) is None:
        return False
    return int(recorded[ORDER_ATTRIBUTE]) > order.packed()


class LatestStatus:
    """The newest status a destination has shown per key (registration, or thread)."""

    def __init__(self, state: DeliveryStateStore) -> None:
        self._state = state

    def read(self, key: str) -> dict[str, Any] | None:
        return self._state.get(key)

    def record(
        self,
        key: str,
        order: OrderingKey,
        status: str,
        attributes: Mapping[str, Any],
        previous: Mapping[str, Any] | None,
    ) -> bool:
        """Write the record, keeping `previous`'s other attributes, unless a newer one exists
        (False: a newer one won concurrently)."""
        kept = {k: v for k, v in (previous or {}).items() if k not in _KEEP_OUT}
        item = {**kept, **attributes, ORDER_ATTRIBUTE: order.packed(), STATUS_ATTRIBUTE: status}
        try:
            self._state.put(
                key,
                item,
                condition=f"attribute_not_exists(id) OR attribute_not_exists({ORDER_ATTRIBUTE}) "
                f"OR {ORDER_ATTRIBUTE} <= :k",
                values={":k": order.packed()},
            )
        except StateConflict:
            return False
        return True

    def advance(
        self, key: str, order: OrderingKey, status: str, attributes: Mapping[str, Any] | None = None
    ) -> Verdict:
        """Record `status` as the newest for `key` unless a newer one is recorded."""
        previous = self.read(key)
        if is_older(order, previous):
            return Verdict(False, str(previous.get(STATUS_ATTRIBUTE, "")) if previous else "", previous)
        if self.record(key, order, status, attributes or {}, previous):
            return Verdict(True, status, previous)
        newer = self.read(key) or {}
        return Verdict(False, str(newer.get(STATUS_ATTRIBUTE, "")), newer)


def superseded(verdict: Verdict, status: str) -> dict[str, Any]:
    """The log fields of an event not shown because a newer status was."""
    return {"result": SUPERSEDED, "status": status, "latestStatus": verdict.latest_status}


def latest_status_store(dynamodb_client: Any, table_name: str, destination: str) -> LatestStatus:
    return LatestStatus(
        DeliveryStateStore(dynamodb_client, table_name, f"{NAMESPACE}/{destination}", destination)
    )


def newest_only(send: Send, latest: LatestStatus) -> Send:
    """`send` for a message stream: an event older than the newest one shown is not posted."""

    def gated(event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if not isinstance(notification, RegwatchEvent) or notification.detail.scope == Scope.TARGET:
            # The digest, target health and held deletions: no registration to order.
            return send(event, notification)
        detail = event["detail"]
        order = ordering_key(str(event.get("detail-type", "")), detail)
        status = notification.detail.status
        verdict = latest.advance(registration_key(detail), order, status)
        if not verdict.newest:
            return superseded(verdict, status)
        return send(event, notification)

    return gated
