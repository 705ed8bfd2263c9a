"""What the daily digest says, independent of the channel (plain, unescaped texts).

Order: what needs a person now (with deadlines), overdue reviews, what changed in the
last 24 hours, registrations by status per target, and the monitor's own health. A quiet
day still gets a short digest: that is how people learn the monitor is alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from regwatch.event_models import DigestEvent, DigestLineDetail, DigestSectionDetail
from regwatch_alerts.alert_content import format_time, humanize_registration_type, humanize_status

# A target whose last complete scan is older than this is called out as stale.
STALE_SCAN = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class DigestSection:
    title: str
    lines: tuple[str, ...]
    hidden: int  # lines the event or the channel could not show ("and N more")


@dataclass(frozen=True, slots=True)
class DigestContent:
    title: str
    headline: str  # short, for subjects: the counts
    summary: str
    sections: tuple[DigestSection, ...]
    quiet: bool
    event_id: str


def _who(line: DigestLineDetail) -> str:
    name = line.registration_name or line.registration_id
    kind = humanize_registration_type(line.registration_type)
    return f"{name} ({kind}) version {line.version_number}"


def _where(line: DigestLineDetail) -> str:
    return f"{line.account_id} {line.region}"


def _needs_human(section: DigestSectionDetail) -> DigestSection:
    lines = []
    for line in section.items:
        deadline = f"; deadline about {format_time(line.deadline)}" if line.deadline else ""
        lines.append(f"{_who(line)}: {humanize_status(line.status)}: {line.note}{deadline} ({_where(line)})")
    return DigestSection(f"Needs a person now ({section.total})", tuple(lines), section.total - len(lines))


def _overdue(section: DigestSectionDetail) -> DigestSection:
    lines = [
        f"{_who(line)}: in review since {format_time(line.at)}, "
        f"expected by about {format_time(line.deadline)} ({_where(line)})"
        for line in section.items
    ]
    return DigestSection(
        f"Reviews taking longer than expected ({section.total})", tuple(lines), section.total - len(lines)
    )


def _changes(section: DigestSectionDetail) -> DigestSection:
    lines = [
        f"{_who(line)}: {humanize_status(line.status)} at {format_time(line.at)} ({_where(line)})"
        for line in section.items
    ]
    return DigestSection(
        f"Changed in the last 24 hours ({section.total})", tuple(lines), section.total - len(lines)
    )


def _by_status(event: DigestEvent) -> DigestSection:
    lines = []
    for target in event.detail.targets:
        counts = ", ".join(
            f"{count} {humanize_status(status).lower()}" for status, count in sorted(target.by_status.items())
        )
        lines.append(f"{target.account_id} {target.region}: {counts or 'no registrations'}")
    return DigestSection("Registrations by status", tuple(lines), 0)


def _health(event: DigestEvent, now: datetime) -> DigestSection:
    lines = []
    for target in event.detail.targets:
        scanned = target.last_complete_scan_at
        if scanned is None:
            lines.append(f"{target.account_id} {target.region}: no complete scan yet: check the scanner")
        elif now - scanned > STALE_SCAN:
            lines.append(
                f"{target.account_id} {target.region}: last complete scan {format_time(scanned)}, "
                "more than 2 hours ago: check the scanner's alarms"
            )
        else:
            lines.append(f"{target.account_id} {target.region}: last complete scan {format_time(scanned)}")
    return DigestSection("Monitor health", tuple(lines), 0)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def describe_digest(event: DigestEvent) -> DigestContent:
    detail = event.detail
    needs, overdue, changes = detail.needs_human, detail.overdue_reviews, detail.changes
    watched = sum(sum(t.by_status.values()) for t in detail.targets)
    quiet = not (needs.total or overdue.total or changes.total)
    scope = f"{_count(watched, 'registration')} watched in {_count(len(detail.targets), 'account-region')}"
    if quiet:
        headline = "quiet day"
        summary = f"Quiet day: nothing changed in the last 24 hours and nothing waits on a person. {scope}."
    else:
        headline = (
            f"{needs.total} need a person, {_count(overdue.total, 'review')} overdue, "
            f"{_count(changes.total, 'change')}"
        )
        summary = f"{headline} in the last 24 hours; {scope}."
        summary = summary[:1].upper() + summary[1:]
    sections = [
        section
        for section in (_needs_human(needs), _overdue(overdue), _changes(changes))
        if section.lines or section.hidden
    ]
    sections += [_by_status(event), _health(event, detail.generated_at)]
    return DigestContent(
        title=f"regwatch daily digest for {detail.day} ({detail.timezone})",
        headline=headline,
        summary=summary,
        sections=tuple(sections),
        quiet=quiet,
        event_id=detail.event_id,
    )
