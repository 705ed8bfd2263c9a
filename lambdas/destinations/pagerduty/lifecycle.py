"""Which incident an event concerns and what it does to it: pure decisions, no I/O.

One incident per registration: `dedup_key` = `regwatch/<account>/<region>/<registrationId>`,
so repeats, retries and later versions of one registration never open a second incident.

The rule (docs/notifications.md, "Ordering"): the incident is open exactly when the newest
status PagerDuty has received for the registration needs a person (severity
ACTION_REQUIRED). "Newest" is the ordering key of regwatch/ordering.py: the status's own
time by AWS's clock (a reminder: the time of the status it reminds about), then the version
number, then the lifecycle rank. So:

| event                                              | action                                   |
|----------------------------------------------------|------------------------------------------|
| newest, needs a person (a reminder about one, too) | trigger (opens, or updates the open one) |
| newest, needs nobody, an incident is open          | resolve                                  |
| newest, needs nobody, no incident open             | nothing                                  |
| older than the newest recorded                     | nothing: it never changes the incident   |
| Target Unhealthy / Target Recovered                | trigger / resolve, one key per target    |

Target health events have no AWS time: they are ordered by `observedAt`.

A reminder is an event about its status like any other: about a review (nobody needs to
act) it never opens an incident, and one about a status an approval has since replaced
is older than the approval and does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from regwatch.ordering import OrderingKey, epoch_ms, needs_a_person, ordering_key, registration_key

TARGET_UNHEALTHY = "Target Unhealthy"
TARGET_RECOVERED = "Target Recovered"
TARGET_DETAIL_TYPES = frozenset({TARGET_UNHEALTHY, TARGET_RECOVERED})
# 1.2: the flood guard held a listing cycle's deletions. An incident of its own per target,
# resolved by the person who checked (nothing announces that the hold was settled).
TARGET_DELETIONS_HELD = "Target Deletions Held"


class Action(StrEnum):
    TRIGGER = "trigger"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the event asks for, before looking at what was recorded."""

    dedup_key: str
    order: OrderingKey
    status: str
    wants_open: bool  # the event's status needs a person


@dataclass(frozen=True, slots=True)
class Recorded:
    """The state item of a dedup_key: the newest event's key and what was sent for it."""

    open: bool  # an incident is open after that event
    event_id: str  # the event that wrote the record (a retry of it repeats its action)
    sent: str  # "trigger" | "resolve" | "none"
    severity: str = ""  # of the open incident

    @classmethod
    def of(cls, item: Mapping[str, Any] | None) -> Recorded | None:
        if item is None:
            return None
        action = str(item.get("action", "none"))
        is_open = item.get("open")
        return cls(
            bool(is_open) if is_open is not None else action == Action.TRIGGER,  # records before 1.2
            str(item.get("eventId", "")),
            action,
            str(item.get("severity", "")),
        )


def target_key(detail: Mapping[str, Any]) -> str:
    return f"regwatch-target/{detail.get('accountId')}/{detail.get('region')}"


def decide(detail_type: str, detail: Mapping[str, Any], event_time: str) -> Decision:
    """What one event asks for; `event_time` (EventBridge's `time`) orders target events without one."""
    if detail_type in TARGET_DETAIL_TYPES:
        observed = epoch_ms(detail.get("observedAt")) or epoch_ms(event_time) or 0
        unhealthy = detail_type == TARGET_UNHEALTHY
        return Decision(target_key(detail), OrderingKey(observed, 0, 0), detail_type, unhealthy)
    if detail_type == TARGET_DELETIONS_HELD:
        observed = epoch_ms(detail.get("observedAt")) or epoch_ms(event_time) or 0
        return Decision(
            f"{target_key(detail)}/deletions-held", OrderingKey(observed, 0, 0), detail_type, True
        )
    return Decision(
        f"regwatch/{registration_key(detail)}",
        ordering_key(detail_type, detail),
        str(detail.get("status", "")),
        needs_a_person(detail),
    )


def what_to_send(
    decision: Decision, event_id: str, newest: bool, recorded: Recorded | None, latest_status: str
) -> tuple[Action | None, str]:
    """(the action to send, or None; why), given whether the event is the newest and the record
    before it (`recorded`)."""
    if not newest:
        return None, f"older than the newest status received ({latest_status})"
    if decision.wants_open:
        return Action.TRIGGER, "the newest status needs a person"
    if recorded is not None and recorded.event_id == event_id and recorded.sent != "none":
        return Action(recorded.sent), "a retry of this event"  # its record replaced the one before
    if recorded is not None and recorded.open:
        return Action.RESOLVE, "the newest status needs nobody"
    return None, "the newest status needs nobody and no incident is open"
