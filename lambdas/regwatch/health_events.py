"""Target-level events as EventBridge entries: health (contract 1.1), held deletions (1.2).

The producer side of docs/events.md ("Changes in 1.1: target health"). The detail
carries `status` (TARGET_UNHEALTHY / TARGET_RECOVERED) and `severity` like every other
regwatch event, so the destinations' status-based routing sends them where
ACTION_REQUIRED and GOOD_NEWS go. Event ids are deterministic: the same episode of the
same target always yields the same two ids, so a retried publish is dropped by consumers.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from regwatch.events import SCHEMA_VERSION, EventContext, iso_utc
from regwatch.health import HealthChange, HealthTransition
from regwatch.model import Scope
from regwatch.severity import severity_of
from regwatch.snapshot import HeldDeletions

TARGET_UNHEALTHY_DETAIL_TYPE = "Target Unhealthy"
TARGET_RECOVERED_DETAIL_TYPE = "Target Recovered"
TARGET_HEALTH_DETAIL_TYPES = (TARGET_UNHEALTHY_DETAIL_TYPE, TARGET_RECOVERED_DETAIL_TYPE)
# Contract 1.2: the flood guard held a listing cycle's deletions (regwatch/deletions.py).
TARGET_DELETIONS_HELD_DETAIL_TYPE = "Target Deletions Held"
TARGET_DELETIONS_HELD = "TARGET_DELETIONS_HELD"
DELETIONS_HELD_REASON = "DELETION_FLOOD"
TARGET_SCOPE = Scope.TARGET.value
STATUS_OF_CHANGE = {HealthChange.UNHEALTHY: "TARGET_UNHEALTHY", HealthChange.RECOVERED: "TARGET_RECOVERED"}
_DETAIL_TYPE_OF_CHANGE = {
    HealthChange.UNHEALTHY: TARGET_UNHEALTHY_DETAIL_TYPE,
    HealthChange.RECOVERED: TARGET_RECOVERED_DETAIL_TYPE,
}
_NAMESPACE = uuid.UUID("0b6a8d2e-6c1f-5e4b-8f3d-2a9c7e1b4d55")


def health_event_id(account_id: str, region: str, change: HealthChange, transition: HealthTransition) -> str:
    parts = ["regwatch/target-health/v1", account_id, region, change.value, iso_utc(transition.since)]
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def build_health_detail(transition: HealthTransition, context: EventContext) -> dict[str, Any]:
    status = STATUS_OF_CHANGE[transition.change]
    return {
        "schemaVersion": SCHEMA_VERSION,
        "eventId": health_event_id(context.account_id, context.region, transition.change, transition),
        "scope": TARGET_SCOPE,
        "severity": severity_of(status).value,
        "status": status,
        "accountId": context.account_id,
        "region": context.region,
        "reason": transition.reason,
        "errorCode": transition.error_code,
        "message": transition.message,
        "since": iso_utc(transition.since),
        "observedAt": iso_utc(transition.observed_at),
        "consecutiveFailures": transition.consecutive_failures,
    }


def build_health_entry(transition: HealthTransition, context: EventContext) -> dict[str, Any]:
    """A PutEvents entry (boto3 request shape) for one health change of one target."""
    return {
        "Source": context.source,
        "DetailType": _DETAIL_TYPE_OF_CHANGE[transition.change],
        "Detail": json.dumps(build_health_detail(transition, context), separators=(",", ":")),
        "Time": transition.observed_at,
        "Resources": [],
        "EventBusName": context.event_bus_name,
    }


def deletions_held_event_id(account_id: str, region: str, cycle_id: str) -> str:
    """One id per holding listing cycle: a scan that re-decides the same cycle re-publishes it."""
    parts = ["regwatch/deletions-held/v1", account_id, region, cycle_id]
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def build_deletions_held_entry(held: HeldDeletions, context: EventContext) -> dict[str, Any]:
    """A PutEvents entry saying one listing cycle's deletions are held (docs/events.md, 1.2)."""
    detail = {
        "schemaVersion": SCHEMA_VERSION,
        "eventId": deletions_held_event_id(context.account_id, context.region, held.cycle_id),
        "scope": TARGET_SCOPE,
        "severity": severity_of(TARGET_DELETIONS_HELD).value,
        "status": TARGET_DELETIONS_HELD,
        "accountId": context.account_id,
        "region": context.region,
        "reason": DELETIONS_HELD_REASON,
        "message": (
            f"{held.count} of {held.known} registrations were missing from one complete listing; "
            "their deletions are held until the next complete listing confirms them"
        ),
        "since": iso_utc(held.held_at),
        "observedAt": iso_utc(held.held_at),
        "heldDeletions": held.count,
        "registrationsKnown": held.known,
    }
    return {
        "Source": context.source,
        "DetailType": TARGET_DELETIONS_HELD_DETAIL_TYPE,
        "Detail": json.dumps(detail, separators=(",", ":")),
        "Time": held.held_at,
        "Resources": [],
        "EventBusName": context.event_bus_name,
    }
