"""The daily digest: when it is due, and what it says. Pure; works from the snapshot.

Due once per local day at the configured local time in an IANA timezone (zoneinfo does
the daylight-saving arithmetic: 08:00 Europe/Berlin is 07:00 UTC in winter and 06:00 UTC
in summer). The evaluator runs on its own schedule and sends today's digest on the first
pass that starts at or after that time (regwatch/evaluate.py), published when that pass
completes, possibly some invocations later; a day no pass started for before its end is
skipped, not sent late. The digest's id is deterministic per local day, so a retry is a
duplicate consumers drop, and the evaluator records the day with a conditional write.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from regwatch.events import iso_utc
from regwatch.reminders import ReminderKind, ReminderPolicy, due_reminders
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState

DIGEST_WINDOW = timedelta(hours=24)
_DIGEST_ID_NAMESPACE = uuid.UUID("9d0c55a2-41f7-5b8e-8c3a-6e2f1b7d4a90")
# Version statuses that wait on a person (the current version's), and what they wait for.
_NEEDS_HUMAN = {
    "REQUIRES_AUTHENTICATION": "confirm the brand authentication email",
    "DENIED": "fix the denial reasons and submit a new version",
    "REVOKED": "contact AWS Support; messaging may be blocked",
}
_AUTH_LINK_VALIDITY = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    local_time: time
    timezone: ZoneInfo

    def send_at(self, day: date) -> datetime:
        """The UTC moment of `day`'s digest (a time in a DST gap moves forward, as clocks do)."""
        return datetime.combine(day, self.local_time, tzinfo=self.timezone).astimezone(UTC)

    def due_day(self, now: datetime) -> date | None:
        """The local day whose digest is due at `now`, or None before today's send time."""
        today = now.astimezone(self.timezone).date()
        return today if now >= self.send_at(today) else None


def digest_id(day: date, timezone: str) -> str:
    return str(uuid.uuid5(_DIGEST_ID_NAMESPACE, f"regwatch/digest/v1|{day.isoformat()}|{timezone}"))


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One registration in a section of the digest."""

    account_id: str
    region: str
    registration_id: str
    name: str | None
    registration_type: str
    version_number: int
    status: str
    when: datetime | None
    deadline: datetime | None = None
    note: str = ""


@dataclass
class Digest:
    day: date
    timezone: str
    generated_at: datetime
    by_status: dict[RegionKey, Counter[str]] = field(default_factory=dict)
    last_complete_scan: dict[RegionKey, datetime | None] = field(default_factory=dict)
    changes: list[DigestLine] = field(default_factory=list)
    needs_human: list[DigestLine] = field(default_factory=list)
    overdue_reviews: list[DigestLine] = field(default_factory=list)
    # Lines already dropped per section (`trim`): the event counts them in `total`.
    dropped: Counter[str] = field(default_factory=Counter)

    def sort(self) -> None:
        """Each section in the order the event shows it (most recent change, nearest deadline)."""
        now = self.generated_at
        self.changes.sort(key=lambda line: line.when or now, reverse=True)
        self.needs_human.sort(key=lambda line: line.deadline or now)
        self.overdue_reviews.sort(key=lambda line: line.deadline or now)

    def trim(self, keep: int) -> None:
        """Keep the first `keep` lines of each section (all the event can show), count the rest.

        The first lines of the whole fleet are among the first lines of its parts, so a digest
        folded over several invocations shows what one pass would have shown.
        """
        self.sort()
        for name in ("changes", "needs_human", "overdue_reviews"):
            lines: list[DigestLine] = getattr(self, name)
            self.dropped[name] += max(0, len(lines) - keep)
            del lines[keep:]

    def total(self, name: str) -> int:
        lines: list[DigestLine] = getattr(self, name)
        return len(lines) + self.dropped[name]

    @property
    def event_id(self) -> str:
        return digest_id(self.day, self.timezone)


def _line(
    key: RegionKey, snapshot: RegistrationSnapshot, number: int, status: str, when: datetime | None
) -> DigestLine:
    return DigestLine(
        key.account_id,
        key.region,
        snapshot.registration_id,
        snapshot.profile.name if snapshot.profile else None,
        snapshot.registration_type,
        number,
        status,
        when,
    )


class DigestBuilder:
    """Folds registrations into one day's digest as they stream by.

    The evaluator reads the snapshot table once per run; the digest keeps only its counts
    and lines, never the snapshots, so its memory follows what the digest says, not the
    size of the fleet.
    """

    def __init__(self, policy: ReminderPolicy, day: date, timezone: str, now: datetime) -> None:
        self.policy = policy
        self.digest = Digest(day=day, timezone=timezone, generated_at=now)
        self._since = now - DIGEST_WINDOW

    @classmethod
    def resume(cls, policy: ReminderPolicy, partial: Digest) -> DigestBuilder:
        """Carry on folding a digest an earlier invocation of the same pass began."""
        builder = cls(policy, partial.day, partial.timezone, partial.generated_at)
        builder.digest = partial
        return builder

    def add_state(self, key: RegionKey, state: ScanState) -> None:
        """A target's scan state met on the way (its monitor health line)."""
        self.digest.last_complete_scan[key] = state.last_scan_completed_at
        self.digest.by_status.setdefault(key, Counter())

    def add(self, key: RegionKey, snapshot: RegistrationSnapshot) -> None:
        digest, now = self.digest, self.digest.generated_at
        if snapshot.is_tombstone:
            return
        digest.by_status.setdefault(key, Counter())[snapshot.registration_status] += 1
        digest.last_complete_scan.setdefault(key, None)
        for version in snapshot.versions.values():
            latest = max(version.status_history.values(), default=None)
            if latest is not None and latest >= self._since:
                digest.changes.append(_line(key, snapshot, version.version_number, version.status, latest))
        current = snapshot.versions.get(snapshot.current_version_number)
        if current is not None and current.status in _NEEDS_HUMAN:
            line = _line(key, snapshot, current.version_number, current.status, current.latest_timestamp())
            deadline = None
            if current.status == "REQUIRES_AUTHENTICATION":
                started = current.status_history.get("RequiresAuthenticationTimestamp")
                deadline = started + _AUTH_LINK_VALIDITY if started else None
            digest.needs_human.append(replace(line, deadline=deadline, note=_NEEDS_HUMAN[current.status]))
        for reminder in due_reminders(key, snapshot, self.policy, now):
            if reminder.kind is ReminderKind.REVIEW_OVERDUE:
                line = _line(
                    key, snapshot, reminder.version.version_number, reminder.version.status, reminder.since
                )
                digest.overdue_reviews.append(replace(line, deadline=reminder.deadline, note=reminder.basis))

    def finish(self, states: Mapping[RegionKey, ScanState] | None = None) -> Digest:
        """The digest, with every target's scan state (targets without registrations too);
        `states` None: those met during the pass (add_state) are all there is."""
        digest = self.digest
        for key, state in (states or {}).items():
            self.add_state(key, state)
        digest.sort()
        return digest


