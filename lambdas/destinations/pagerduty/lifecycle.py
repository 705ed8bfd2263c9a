"""Which incident an event concerns and what it does to it: pure decisions, no I/O.

One incident per registration: `dedup_key` = `regwatch/<account>/<region>/<registrationId>`,
so repeats, retries and later versions of one registration never open a second incident.
The state item remembers which version triggered it, so discarding an older version
cannot resolve an incident a newer version opened.

| event                                                    | action                                  |
|----------------------------------------------------------|-----------------------------------------|
| ACTION_REQUIRED status                                   | trigger (opens, or updates the open one)|
| APPROVED / COMPLETE (GOOD_NEWS), registration deleted    | resolve                                 |
| version DISCARDED                                        | resolve, if that version triggered it   |
| Registration Reminder                                    | trigger, unless already resolved        |
| any other status                                         | update (trigger) only an open incident  |
| Target Unhealthy / Target Recovered                      | trigger / resolve, one key per target   |

Out of order: every decision carries the event's time, and the state item keeps the newest
recorded action per key (delivery.py): a trigger older than a recorded resolve is not sent,
so a resolve that overtook its trigger leaves no open incident; a resolve older than a
recorded trigger is not sent either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

# ACTIVE: an RCS launch or Notify configuration (contract 1.2) went live.
RESOLVING_STATUSES = frozenset({"APPROVED", "COMPLETE", "DELETED", "ACTIVE"})
REMINDER = "Registration Reminder"
TARGET_UNHEALTHY = "Target Unhealthy"
TARGET_RECOVERED = "Target Recovered"
TARGET_DETAIL_TYPES = frozenset({TARGET_UNHEALTHY, TARGET_RECOVERED})


class Action(StrEnum):
    TRIGGER = "trigger"
    RESOLVE = "resolve"
    RESOLVE_IF_VERSION = "resolve-if-version"  # a discarded version closes only its own incident
    TRIGGER_UNLESS_RESOLVED = "trigger-unless-resolved"  # reminders never reopen
    UPDATE_IF_OPEN = "update-if-open"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    dedup_key: str
    event_time_ms: int
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The state item of a dedup_key: the last action sent and the time of its event."""

    action: str  # "trigger" | "resolve"
    event_time_ms: int
    version: int | None
    severity: str = ""  # of the open incident, after a trigger


def _epoch_ms(text: Any) -> int | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def registration_key(detail: Mapping[str, Any]) -> str:
    if detail.get("resourceId"):  # 1.2: one incident per RCS launch (agent, country) / Notify configuration
        country = f"/{detail['isoCountryCode']}" if detail.get("isoCountryCode") else ""
        return f"regwatch/{detail.get('accountId')}/{detail.get('region')}/{detail['resourceId']}{country}"
    return f"regwatch/{detail.get('accountId')}/{detail.get('region')}/{detail.get('registrationId')}"


def target_key(detail: Mapping[str, Any]) -> str:
    return f"regwatch-target/{detail.get('accountId')}/{detail.get('region')}"


def decide(detail_type: str, detail: Mapping[str, Any], event_time: str) -> Decision:
    """The action for one event; `event_time` is EventBridge's `time`, the last fallback."""
    observed = _epoch_ms(detail.get("observedAt")) or _epoch_ms(event_time) or 0
    if detail_type in TARGET_DETAIL_TYPES:
        action = Action.TRIGGER if detail_type == TARGET_UNHEALTHY else Action.RESOLVE
        return Decision(action, target_key(detail), observed)
    key = registration_key(detail)
    version = detail.get("versionNumber")
    version = version if isinstance(version, int) else None
    if detail_type == REMINDER:
        return Decision(Action.TRIGGER_UNLESS_RESOLVED, key, observed, version)
    when = _epoch_ms(detail.get("statusTimestamp")) or observed
    status = str(detail.get("status", ""))
    if detail.get("severity") == "ACTION_REQUIRED":
        return Decision(Action.TRIGGER, key, when, version)
    if status in RESOLVING_STATUSES or detail_type == "Registration Deleted":
        return Decision(Action.RESOLVE, key, when, version)
    if status == "DISCARDED":
        return Decision(Action.RESOLVE_IF_VERSION, key, when, version)
    return Decision(Action.UPDATE_IF_OPEN, key, when, version)


_TRIGGERING = frozenset({Action.TRIGGER, Action.TRIGGER_UNLESS_RESOLVED, Action.UPDATE_IF_OPEN})


def what_to_send(decision: Decision, recorded: Recorded | None) -> tuple[str | None, str, bool]:  # noqa: PLR0911
    """("trigger" | "resolve" | None, why, whether to record it) given what was recorded for the key.

    An event older than the recorded one never changes the incident's state: older than a
    resolve, nothing is sent (a late trigger must not reopen); older than a trigger, a trigger
    is still sent as an update (it carries details the newer one may lack, e.g. the denial
    reasons of a version next to its registration's REQUIRES_UPDATES) but not recorded.
    """
    if recorded is not None and recorded.event_time_ms > decision.event_time_ms:
        if recorded.action == "trigger" and decision.action in _TRIGGERING:
            return "trigger", "older update of the open incident", False
        return None, f"older than the recorded {recorded.action}", False
    match decision.action:
        case Action.TRIGGER:
            return "trigger", "action required", True
        case Action.RESOLVE:
            return "resolve", "good state reached", True
        case Action.RESOLVE_IF_VERSION:
            if recorded is not None and recorded.action == "trigger" and recorded.version != decision.version:
                return None, f"the open incident belongs to version {recorded.version}", False
            return "resolve", "the version was discarded", True
        case Action.TRIGGER_UNLESS_RESOLVED:
            if recorded is not None and recorded.action == "resolve":
                return None, "the incident is already resolved", False
            return "trigger", "reminder", True
        case Action.UPDATE_IF_OPEN:
            if recorded is not None and recorded.action == "trigger":
                return "trigger", "update of the open incident", True
            return None, "no open incident to update", False
