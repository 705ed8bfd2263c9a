"""Which of two events about one registration is the newer: the ordering rule of every destination.

EventBridge delivers at least once and in no guaranteed order; a DLQ redrive or `regwatch
replay` delivers old events later still. A destination's visible state (a PagerDuty
incident, a Slack thread's parent, the last message of a stream) follows only events that
are not older than the newest one it has shown (docs/notifications.md, "Ordering").

The key of an event, compared as a tuple:
1. `time`: when the reported status began, by AWS's clock where AWS gives one
   (`detail.statusSince`, contract 1.2; derived from 1.1 fields when absent). A reminder
   carries the time of the status it reminds about, never the evaluator's clock: a reminder
   sent at 10:02 about a review that AWS ended at 10:00 is older than the approval.
2. `version`: at the same second, a newer version's status is the newer news (AWS stamps
   whole seconds; a new version is created after the one it replaces).
3. `rank`: at the same second of one version, the status further along the lifecycle is the
   newer one (a version moves forward: REVIEWING, then APPROVED; statuses AWS adds later
   rank after the known ones, as in the diff).
Equal keys are the same status (a retry, a replay, a reminder about the status shown):
they count as current, so a reminder may refresh what its status already shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from regwatch.events import REMINDER_DETAIL_TYPE
from regwatch.model import KNOWN_VERSION_STATUSES, history_key_for_status
from regwatch.severity import Severity

_VERSION_RANK = {status: rank for rank, status in enumerate(KNOWN_VERSION_STATUSES)}
# Registration-level statuses rank with the version status AWS derives them from.
_REGISTRATION_EQUIVALENT = {
    "CREATED": "DRAFT",
    "PROVISIONING": "APPROVED",
    "COMPLETE": "APPROVED",
    "REQUIRES_UPDATES": "DENIED",
    "CLOSED": "ARCHIVED",
}
_UNKNOWN_RANK = len(_VERSION_RANK)
_DELETED_RANK = _UNKNOWN_RANK + 1  # nothing follows a deletion
# Packing the key into one number: DynamoDB compares it in a condition expression.
_VERSION_SLOTS = 100_000
_RANK_SLOTS = 100


class OrderingKey(NamedTuple):
    time_ms: int
    version: int
    rank: int

    def packed(self) -> int:
        """One integer ordered like the tuple (versions below 100,000, as AWS numbers them)."""
        version = min(max(self.version, 0), _VERSION_SLOTS - 1)
        return (self.time_ms * _VERSION_SLOTS + version) * _RANK_SLOTS + min(self.rank, _RANK_SLOTS - 1)


def status_rank(status: str) -> int:
    if status == "DELETED":
        return _DELETED_RANK
    return _VERSION_RANK.get(_REGISTRATION_EQUIVALENT.get(status, status), _UNKNOWN_RANK)


def epoch_ms(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if not isinstance(value, str) or not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _derived_time_ms(detail_type: str, detail: Mapping[str, Any]) -> int:
    """The key's time for a 1.1 event without `statusSince` (the same rule from older fields)."""
    history = detail.get("statusHistory")
    stamps = {k: v for k, v in (history or {}).items() if epoch_ms(v) is not None}
    status = str(detail.get("status", ""))
    if detail_type == REMINDER_DETAIL_TYPE and stamps:
        own = stamps.get(history_key_for_status(status))
        own_ms = epoch_ms(own)
        return own_ms if own_ms is not None else max(epoch_ms(v) or 0 for v in stamps.values())
    timed = epoch_ms(detail.get("statusTimestamp"))
    if timed is not None:
        return timed
    if detail.get("scope") == "VERSION" and stamps:
        return max(epoch_ms(v) or 0 for v in stamps.values())
    return epoch_ms(detail.get("observedAt")) or 0


def ordering_key(detail_type: str, detail: Mapping[str, Any]) -> OrderingKey:
    """The ordering key of one registration event (any scope, reminders included)."""
    time_ms = epoch_ms(detail.get("statusSince"))
    if time_ms is None:
        time_ms = _derived_time_ms(detail_type, detail)
    version = detail.get("versionNumber")
    status = str(detail.get("status", ""))
    return OrderingKey(time_ms, version if isinstance(version, int) else 0, status_rank(status))


def registration_key(detail: Mapping[str, Any]) -> str:
    """Which registration an event is about: the unit every destination orders within.
    1.2's RCS launches (agent, country) and Notify configurations are units of their own."""
    if detail.get("resourceId"):
        country = f"/{detail['isoCountryCode']}" if detail.get("isoCountryCode") else ""
        return f"{detail.get('accountId')}/{detail.get('region')}/{detail['resourceId']}{country}"
    return f"{detail.get('accountId')}/{detail.get('region')}/{detail.get('registrationId')}"


def needs_a_person(detail: Mapping[str, Any]) -> bool:
    """Whether the event's status calls for someone to act (PagerDuty keeps an incident open)."""
    return detail.get("severity") == Severity.ACTION_REQUIRED.value
