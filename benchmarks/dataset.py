"""Datasets on the emulator: bulk generation, then a share of registrations changing per scan.

Mutations go straight to the emulator's in-process store (fast at 100,000) and the
injected transitions are read back from it, so the truth costs no API calls and is
independent of both scanners. Some changes are made with `update_registration=False`:
the version moves but the registration summary does not show it, the case a scanner
that trusts the summary alone would miss.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks.transitions import VersionState, VersionTransition, diff_version
from regwatch.events import iso_utc

# Where the current version goes next, as reviews actually progress.
_NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "DRAFT": ("SUBMITTED",),
    "SUBMITTED": ("AWS_REVIEWING",),
    "AWS_REVIEWING": ("REVIEWING",),
    "REVIEWING": ("APPROVED", "DENIED", "REQUIRES_AUTHENTICATION"),
    "REQUIRES_AUTHENTICATION": ("REVIEWING",),
    "REQUIRES_OFFLINE_REVIEW": ("REVIEWING",),
    "APPROVED": ("REVOKED",),
}
# A current version in any other status (DENIED, REVOKED, DISCARDED, ARCHIVED) gets a new version.


@dataclass(frozen=True)
class InjectedTransition:
    transition: VersionTransition
    tick: int  # the scan tick after which it exists
    revealed: bool  # whether the registration summary changed with it


def _iso_history(history: dict[str, float]) -> dict[str, str]:
    """A version's status history (epoch seconds) as the ISO timestamps events carry."""
    return {key: iso_utc(datetime.fromtimestamp(moment, tz=UTC)) for key, moment in history.items()}


def _state_of(version: Any) -> VersionState:
    return (version.status, _iso_history(version.history))


def _states(registration: Any) -> dict[int, VersionState]:
    return {version.number: _state_of(version) for version in registration.versions}


def _fingerprint(registration: Any) -> tuple[Any, ...]:
    return summary_fingerprint(registration.summary())


def summary_fingerprint(summary: dict[str, Any]) -> tuple[Any, ...]:
    """What a registration summary shows of its versions: a change to it is revealed."""
    return (
        summary["RegistrationStatus"],
        summary["CurrentVersionNumber"],
        summary.get("ApprovedVersionNumber"),
        summary.get("LatestDeniedVersionNumber"),
    )


def described_states(described: dict[str, Any]) -> dict[int, VersionState]:
    """Version states from the control API's `get_registration` answer (epoch-second history)."""
    return {
        int(version["VersionNumber"]): (
            str(version["RegistrationVersionStatus"]),
            _iso_history(version["RegistrationVersionStatusHistory"]),
        )
        for version in described["Versions"]
    }


def pick_changing(rng: random.Random, ids: list[str], share: float) -> list[str]:
    """`share` of `ids` (at least one when share > 0), each at most once, in the order drawn."""
    count = max(1, round(len(ids) * share)) if share > 0 else 0
    return rng.sample(ids, min(count, len(ids)))


def plan_change(rng: random.Random, current_status: str, hidden_share: float) -> tuple[bool, str | None]:
    """(hidden from the summary?, the current version's next status, or None for a new version)."""
    hide = rng.random() < hidden_share
    choices = _NEXT_STATUSES.get(current_status)
    return hide, (rng.choice(choices) if choices else None)


def transitions_between(
    registration_id: str,
    before: dict[int, VersionState],
    after: dict[int, VersionState],
    revealed: bool,
    tick: int,
) -> list[InjectedTransition]:
    return [
        InjectedTransition(transition, tick, revealed)
        for number, state in after.items()
        for transition in diff_version(registration_id, number, before.get(number), state)
    ]


class Dataset:
    """N registrations in one region of an in-process emulator, and what was done to them."""

    def __init__(self, emulator: Any, control: Any, region: str, seed: int = 0) -> None:
        self._store = emulator.store
        self._control = control
        self.region = region
        self._rng = random.Random(seed)
        self.ids: list[str] = []
        self.injected: list[InjectedTransition] = []

    def generate(self, count: int, versions_min: int = 1, versions_max: int = 5, seed: int = 0) -> None:
        self.ids = list(self._control.generate(self.region, count, versions_min, versions_max, seed))

    def _registration(self, registration_id: str) -> Any:
        return self._store.region(self.region).registrations[registration_id]

    def _change(self, registration: Any, hidden_share: float) -> None:
        current = registration.current
        hide, status = plan_change(self._rng, current.status, hidden_share)
        if status is None:
            self._store.add_version(registration)  # a new version always shows in the summary
            return
        self._store.set_version_status(registration, current.number, status, update_registration=not hide)

    def set_status(
        self,
        registration_id: str,
        version_number: int,
        status: str,
        *,
        tick: int,
        history_key: str | None = None,
        update_registration: bool = True,
    ) -> list[InjectedTransition]:
        """One explicit change (any status, also unknown ones); returns what it injected."""
        with self._store.lock:
            registration = self._registration(registration_id)
            before, fingerprint = _states(registration), _fingerprint(registration)
            self._store.set_version_status(
                registration,
                version_number,
                status,
                history_key=history_key,
                update_registration=update_registration,
            )
            return self._record(registration, before, fingerprint, tick)

    def _record(
        self, registration: Any, before: dict[int, VersionState], fingerprint: tuple[Any, ...], tick: int
    ) -> list[InjectedTransition]:
        revealed = _fingerprint(registration) != fingerprint
        injected = transitions_between(
            registration.registration_id, before, _states(registration), revealed, tick
        )
        self.injected.extend(injected)
        return injected

    def mutate(self, share: float, hidden_share: float, tick: int) -> list[InjectedTransition]:
        """Change `share` of the registrations (each at most once); returns what was injected."""
        chosen = pick_changing(self._rng, self.ids, share)
        injected: list[InjectedTransition] = []
        with self._store.lock:
            for registration_id in chosen:
                registration = self._registration(registration_id)
                before, fingerprint = _states(registration), _fingerprint(registration)
                self._change(registration, hidden_share)
                injected += self._record(registration, before, fingerprint, tick)
        return injected


def detection_ticks(
    injected: Iterable[InjectedTransition], detected_at: dict[VersionTransition, int]
) -> list[int | None]:
    """For each injected transition: how many scans it took to be detected (None: not yet)."""
    return [
        detected_at[item.transition] - item.tick + 1 if item.transition in detected_at else None
        for item in injected
    ]