def build_digest(  # noqa: PLR0917 - the six inputs of one digest, all required
    registrations: Iterable[tuple[RegionKey, RegistrationSnapshot]],
    states: Mapping[RegionKey, ScanState],
    policy: ReminderPolicy,
    day: date,
    timezone: str,
    now: datetime,
) -> Digest:
    builder = DigestBuilder(policy, day, timezone, now)
    for key, snapshot in registrations:
        builder.add(key, snapshot)
    return builder.finish(states)


MAX_LINES_IN_EVENT = 100


def _line_detail(line: DigestLine) -> dict[str, object]:
    return {
        "accountId": line.account_id,
        "region": line.region,
        "registrationId": line.registration_id,
        "registrationName": line.name,
        "registrationType": line.registration_type,
        "versionNumber": line.version_number,
        "status": line.status,
        "at": iso_utc(line.when) if line.when else None,
        "deadline": iso_utc(line.deadline) if line.deadline else None,
        "note": line.note,
    }


def _section(digest: Digest, name: str) -> dict[str, object]:
    lines: list[DigestLine] = getattr(digest, name)
    return {"total": digest.total(name), "items": [_line_detail(line) for line in lines[:MAX_LINES_IN_EVENT]]}


def digest_detail(digest: Digest, schema_version: str) -> dict[str, object]:
    """The `detail` of a "Registration Digest" event (docs/events.md, Changes in 1.1)."""
    keys = sorted(digest.by_status, key=lambda k: (k.account_id, k.region))
    return {
        "schemaVersion": schema_version,
        "eventId": digest.event_id,
        "digest": True,
        "alert": False,  # routed by its own rule to the destinations that opted in
        "day": digest.day.isoformat(),
        "timezone": digest.timezone,
        "generatedAt": iso_utc(digest.generated_at),
        "targets": [
            {
                "accountId": key.account_id,
                "region": key.region,
                "byStatus": dict(sorted(digest.by_status[key].items())),
                "lastCompleteScanAt": iso_utc(scan) if (scan := digest.last_complete_scan.get(key)) else None,
            }
            for key in keys
        ],
        "changes": _section(digest, "changes"),
        "needsHuman": _section(digest, "needs_human"),
        "overdueReviews": _section(digest, "overdue_reviews"),
    }
