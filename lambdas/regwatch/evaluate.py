"""The evaluator's pass over the snapshot table: every due reminder published once, the digest once a day.

A pass may span several invocations (a time budget and a cursor, like the scanner's): each
invocation reads pages until the budget says stop, then stores where it stopped and the
partial digest (PassState); the next one resumes there. The digest due when a pass starts is
folded through the whole pass and published when it completes.

Order per registration: publish the reminders not yet recorded, then record their ids in
the snapshot item with a write conditional on the item's revision. A crash between the
two publishes the same ids again next run (consumers deduplicate on eventId); a scan that
wrote the item meanwhile makes the record fail, and the registration is evaluated again
from the fresh item — if its status moved on, nothing more is sent.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from regwatch.budget import TimeBudget
from regwatch.digest import MAX_LINES_IN_EVENT, DigestBuilder, DigestSchedule, digest_detail
from regwatch.digest_state import digest_from_state, digest_to_state
from regwatch.errors import PublishFailed, SnapshotConflict
from regwatch.events import MAX_ENTRY_BYTES, SCHEMA_VERSION, EventContext
from regwatch.ports import Publisher
from regwatch.reminder_events import build_reminder_entry
from regwatch.reminders import ReminderPolicy, due_reminders, relevant_sent
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState

DIGEST_DETAIL_TYPE = "Registration Digest"


def _digest_record_key(day: date, timezone: str) -> str:
    """The item that records a local day's digest as sent (per timezone)."""
    return f"{day.isoformat()}#{timezone}"


@dataclass(frozen=True, slots=True)
class TablePage:
    """One page of the snapshot table as the evaluator reads it (live registrations and the
    targets' scan states), and where the next page starts (None: the pass is complete)."""

    registrations: list[tuple[RegionKey, RegistrationSnapshot]]
    states: list[tuple[RegionKey, ScanState]]
    next_start: str | None
    read_units: float = 0.0


@dataclass(frozen=True, slots=True)
class PassState:
    """Where the evaluator's pass over the table stands (one item; regwatch_aws/reminder_store.py).

    A pass reads the whole table once, over as many invocations as its size needs; `cursor`
    is the page the next invocation starts from (None: no pass under way). `digest` is the
    partial digest the pass carries (digest_state.py), or None.
    """

    cursor: str | None = None
    started_at: datetime | None = None
    digest: dict[str, Any] | None = None
    revision: int = 0
    invocations: int = 0  # of the pass under way, this one not counted
    last_completed_at: datetime | None = None


class ReminderStore(Protocol):
    """The snapshot table as the evaluator sees it."""

    def page(self, start: str | None) -> TablePage: ...

    def load_registration(self, key: RegionKey, registration_id: str) -> RegistrationSnapshot | None: ...

    def record_reminders(self, key: RegionKey, snapshot: RegistrationSnapshot, sent: frozenset[str]) -> None:
        """Store `sent` as the registration's sent reminders if its revision is still
        `snapshot.revision` (bumping it); else SnapshotConflict."""
        ...

    def load_pass(self) -> PassState: ...

    def save_pass(self, state: PassState) -> None:
        """Write if the stored revision is `state.revision - 1` (none stored: 0); else SnapshotConflict."""
        ...

    def digest_recorded(self, record_key: str) -> bool: ...

    def record_digest(self, record_key: str, event_id: str, now: datetime) -> None:
        """Create the day's digest record; SnapshotConflict if it exists already."""
        ...


