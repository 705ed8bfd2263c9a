"""Contract 1.1 "Registration Reminder" events (docs/events.md, Changes in 1.1).

A reminder carries every field of a version event about the version it is for (so rules,
routing and notifiers treat it like one: its `status` is the version's current status)
plus `detail.reminder`; its `eventId` is the reminder's own deterministic id. Its
`statusSince` (1.2) is when the version entered the status it reminds about, so
destinations order it with that status's own event, never by the evaluator's clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from regwatch.events import (
    REMINDER_DETAIL_TYPE,
    EventContext,
    build_detail,
    fit_detail,
    iso_utc,
    status_since,
)
from regwatch.model import RegistrationVersion, Scope, Transition
from regwatch.reminders import Reminder

__all__ = ["REMINDER_DETAIL_TYPE", "build_reminder_entry", "reminder_detail"]


def reminder_detail(reminder: Reminder) -> dict[str, Any]:
    return {
        "kind": reminder.kind.value,
        "deadline": iso_utc(reminder.deadline),
        "thresholdAt": iso_utc(reminder.threshold_at),
        "since": iso_utc(reminder.since),
        "estimated": reminder.estimated,
        "basis": reminder.basis,
    }


def build_reminder_entry(reminder: Reminder, context: EventContext, now: datetime) -> dict[str, Any]:
    snapshot = reminder.snapshot
    version = reminder.version
    transition = Transition(
        scope=Scope.VERSION,
        registration=snapshot.summary(),
        status=version.status,
        previous_status=None,
        status_timestamp=reminder.since,
        observed_at=now,
        version=RegistrationVersion(
            version_number=version.version_number,
            status=version.status,
            status_history=version.status_history,
        ),
        profile=snapshot.profile,
    )
    detail = build_detail(transition, context)
    detail["eventId"] = reminder.reminder_id
    detail["reminder"] = reminder_detail(reminder)
    detail["statusSince"] = iso_utc(status_since(version.status, version.status_history) or reminder.since)
    resources = [snapshot.registration_arn]
    return {
        "Source": context.source,
        "DetailType": REMINDER_DETAIL_TYPE,
        "Detail": fit_detail(detail, context.source, REMINDER_DETAIL_TYPE, resources),
        "Time": reminder.threshold_at if reminder.threshold_at <= now else now,
        "Resources": resources,
        "EventBusName": context.event_bus_name,
    }
