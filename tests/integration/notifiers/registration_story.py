"""One 10DLC brand registration's life as the notifiers receive it, built by regwatch's own producers.

The scanner's events (`regwatch.events.build_entry`) for each status AWS stamped, one
registration-level alert (PROVISIONING -> COMPLETE has no version transition behind it), and
the evaluator's reminders (`regwatch.reminder_events.build_reminder_entry`) as it sends them:
from the snapshot of the last scan, two minutes after AWS already moved on (the evaluator
runs before the scanner has seen the change). So every reminder is about a status that was
already replaced when it was sent: exactly the events the ordering rule has to keep in place.

APPROVED is at 10:00 (`APPROVED_AT`): the evaluator's review-overdue reminder of 10:02 is the
story of issue 20.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from regwatch.events import build_entry
from regwatch.model import (
    RegistrationChange,
    RegistrationSummary,
    RegistrationVersion,
    Scope,
    Transition,
    history_key_for_status,
)
from regwatch.reminder_events import build_reminder_entry
from regwatch.reminders import ReminderPolicy, due_reminders
from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot
from tests.golden.sample_events import ACCOUNT_ID, CONTEXT, REGION, as_delivered

APPROVED_AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
REGISTRATION_ID = "registration-5t0ry0rd3r1n"
REGISTRATION_TYPE = "US_TEN_DLC_BRAND_REGISTRATION"
STALE_BY = timedelta(minutes=2)  # the evaluator runs this long after AWS changed, before the scan
# Statuses the oracle says need a person (independent of regwatch.severity on purpose).
NEEDS_A_PERSON = frozenset({"REQUIRES_AUTHENTICATION", "DENIED", "REVOKED", "REQUIRES_UPDATES"})


@dataclass(frozen=True)
class Step:
    version: int
    status: str
    at: datetime
    registration_status: str


# In AWS's order. Version 2 replaces the denied version 1.
STEPS: tuple[Step, ...] = (
    Step(1, "DRAFT", APPROVED_AT - timedelta(days=20), "CREATED"),
    Step(1, "SUBMITTED", APPROVED_AT - timedelta(days=19), "SUBMITTED"),
    Step(1, "REQUIRES_AUTHENTICATION", APPROVED_AT - timedelta(days=19, hours=-1), "REQUIRES_AUTHENTICATION"),
    Step(1, "REVIEWING", APPROVED_AT - timedelta(days=12), "REVIEWING"),
    Step(1, "DENIED", APPROVED_AT - timedelta(days=9), "REQUIRES_UPDATES"),
    Step(2, "DRAFT", APPROVED_AT - timedelta(days=8), "REQUIRES_UPDATES"),
    Step(2, "SUBMITTED", APPROVED_AT - timedelta(days=7), "REVIEWING"),
    Step(2, "REVIEWING", APPROVED_AT - timedelta(days=7, hours=-1), "REVIEWING"),
    Step(2, "APPROVED", APPROVED_AT, "PROVISIONING"),
)
COMPLETE_OBSERVED_AT = APPROVED_AT + timedelta(hours=3)


@dataclass(frozen=True)
class StoryEvent:
    """A delivered event and what it is: the step it reports or reminds about (its index)."""

    event: dict[str, Any]
    step: int  # index into STEPS, or len(STEPS) for the registration-level COMPLETE
    reminder: bool

    @property
    def status(self) -> str:
        return str(self.event["detail"]["status"])


def _histories(upto: int) -> dict[int, dict[str, datetime]]:
    histories: dict[int, dict[str, datetime]] = {}
    for step in STEPS[: upto + 1]:
        histories.setdefault(step.version, {})[history_key_for_status(step.status)] = step.at
    return histories


def _summary(upto: int) -> RegistrationSummary:
    step = STEPS[upto]
    return RegistrationSummary(
        registration_id=REGISTRATION_ID,
        registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:registration/{REGISTRATION_ID}",
        registration_type=REGISTRATION_TYPE,
        registration_status=step.registration_status,
        current_version_number=step.version,
    )


def _version_event(index: int) -> dict[str, Any]:
    step = STEPS[index]
    previous = next((s.status for s in reversed(STEPS[:index]) if s.version == step.version), None)
    transition = Transition(
        scope=Scope.VERSION,
        registration=_summary(index),
        status=step.status,
        previous_status=previous,
        status_timestamp=step.at,
        observed_at=step.at + timedelta(minutes=7),
        version=RegistrationVersion(step.version, step.status, _histories(index)[step.version]),
    )
    return as_delivered(build_entry(transition, CONTEXT))


def _complete_event() -> dict[str, Any]:
    transition = Transition(
        scope=Scope.REGISTRATION,
        registration=replace(_summary(len(STEPS) - 1), registration_status="COMPLETE"),
        status="COMPLETE",
        previous_status="PROVISIONING",
        status_timestamp=None,
        observed_at=COMPLETE_OBSERVED_AT,
        registration_change=RegistrationChange.STATUS_CHANGED,
        dedup_key="after-PROVISIONING",
    )
    return as_delivered(build_entry(transition, CONTEXT))


def _snapshot(upto: int) -> RegistrationSnapshot:
    histories = _histories(upto)
    latest = {s.version: s.status for s in STEPS[: upto + 1]}
    summary = _summary(upto)
    return RegistrationSnapshot(
        registration_id=REGISTRATION_ID,
        registration_arn=summary.registration_arn,
        registration_type=REGISTRATION_TYPE,
        registration_status=summary.registration_status,
        current_version_number=summary.current_version_number,
        approved_version_number=None,
        latest_denied_version_number=1 if upto >= 4 else None,
        versions={v: VersionSnapshot(v, latest[v], histories[v]) for v in histories},
        full_read_at=STEPS[upto].at,
    )


def _reminders(index: int, *, stale: bool) -> list[dict[str, Any]]:
    """The reminders the evaluator sends from the snapshot of step `index` about that step's status:
    `stale`, two minutes after AWS moved on (the scanner has not seen it yet); otherwise an hour
    before the next step, while the status is still current."""
    if index + 1 >= len(STEPS):
        return []
    next_at = STEPS[index + 1].at
    now = next_at + STALE_BY if stale else next_at - timedelta(hours=1)
    due = due_reminders(RegionKey(ACCOUNT_ID, REGION), _snapshot(index), ReminderPolicy(), now)
    return [
        as_delivered(build_reminder_entry(r, CONTEXT, now))
        for r in due
        if r.version.version_number == STEPS[index].version and r.version.status == STEPS[index].status
    ]


def story(upto: int | None = None) -> list[StoryEvent]:
    """The events of steps 0..`upto` (all steps and the registration's COMPLETE by default)."""
    last = len(STEPS) - 1 if upto is None else upto
    events: list[StoryEvent] = []
    for index in range(last + 1):
        events.append(StoryEvent(_version_event(index), index, reminder=False))
        # A step AWS has moved past gets the evaluator's stale reminders; the last step of the
        # story, still current, gets the ones due while it is.
        reminders = _reminders(index, stale=index < last)
        events += [StoryEvent(e, index, reminder=True) for e in reminders]
    if upto is None:
        events.append(StoryEvent(_complete_event(), len(STEPS), reminder=False))
    return events