@dataclass
class EvaluationReport:
    registrations: int = 0
    reminders_published: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    digest: str | None = None  # the day whose digest this run published
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    complete: bool = False  # this invocation finished the pass
    resumed: bool = False  # it continued a pass an earlier invocation began
    pages: int = 0
    read_units: float = 0.0
    stop_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "registrations": self.registrations,
            "remindersPublished": dict(self.reminders_published),
            "alreadySent": self.already_sent,
            "digest": self.digest,
            "conflicts": self.conflicts,
            "errors": list(self.errors),
            "complete": self.complete,
            "resumed": self.resumed,
            "pages": self.pages,
            "readUnits": self.read_units,
            "stopReason": self.stop_reason,
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
    digest_schedule: DigestSchedule | None = None

    def run(self, budget: TimeBudget | None = None) -> EvaluationReport:
        """Carry the pass on for as long as the budget allows (at least one page).

        A pass cut by the budget stores its cursor and partial digest; the next invocation
        resumes there, so every registration is read once per pass and the digest, published
        when the pass completes, covers the whole table exactly once.
        """
        budget = budget or TimeBudget.unlimited()
        report = EvaluationReport()
        state = self.store.load_pass()
        report.resumed = state.cursor is not None
        if state.cursor is not None:
            started_at, cursor = state.started_at or self.clock(), state.cursor
            digest = (
                DigestBuilder.resume(self.policy, digest_from_state(state.digest)) if state.digest else None
            )
        else:
            started_at, cursor, digest = self.clock(), None, self._digest_due()
        page_seconds = 0.0
        while True:
            if report.pages and budget.usable_seconds() < page_seconds:
                report.stop_reason = "time budget"
                break
            before = budget.remaining()
            page = self.store.page(cursor)
            self._fold(page, digest, report)
            cursor = page.next_start
            page_seconds = max(page_seconds, before - budget.remaining())
            if cursor is None:
                report.complete = True
                break
        if report.complete and digest is not None:
            self._publish_digest(digest, report)
        self._save(state, report, cursor, started_at, digest)
        return report

    def _fold(self, page: TablePage, digest: DigestBuilder | None, report: EvaluationReport) -> None:
        report.pages += 1
        report.read_units += page.read_units
        for key, scan_state in page.states:
            if digest is not None:
                digest.add_state(key, scan_state)
        for key, snapshot in page.registrations:
            report.registrations += 1
            if digest is not None:
                digest.add(key, snapshot)
            self._evaluate(key, snapshot, report)

    def _save(
        self,
        state: PassState,
        report: EvaluationReport,
        cursor: str | None,
        started_at: datetime,
        digest: DigestBuilder | None,
    ) -> None:
        if report.complete:
            new = PassState(revision=state.revision + 1, last_completed_at=self.clock())
        else:
            partial = None
            if digest is not None:
                digest.digest.trim(MAX_LINES_IN_EVENT)
                partial = digest_to_state(digest.digest)
            new = PassState(
                cursor=cursor,
                started_at=started_at,
                digest=partial,
                revision=state.revision + 1,
                invocations=state.invocations + 1,
                last_completed_at=state.last_completed_at,
            )
        try:
            self.store.save_pass(new)
        except SnapshotConflict:
            # Another invocation moved the pass on meanwhile: its state wins; what this one
            # published carries deterministic ids (reminders recorded, digest recorded).
            report.errors.append("pass state changed meanwhile: another evaluator invocation")

    def _digest_due(self) -> DigestBuilder | None:
        """Today's digest if it is due and not yet recorded; it is filled in the same pass."""
        schedule = self.digest_schedule
        if schedule is None:
            return None
        now = self.clock()
        day = schedule.due_day(now)
        if day is None or self.store.digest_recorded(_digest_record_key(day, schedule.timezone.key)):
            return None
        return DigestBuilder(self.policy, day, schedule.timezone.key, now)

    def _publish_digest(self, builder: DigestBuilder, report: EvaluationReport) -> None:
        """Publish the day's digest (deterministic id), then record the day."""
        digest = builder.finish()
        if self.store.digest_recorded(_digest_record_key(digest.day, digest.timezone)):
            return  # a pass that began before another one published it
        detail = digest_detail(digest, SCHEMA_VERSION)
        entry = {
            "Source": self.event_source,
            "DetailType": DIGEST_DETAIL_TYPE,
            "Detail": fit_detail_digest(detail, self.event_source),
            "Time": digest.generated_at,
            "Resources": [],
            "EventBusName": self.event_bus_name,
        }
        try:
            self.publisher.publish([entry])
        except PublishFailed as exc:
            report.errors.append(f"digest {digest.day}: publish: {exc}")
            return
        # A conflict: another run recorded the day; it published the same id, consumers drop one.
        with contextlib.suppress(SnapshotConflict):
            self.store.record_digest(
                _digest_record_key(digest.day, digest.timezone), digest.event_id, digest.generated_at
            )
        report.digest = digest.day.isoformat()

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


def fit_detail_digest(detail: dict[str, Any], source: str) -> str:
    """The digest within EventBridge's entry limit: drop lines from the longest section first
    (each section keeps its `total`, so renderers still say "and N more")."""
    budget = MAX_ENTRY_BYTES - 8 * 1024
    while True:
        text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode("utf-8")) + len(source) + len(DIGEST_DETAIL_TYPE) <= budget:
            return text
        sections = [
            detail[name] for name in ("changes", "overdueReviews", "needsHuman") if detail[name]["items"]
        ]
        if not sections:
            return text
        max(sections, key=lambda section: len(section["items"]))["items"].pop()
