"""The steady-state benchmark's fleet and the changes of its hour (benchmarks/steady_state.py).

The fleet: `in_flight_share` in flight (SUBMITTED, REVIEWING, REQUIRES_AUTHENTICATION), the
rest COMPLETE. A change moves one registration one step: an in-flight version on
(SUBMITTED→REVIEWING→APPROVED/DENIED/REQUIRES_AUTHENTICATION→REVIEWING…), or a settled one
gets a new version, SUBMITTED; the registration's status follows its current version. Half
of the changes go to in-flight registrations while there are some; each registration
changes at most once in the run. `hidden_share` of the in-flight steps do not show in the
registration's summary (as in benchmarks/dataset.py); AWS's event is about the
registration-level status, which did not change, so those get no native event.

The changes are drawn from their own seeded generator, so every delivery and listing mode
sees the same ones; the native events' delays and drops from another.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from benchmarks.sim_ports import ACCOUNT, HOUR, REGION, START, Fleet
from regwatch.model import RegistrationSummary, RegistrationVersion, history_key_for_status

DELIVERIES = {"all delivered": 0.0, "10 % dropped": 0.1, "all dropped": 1.0}
IN_FLIGHT_START = ("SUBMITTED", "REVIEWING", "REQUIRES_AUTHENTICATION")
# The current version's next status, as reviews progress (a settled one gets a new version).
_NEXT = {
    "SUBMITTED": ("REVIEWING",),
    "REVIEWING": ("APPROVED", "DENIED", "REQUIRES_AUTHENTICATION"),
    "REQUIRES_AUTHENTICATION": ("REVIEWING",),
}
# The registration-level status a current version in this status gives its registration.
_REGISTRATION_STATUS = {
    "SUBMITTED": "SUBMITTED",
    "REVIEWING": "REVIEWING",
    "REQUIRES_AUTHENTICATION": "REQUIRES_AUTHENTICATION",
    "APPROVED": "COMPLETE",
    "DENIED": "REQUIRES_UPDATES",
}


@dataclass(frozen=True)
class SteadyConfig:
    size: int = 10_000
    change_rate: float = 60.0  # changes per simulated hour
    drop_share: float = 0.0  # native events dropped
    full_listing_minutes: float = 0.0  # 0: a full listing on every schedule (adaptive listing off)
    hours: float = 1.0
    in_flight_share: float = 0.01
    hidden_share: float = 0.2  # of the in-flight steps
    event_delay: tuple[float, float] = (1.0, 3.0)  # change → native event delivered, seconds
    seed: int = 7

    @property
    def delivery(self) -> str:
        return next((name for name, share in DELIVERIES.items() if share == self.drop_share), "")


@dataclass(frozen=True)
class Change:
    """One injected change: what the API shows from `at` on, and whether an event announces it."""

    at: float
    summary: RegistrationSummary
    versions: tuple[RegistrationVersion, ...]
    version_number: int
    status: str
    shown: bool  # the registration's summary shows it
    event_at: float | None  # the native event's arrival; None: never sent or dropped


class ChangingFleet(Fleet):
    """A Fleet that applies the planned changes as simulated time reaches them."""

    def __init__(
        self,
        summaries: Sequence[RegistrationSummary],
        versions: dict[str, list[RegistrationVersion]],
        changes: Sequence[Change],
    ) -> None:
        super().__init__(summaries, versions)
        self.pending = deque(changes)

    def advance(self, now: float) -> None:
        while self.pending and self.pending[0].at <= now:
            change = self.pending.popleft()
            self.versions[change.summary.registration_id] = list(change.versions)
            self.update(change.summary)


def initial_fleet(
    config: SteadyConfig, rng: random.Random
) -> tuple[list[RegistrationSummary], dict[str, list[RegistrationVersion]]]:
    moment = START - timedelta(days=30)
    summaries: list[RegistrationSummary] = []
    versions: dict[str, list[RegistrationVersion]] = {}
    for number in range(config.size):
        registration_id = f"registration-{number:06d}"
        in_flight = rng.random() < config.in_flight_share
        status = rng.choice(IN_FLIGHT_START) if in_flight else "APPROVED"
        history = {history_key_for_status("SUBMITTED"): moment, history_key_for_status(status): moment}
        versions[registration_id] = [RegistrationVersion(1, status, history)]
        summaries.append(
            RegistrationSummary(
                registration_id=registration_id,
                registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:registration/{registration_id}",
                registration_type="US_TEN_DLC_BRAND_REGISTRATION",
                registration_status=_REGISTRATION_STATUS[status],
                current_version_number=1,
                approved_version_number=None if in_flight else 1,
            )
        )
    return summaries, versions


def _step(
    rng: random.Random,
    summary: RegistrationSummary,
    versions: list[RegistrationVersion],
    at: float,
    hide: bool,
) -> tuple[RegistrationSummary, tuple[RegistrationVersion, ...], int, str, bool]:
    """One step of the registration at `at`: (summary, versions, version, status, shown)."""
    moment = START + timedelta(seconds=at)
    current = versions[-1]
    following = _NEXT.get(current.status)
    if following is None:  # settled: a new version is submitted (always shown: its number)
        number, status = current.version_number + 1, "SUBMITTED"
        version = RegistrationVersion(number, status, {history_key_for_status(status): moment})
        shown_summary = replace(
            summary, registration_status=_REGISTRATION_STATUS[status], current_version_number=number
        )
        return shown_summary, (*versions, version), number, status, True
    status = rng.choice(following)
    history = {**current.status_history, history_key_for_status(status): moment}
    moved = (*versions[:-1], RegistrationVersion(current.version_number, status, history))
    if hide:
        return summary, moved, current.version_number, status, False
    shown_summary = replace(
        summary,
        registration_status=_REGISTRATION_STATUS[status],
        approved_version_number=current.version_number
        if status == "APPROVED"
        else summary.approved_version_number,
        latest_denied_version_number=(
            current.version_number if status == "DENIED" else summary.latest_denied_version_number
        ),
    )
    return shown_summary, moved, current.version_number, status, True


def plan_changes(
    config: SteadyConfig,
    summaries: Sequence[RegistrationSummary],
    versions: dict[str, list[RegistrationVersion]],
) -> list[Change]:
    """The hour's changes, the same for every delivery (their own seeded draws); events per delivery."""
    rng = random.Random(config.seed + 1)
    duration = config.hours * HOUR
    count = min(len(summaries), round(config.change_rate * config.hours))
    moments = sorted(rng.uniform(0, duration) for _ in range(count))
    in_flight = [s.registration_id for s in summaries if s.registration_status != "COMPLETE"]
    settled = [s.registration_id for s in summaries if s.registration_status == "COMPLETE"]
    rng.shuffle(in_flight)
    rng.shuffle(settled)
    by_id = {s.registration_id: s for s in summaries}
    events = random.Random(config.seed + 2)
    changes: list[Change] = []
    for at in moments:
        pool = in_flight if in_flight and (rng.random() < 0.5 or not settled) else settled
        registration_id = pool.pop()
        hide = rng.random() < config.hidden_share
        summary, moved, number, status, shown = _step(
            rng, by_id[registration_id], versions[registration_id], at, hide
        )
        delay = events.uniform(*config.event_delay)
        dropped = events.random() < config.drop_share
        event_at = at + delay if shown and not dropped else None
        changes.append(Change(at, summary, moved, number, status, shown, event_at))
    return changes
