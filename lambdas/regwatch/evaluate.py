"""One evaluator run: every snapshot, every due reminder, published once.

Order per registration: publish the reminders not yet recorded, then record their ids in
the snapshot item with a write conditional on the item's revision. A crash between the
two publishes the same ids again next run (consumers deduplicate on eventId); a scan that
wrote the item meanwhile makes the record fail, and the registration is evaluated again
from the fresh item — if its status moved on, nothing more is sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from regwatch.errors import PublishFailed, SnapshotConflict
from regwatch.events import EventContext
from regwatch.ports import Publisher
from regwatch.reminder_events import build_reminder_entry
from regwatch.reminders import ReminderPolicy, due_reminders, relevant_sent
from regwatch.snapshot import RegionKey, RegistrationSnapshot


class ReminderStore(Protocol):
    """The snapshot table as the evaluator sees it."""

    def all_registrations(self) -> Iterable[tuple[RegionKey, RegistrationSnapshot]]: ...

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None: ...

    def record_reminders(self, key: RegionKey, snapshot: RegistrationSnapshot, sent: frozenset[str]) -> None:
        """Store `sent` as the registration's sent reminders if its revision is still
        `snapshot.revision` (bumping it); else SnapshotConflict."""
        ...


@dataclass
class EvaluationReport:
    registrations: int = 0
    reminders_published: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "registrations": self.registrations,
            "remindersPublished": dict(self.reminders_published),
            "alreadySent": self.already_sent,
            "conflicts": self.conflicts,
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class Evaluator:
    store: ReminderStore
    publisher: Publisher
    policy: ReminderPolicy
    clock: Callable[[], datetime]
    event_source: str
    event_bus_name: str
    max_conflict_retries: int = 3

    def run(self) -> EvaluationReport:
        report = EvaluationReport()
        for key, snapshot in self.store.all_registrations():
            report.registrations += 1
            self._evaluate(key, snapshot, report)
        return report

    def _evaluate(
        self, key: RegionKey, snapshot: RegistrationSnapshot | None, report: EvaluationReport
    ) -> None:
        context = EventContext(key.account_id, key.region, self.event_source, self.event_bus_name)
        for _ in range(self.max_conflict_retries + 1):
            if snapshot is None:
                return
            now = self.clock()
            due = due_reminders(key, snapshot, self.policy, now)
            due_ids = frozenset(r.reminder_id for r in due)
            new = [r for r in due if r.reminder_id not in snapshot.reminders_sent]
            report.already_sent += len(due) - len(new)
            keep = relevant_sent(snapshot, due_ids)
            if not new and keep == snapshot.reminders_sent:
                return
            if new:
                try:
                    self.publisher.publish([build_reminder_entry(r, context, now) for r in new])
                except PublishFailed as exc:
                    report.errors.append(f"{snapshot.registration_id}: publish: {exc}")
                    return  # not recorded: the next run publishes the same ids
            try:
                self.store.record_reminders(key, snapshot, keep | {r.reminder_id for r in new})
            except SnapshotConflict:
                report.conflicts += 1
                snapshot = self.store.load_registration(key, snapshot.registration_id)
                continue
            report.reminders_published.update(r.kind.value for r in new)
            return
        report.errors.append(f"{snapshot.registration_id if snapshot else '?'}: reminders kept conflicting")
