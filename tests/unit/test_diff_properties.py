"""Property: any lifecycle of a version, sampled at any scan times, yields exactly the
transitions that were observable, in order, none twice, each with the right previous status.

"Observable" is defined here independently of regwatch.diff, from the lifecycle itself:
- a timed step is observable unless the same status is stamped again before the next scan
  (the API keeps one timestamp per status);
- an untimed step (no history key) is observable only if it is still the current status
  at the next scan, and only if it differs from the last observable status;
- nothing after the last scan is observable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from regwatch.diff import diff_version
from regwatch.events import EventContext, build_detail
from regwatch.model import RegistrationSummary, RegistrationVersion, Transition, history_key_for_status
from regwatch.snapshot import VersionSnapshot

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CTX = EventContext(account_id="123456789012", region="eu-west-1", source="regwatch", event_bus_name="bus")
REGISTRATION = RegistrationSummary(
    registration_id="registration-prop",
    registration_arn="arn:aws:sms-voice:eu-west-1:123456789012:registration/registration-prop",
    registration_type="US_TEN_DLC_CAMPAIGN_REGISTRATION",
    registration_status="REVIEWING",
    current_version_number=1,
)
# CARRIER_VETTING stands for a timed status AWS may add; PAUSED for an untimed one.
TIMED = (
    "SUBMITTED",
    "AWS_REVIEWING",
    "REVIEWING",
    "REQUIRES_AUTHENTICATION",
    "APPROVED",
    "DENIED",
    "REVOKED",
    "DISCARDED",
    "ARCHIVED",
    "CARRIER_VETTING",
)
UNTIMED = ("REQUIRES_OFFLINE_REVIEW", "PAUSED")


@dataclass(frozen=True)
class Step:
    status: str
    at: int  # seconds after T0
    timed: bool


def lifecycle(raw: list[tuple[str, int]]) -> list[Step]:
    steps = [Step("DRAFT", 0, True)]
    for status, gap in raw:
        if status == steps[-1].status:
            continue  # staying in a status is not a step
        steps.append(Step(status, steps[-1].at + gap, status not in UNTIMED))
    return steps


def version_at(steps: list[Step], second: int) -> RegistrationVersion | None:
    happened = [s for s in steps if s.at <= second]
    if not happened:
        return None
    history = {history_key_for_status(s.status): T0 + timedelta(seconds=s.at) for s in happened if s.timed}
    return RegistrationVersion(version_number=1, status=happened[-1].status, status_history=history)


def expected(steps: list[Step], scans: list[int]) -> list[tuple[str, str | None, datetime | None, datetime]]:
    observable: list[tuple[Step, int]] = []
    for index, step in enumerate(steps):
        next_scan = next((s for s in scans if s >= step.at), None)
        if next_scan is None:
            continue
        later = [s for s in steps[index + 1 :] if s.at <= next_scan]
        if step.timed and any(s.status == step.status for s in later):
            continue
        if not step.timed and later:
            continue
        if not step.timed and observable and observable[-1][0].status == step.status:
            continue
        observable.append((step, next_scan))
    result = []
    previous: str | None = None
    for step, scan in observable:
        stamp = T0 + timedelta(seconds=step.at) if step.timed else None
        result.append((step.status, previous, stamp, T0 + timedelta(seconds=scan)))
        previous = step.status
    return result


def as_tuples(transitions: list[Transition]) -> list[tuple[str, str | None, datetime | None, datetime]]:
    return [(t.status, t.previous_status, t.status_timestamp, t.observed_at) for t in transitions]


raw_steps = st.lists(st.tuples(st.sampled_from(TIMED + UNTIMED), st.integers(1, 600)), max_size=12)
scan_offsets = st.lists(st.integers(0, 8000), min_size=1, max_size=10)


def run_scans(steps: list[Step], scans: list[int]) -> tuple[list[Transition], VersionSnapshot | None]:
    snapshot: VersionSnapshot | None = None
    emitted: list[Transition] = []
    for second in scans:
        current = version_at(steps, second)
        if current is None:
            continue
        diff = diff_version(snapshot, current, REGISTRATION, T0 + timedelta(seconds=second))
        emitted.extend(diff.transitions)
        snapshot = diff.snapshot
    return emitted, snapshot


@settings(max_examples=400, deadline=None)
@given(raw_steps, scan_offsets)
def test_every_observable_transition_once_in_order(raw: list[tuple[str, int]], offsets: list[int]) -> None:
    steps = lifecycle(raw)
    scans = sorted(offsets)
    emitted, _ = run_scans(steps, scans)
    assert as_tuples(emitted) == expected(steps, scans)
    # None twice: every emitted transition has its own event id.
    ids = [build_detail(t, CTX)["eventId"] for t in emitted]
    assert len(ids) == len(set(ids))


@settings(max_examples=200, deadline=None)
@given(raw_steps, scan_offsets)
def test_last_status_is_always_the_current_one(raw: list[tuple[str, int]], offsets: list[int]) -> None:
    steps = lifecycle(raw)
    scans = sorted(offsets)
    emitted, snapshot = run_scans(steps, scans)
    current = version_at(steps, scans[-1])
    if current is None:
        assert emitted == [] and snapshot is None
    else:
        assert snapshot is not None and snapshot.status == current.status
        assert emitted[-1].status == current.status


@settings(max_examples=200, deadline=None)
@given(raw_steps, scan_offsets, st.integers(1, 3600))
def test_a_scan_repeated_after_a_crash_emits_the_same_event_ids(
    raw: list[tuple[str, int]], offsets: list[int], delay: int
) -> None:
    """The snapshot write is lost: the next scan sees the same data and re-emits the same ids."""
    steps = lifecycle(raw)
    snapshot: VersionSnapshot | None = None
    for second in sorted(offsets):
        current = version_at(steps, second)
        if current is None:
            continue
        crashed = diff_version(snapshot, current, REGISTRATION, T0 + timedelta(seconds=second))
        retried = diff_version(snapshot, current, REGISTRATION, T0 + timedelta(seconds=second + delay))
        assert [build_detail(t, CTX)["eventId"] for t in crashed.transitions] == [
            build_detail(t, CTX)["eventId"] for t in retried.transitions
        ]
        assert (
            diff_version(retried.snapshot, current, REGISTRATION, T0 + timedelta(seconds=second)).transitions
            == ()
        )
        snapshot = retried.snapshot
