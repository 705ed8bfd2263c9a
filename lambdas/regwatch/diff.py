"""Snapshot + what the API shows now -> the ordered transitions in between.

Rules (docs/scanner.md has the long form):
- Version level: every status-history timestamp that is new, or later than the stored
  one, is a transition to that status at that time. They are replayed in time order, so
  several steps between two scans each get the right `previous_status`.
- A status that no new timestamp explains (REQUIRES_OFFLINE_REVIEW has no history key;
  AWS may add more) is a transition observed at scan time.
- Registration level: a changed RegistrationStatus, a registration seen for the first
  time after the baseline, a registration that disappeared.
- First sighting during the baseline: stored quietly; `BaselineAlerts` decides what is
  still reported (marked `baseline=True`).
Unknown history keys and statuses flow through unchanged.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from regwatch.events import iso_utc
from regwatch.model import (
    KNOWN_VERSION_STATUSES,
    RegistrationChange,
    RegistrationSummary,
    RegistrationVersion,
    Scope,
    Transition,
    status_for_history_key,
)
from regwatch.snapshot import RegistrationSnapshot, VersionSnapshot

DELETED_STATUS = "DELETED"


class BaselineAlerts(StrEnum):
    """What the first scan of an account-region reports."""

    ACTIONABLE = "actionable"  # one event per version waiting on a human
    NONE = "none"
    ALL = "all"


# Versions waiting on a human at baseline time (DENIED only for the current version:
# an older denied version was already answered by a newer one).
_WAITING_ON_HUMAN = frozenset({"REQUIRES_AUTHENTICATION", "REVOKED"})
_WAITING_ON_HUMAN_IF_CURRENT = frozenset({"DENIED"})

# Two statuses stamped in the same second are ordered by the usual lifecycle; unknown last.
_LIFECYCLE_RANK = {status: rank for rank, status in enumerate(KNOWN_VERSION_STATUSES)}


def _rank(status: str) -> int:
    return _LIFECYCLE_RANK.get(status, len(_LIFECYCLE_RANK))


@dataclass(frozen=True, slots=True)
class VersionDiff:
    transitions: tuple[Transition, ...]
    snapshot: VersionSnapshot


@dataclass(frozen=True, slots=True)
class RegistrationDiff:
    transitions: tuple[Transition, ...]
    snapshot: RegistrationSnapshot


def diff_version(
    previous: VersionSnapshot | None,
    current: RegistrationVersion,
    registration: RegistrationSummary,
    observed_at: datetime,
) -> VersionDiff:
    """Transitions of one version since `previous` (None: a version never seen before)."""
    stored_history = previous.status_history if previous else {}
    new_stamps = sorted(
        (stamp, _rank(status_for_history_key(key)), key)
        for key, stamp in current.status_history.items()
        if key not in stored_history or stamp > stored_history[key]
    )
    transitions: list[Transition] = []
    status_before = previous.status if previous else None
    for stamp, _, key in new_stamps:
        status = status_for_history_key(key)
        transitions.append(
            Transition(
                scope=Scope.VERSION,
                registration=registration,
                status=status,
                previous_status=status_before,
                status_timestamp=stamp,
                observed_at=observed_at,
                version=current,
            )
        )
        status_before = status
    untimed_changes = previous.untimed_changes if previous else 0
    if current.status != status_before:
        # No timestamp explains this status: identify it by what preceded it and by how
        # many untimed changes this version already had, so a re-observation after a
        # crash gets the same event id and a genuine repeat gets a new one.
        latest = max(current.status_history.values(), default=None)
        dedup_key = "|".join(
            ("untimed", status_before or "", iso_utc(latest) if latest else "", str(untimed_changes))
        )
        transitions.append(
            Transition(
                scope=Scope.VERSION,
                registration=registration,
                status=current.status,
                previous_status=status_before,
                status_timestamp=None,
                observed_at=observed_at,
                version=current,
                dedup_key=dedup_key,
            )
        )
        untimed_changes += 1
    snapshot = VersionSnapshot(
        version_number=current.version_number,
        status=current.status,
        status_history=dict(current.status_history),
        untimed_changes=untimed_changes,
    )
    return VersionDiff(tuple(transitions), snapshot)


def _when(transition: Transition) -> datetime:
    return transition.status_timestamp or transition.observed_at


def _merge_in_time_order(per_version: Iterable[Sequence[Transition]]) -> list[Transition]:
    # heapq.merge keeps each version's own order even if an untimed step (observed "now")
    # would sort before a timed one from a clock-skewed API.
    return list(heapq.merge(*per_version, key=_when))


def _is_waiting_on_human(version: RegistrationVersion, registration: RegistrationSummary) -> bool:
    if version.status in _WAITING_ON_HUMAN:
        return True
    return (
        version.status in _WAITING_ON_HUMAN_IF_CURRENT
        and version.version_number == registration.current_version_number
    )


def _registration_transition(
    registration: RegistrationSummary,
    change: RegistrationChange,
    status: str,
    *,
    previous_status: str | None,
    observed_at: datetime,
    dedup_key: str,
) -> Transition:
    return Transition(
        scope=Scope.REGISTRATION,
        registration=registration,
        status=status,
        previous_status=previous_status,
        status_timestamp=None,
        observed_at=observed_at,
        registration_change=change,
        dedup_key=dedup_key,
    )


def incarnation_key(change: str, incarnation: int) -> str:
    """The dedup key of a DISCOVERED / DELETED transition: one per life of the registration.

    The first life keeps the bare key, so its event ids are the ones published before
    incarnations existed (a retry after an upgrade is still a duplicate consumers drop).
    """
    return change if incarnation == 0 else f"{change}|{incarnation}"


def one_alert_per_change(transitions: Sequence[Transition]) -> list[Transition]:
    """Mark which transitions of one registration's diff carry the alert.

    A registration-level transition seen together with version transitions is their
    consequence (AWS derives the registration's status from its current version): it stays
    on the bus with `alert=False`, and the latest version transition carries the alert,
    with the registration's previous status beside it. Without a version transition
    behind it (PROVISIONING -> COMPLETE, a deletion) a registration-level change alerts.
    Several version transitions are several changes: each alerts.
    """
    carriers = [index for index, t in enumerate(transitions) if t.scope is Scope.VERSION]
    if not carriers:
        return list(transitions)
    marked = list(transitions)
    carrier = carriers[-1]
    for index, transition in enumerate(transitions):
        if transition.scope is not Scope.REGISTRATION:
            continue
        marked[index] = replace(transition, alert=False)
        if transition.registration_change is RegistrationChange.STATUS_CHANGED:
            marked[carrier] = replace(
                marked[carrier], registration_previous_status=transition.previous_status
            )
    return marked


def diff_registration(
    previous: RegistrationSnapshot | None,
    registration: RegistrationSummary,
    versions: Sequence[RegistrationVersion],
    observed_at: datetime,
    baseline: BaselineAlerts | None = None,
) -> RegistrationDiff:
    """All transitions of one registration whose versions were just read in full.

    `previous` may be a tombstone (the id came back, e.g. after a deletion confirmed from
    a short listing): its history is compared, not replayed — only steps newer than the
    tombstone's are transitions, plus one DISCOVERED for the new incarnation. `baseline`
    is set when this is a first sighting during the account-region's baseline scan.
    """
    live_previous = previous if previous is not None and not previous.is_tombstone else None
    known = previous  # a tombstone still knows every version it had
    stored_versions = known.versions if known else {}
    ordered_versions = sorted(versions, key=lambda v: v.version_number)
    version_diffs = [
        diff_version(stored_versions.get(v.version_number), v, registration, observed_at)
        for v in ordered_versions
    ]
    version_transitions = _merge_in_time_order(d.transitions for d in version_diffs)
    registration_changes = known.registration_changes if known else 0
    incarnation = previous.incarnation if previous else 0

    transitions: list[Transition]
    if live_previous is None:
        discovered = _registration_transition(
            registration,
            RegistrationChange.DISCOVERED,
            registration.registration_status,
            previous_status=None,
            observed_at=observed_at,
            dedup_key=incarnation_key("discovered", incarnation),
        )
        if baseline is None:
            transitions = [discovered, *version_transitions]
        elif baseline is BaselineAlerts.ALL:
            transitions = [replace(t, baseline=True) for t in (discovered, *version_transitions)]
        elif baseline is BaselineAlerts.ACTIONABLE:
            transitions = [
                replace(d.transitions[-1], baseline=True)
                for d, version in zip(version_diffs, ordered_versions, strict=True)
                if d.transitions and _is_waiting_on_human(version, registration)
            ]
        else:
            transitions = []
    else:
        transitions = list(version_transitions)
        if registration.registration_status != live_previous.registration_status:
            transitions.append(
                _registration_transition(
                    registration,
                    RegistrationChange.STATUS_CHANGED,
                    registration.registration_status,
                    previous_status=live_previous.registration_status,
                    observed_at=observed_at,
                    dedup_key=f"{live_previous.registration_status}|{registration_changes}",
                )
            )
            registration_changes += 1
    transitions = one_alert_per_change(transitions)

    snapshot = RegistrationSnapshot(
        registration_id=registration.registration_id,
        registration_arn=registration.registration_arn,
        registration_type=registration.registration_type,
        registration_status=registration.registration_status,
        current_version_number=registration.current_version_number,
        approved_version_number=registration.approved_version_number,
        latest_denied_version_number=registration.latest_denied_version_number,
        versions={d.snapshot.version_number: d.snapshot for d in version_diffs},
        full_read_at=observed_at,
        registration_changes=registration_changes,
        revision=(previous.revision if previous else 0) + 1,
        deleted_at=None,
        profile=live_previous.profile if live_previous else None,
        reminders_sent=live_previous.reminders_sent if live_previous else frozenset(),
        incarnation=incarnation,
    )
    return RegistrationDiff(tuple(transitions), snapshot)


def diff_first_read(
    stub: RegistrationSnapshot,
    registration: RegistrationSummary,
    versions: Sequence[RegistrationVersion],
    observed_at: datetime,
    baseline: BaselineAlerts | None,
) -> RegistrationDiff:
    """The first read of a registration listed earlier as a stub (regwatch/triage.py).

    A first sighting (what `baseline` asks for), plus what changed since it was listed:
    every transition of a version newer than the listed current one, and the registration's
    status change, so a change during a long baseline is never taken for the baseline.
    """
    first = diff_registration(None, registration, versions, observed_at, baseline=baseline)
    if baseline is None:
        transitions = list(first.transitions)
    else:
        listed_current = stub.current_version_number
        everything = diff_registration(None, registration, versions, observed_at).transitions
        newer = [t for t in everything if t.version is not None and t.version.version_number > listed_current]
        moved = stub.fingerprint() != registration.fingerprint()
        transitions = [
            # The listed current version's latest status is the change that moved the summary.
            replace(t, baseline=False) if moved and t.version.version_number == listed_current else t
            for t in first.transitions
            if t.version is not None and t.version.version_number <= listed_current
        ]
        transitions = [t for t in first.transitions if t.version is None] + transitions + newer
        if registration.registration_status != stub.registration_status:
            transitions.append(
                _registration_transition(
                    registration,
                    RegistrationChange.STATUS_CHANGED,
                    registration.registration_status,
                    previous_status=stub.registration_status,
                    observed_at=observed_at,
                    dedup_key=f"{stub.registration_status}|0",
                )
            )
    changes = sum(1 for t in transitions if t.registration_change is RegistrationChange.STATUS_CHANGED)
    snapshot = replace(first.snapshot, revision=stub.revision + 1, registration_changes=changes)
    return RegistrationDiff(tuple(one_alert_per_change(transitions)), snapshot)


def diff_deleted(previous: RegistrationSnapshot, observed_at: datetime) -> RegistrationDiff:
    """The registration no longer appears in the API: one DELETED event, then a tombstone.

    If its last known status was already DELETED, that status change was reported
    when it happened and the disappearance is not announced a second time.
    """
    transitions: tuple[Transition, ...] = ()
    if previous.registration_status != DELETED_STATUS:
        transitions = (
            _registration_transition(
                previous.summary(),
                RegistrationChange.DELETED,
                DELETED_STATUS,
                previous_status=previous.registration_status,
                observed_at=observed_at,
                dedup_key=incarnation_key("deleted", previous.incarnation),
            ),
        )
    tombstone = replace(
        previous,
        deleted_at=observed_at,
        revision=previous.revision + 1,
        incarnation=previous.incarnation + 1,
        first_read_pending=False,  # a tombstone's return is a new life, read in full
    )
    return RegistrationDiff(transitions, tombstone)
