"""Deletions: decided at the end of a complete listing cycle, held when there are too many.

Every live snapshot not listed during the whole cycle (and not read since it began) is a
deleted registration — unless the flood guard (regwatch/deletion_guard.py) finds them too
many to believe at once. Then nothing is tombstoned: the ids are saved, the target's scan
state remembers the hold, and ONE "Target Deletions Held" event goes out. The next
complete cycle settles the hold: held registrations still missing are deleted (one DELETED
alert each, as usual), held ones listed again are released without a word. An operator
can settle it earlier (`regwatch deletions confirm`): the next scan of the target then
applies the held deletions before it lists anything.

Order, as for registrations: save the held ids, publish the event, then (at the end of
the scan) store the hold in the scan state. A crash in between decides the same cycle
again and re-publishes the same eventId.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from datetime import datetime

from regwatch.errors import PublishFailed, RegwatchError
from regwatch.events import EventContext
from regwatch.health_events import build_deletions_held_entry
from regwatch.region_scan import RegionScan
from regwatch.snapshot import HeldDeletions, PlanEntry

# Stands for a listed item whose RegistrationId was unreadable: while a cycle holds one,
# no deletion can be decided (that item may be any of the registrations not listed).
UNIDENTIFIED = "?unidentified"


@dataclass
class DeletionState:
    """The target's held deletions as the scan goes; stored in its scan state at the end."""

    held: HeldDeletions | None


@dataclass(frozen=True, slots=True)
class ListingCycle:
    cycle_id: str
    started_at: datetime
    listed: frozenset[str]


def _live(entries: Mapping[str, PlanEntry]) -> list[PlanEntry]:
    return [s for s in entries.values() if not s.is_tombstone]


def _tombstone_all(work: RegionScan, entries: Iterable[PlanEntry], unless_read_since: datetime) -> bool:
    done = True
    for entry in entries:
        done = work.tombstone(entry, unless_read_since) and done
    return done


def apply_confirmed(work: RegionScan, entries: MutableMapping[str, PlanEntry], state: DeletionState) -> bool:
    """Before listing: apply a hold an operator confirmed (`regwatch deletions confirm`).

    A held registration read since the hold (it came back) is not deleted. The entries of
    the ones deleted become tombstones, so the rest of the scan plans with them (the
    planning index may not show the new tombstones yet).
    """
    held = state.held
    if held is None or not work.store.deletions_confirmed(work.key, held.cycle_id):
        return True
    held_ids = work.store.load_listed_ids(work.key, held.held_ids_key)
    confirmed = [
        s
        for s in _live(entries)
        if s.registration_id in held_ids and (s.full_read_at is None or s.full_read_at < held.held_at)
    ]
    work.report.deletions_confirmed += len(confirmed)
    work.report.deletions_released += len(held_ids) - len(confirmed)
    done = _tombstone_all(work, confirmed, held.held_at)
    if done:
        state.held = None
        now = work.clock()
        for entry in confirmed:
            entries[entry.registration_id] = replace(entry, deleted_at=now)
    return done


def settle_deletions(
    work: RegionScan,
    entries: Mapping[str, PlanEntry],
    cycle: ListingCycle,
    state: DeletionState,
) -> bool:
    """At the end of a complete listing cycle: confirm or release what was held, then delete
    what is missing now — or hold it, if that is too many. False if something must be retried."""
    report = work.report
    if UNIDENTIFIED in cycle.listed:
        report.errors.append("deletions not checked: a listed item had no readable RegistrationId")
        return True
    missing = [
        s
        for s in _live(entries)
        if s.registration_id not in cycle.listed
        # Read during this cycle (e.g. by a native-event rescan after its page was listed):
        # it existed then; the next cycle decides.
        and (s.full_read_at is None or s.full_read_at < cycle.started_at)
    ]
    done = True
    confirmed: list[PlanEntry] = []
    if state.held is not None:
        held_ids = work.store.load_listed_ids(work.key, state.held.held_ids_key)
        confirmed = [s for s in missing if s.registration_id in held_ids]
        report.deletions_confirmed += len(confirmed)
        report.deletions_released += len(held_ids) - len(confirmed)
        done = _tombstone_all(work, confirmed, cycle.started_at)
        missing = [s for s in missing if s.registration_id not in held_ids]
        state.held = None
    known = len(_live(entries)) - len(confirmed)
    if work.options.deletion_guard.holds(len(missing), known):
        return _hold(work, missing, cycle, known, state) and done
    return _tombstone_all(work, missing, cycle.started_at) and done


def _hold(
    work: RegionScan,
    missing: list[PlanEntry],
    cycle: ListingCycle,
    known: int,
    state: DeletionState,
) -> bool:
    held = HeldDeletions(cycle.cycle_id, work.clock(), len(missing), known)
    try:
        work.store.save_listed_ids(work.key, held.held_ids_key, "held", {s.registration_id for s in missing})
    except RegwatchError as exc:
        work.report.errors.append(f"held deletions not saved, none applied: {exc}")
        return False
    context = EventContext(
        account_id=work.key.account_id,
        region=work.key.region,
        source=work.options.event_source,
        event_bus_name=work.options.event_bus_name,
    )
    try:
        work.publisher.publish([build_deletions_held_entry(held, context)])
    except PublishFailed as exc:
        # Not held and not applied: the next complete cycle decides again.
        work.report.errors.append(f"held deletions event not published: {exc}")
        return False
    work.report.deletions_held += len(missing)
    work.report.events_published += 1
    state.held = held
    return True
