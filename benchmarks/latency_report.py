"""What the alert-latency scenario measured, per change, and its table (pure: no I/O).

Each injected change is matched to the first regwatch event published for its
registration after the change, the trigger that led to it (the native event's rescan of
that registration, else the scheduled scan that was running), and the first Slack post
and SNS message carrying one of that registration's event ids.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

NATIVE = "native event"
SCHEDULE = "schedule"
# The goals of issue 14 ("Alert latency").
NATIVE_P99_GOAL_SECONDS = 10.0


@dataclass(frozen=True)
class Change:
    """One registration-level status change at the emulator (wall clock)."""

    registration_id: str
    status: str
    changed_at: float
    native_dropped: bool


@dataclass(frozen=True)
class Trigger:
    """A scanner invocation: a native event's rescan of one registration, or a scheduled scan."""

    kind: str
    started: float
    registration_id: str | None = None


@dataclass(frozen=True)
class Publication:
    """One regwatch event as the bus tap saw it (publish time = the tap queue's SentTimestamp)."""

    registration_id: str
    event_id: str
    published_at: float


@dataclass(frozen=True)
class Arrival:
    """A message at a destination that carries a regwatch event id."""

    event_id: str
    arrived_at: float


@dataclass(frozen=True)
class Latency:
    change: Change
    trigger: Trigger | None
    published_at: float | None
    slack_at: float | None
    sns_at: float | None

    @property
    def trigger_at(self) -> float | None:
        """When regwatch started working on the change (not before the change itself)."""
        return None if self.trigger is None else max(self.trigger.started, self.change.changed_at)

    def since_change(self, moment: float | None) -> float | None:
        return None if moment is None else moment - self.change.changed_at

    @property
    def waiting(self) -> float | None:
        """Change → trigger: the native event's way to the scanner, or the wait for the schedule."""
        return self.since_change(self.trigger_at)

    @property
    def processing(self) -> float | None:
        """Trigger → Slack post: regwatch's own work (rescan or scan, publish, notify)."""
        if self.slack_at is None or self.trigger_at is None:
            return None
        return self.slack_at - self.trigger_at


@dataclass
class RunResult:
    """One run of the scenario: its settings, the load it ran under, and each change's latency."""

    name: str
    drop_rate: float
    schedule_seconds: float
    registrations: int
    latencies: list[Latency]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def injected(self) -> int:
        return len(self.latencies)

    def reached(self, destination: str) -> int:
        return sum(1 for item in self.latencies if _arrival(item, destination) is not None)

    def detected_by(self, kind: str) -> int:
        return sum(1 for item in self.latencies if item.trigger is not None and item.trigger.kind == kind)


def _arrival(item: Latency, destination: str) -> float | None:
    return item.slack_at if destination == "slack" else item.sns_at


def match(
    changes: Iterable[Change],
    triggers: Sequence[Trigger],
    publications: Sequence[Publication],
    slack: Sequence[Arrival],
    sns: Sequence[Arrival],
    *,
    clock_slack: float = 0.05,
) -> list[Latency]:
    """Each change with what followed it. `clock_slack` absorbs the ms rounding of SQS timestamps."""
    first_slack = _first_arrivals(slack)
    first_sns = _first_arrivals(sns)
    out = []
    for change in sorted(changes, key=lambda c: c.changed_at):
        after = [
            p
            for p in publications
            if p.registration_id == change.registration_id
            and p.published_at >= change.changed_at - clock_slack
        ]
        published = min((p.published_at for p in after), default=None)
        ids = {p.event_id for p in after}
        slack_at = min((first_slack[i] for i in ids if i in first_slack), default=None)
        sns_at = min((first_sns[i] for i in ids if i in first_sns), default=None)
        trigger = None if published is None else _trigger_of(change, published, triggers, clock_slack)
        out.append(Latency(change, trigger, published, slack_at, sns_at))
    return out


def _first_arrivals(arrivals: Sequence[Arrival]) -> dict[str, float]:
    first: dict[str, float] = {}
    for arrival in arrivals:
        if arrival.event_id not in first or arrival.arrived_at < first[arrival.event_id]:
            first[arrival.event_id] = arrival.arrived_at
    return first


def _trigger_of(
    change: Change, published: float, triggers: Sequence[Trigger], clock_slack: float
) -> Trigger | None:
    """The native rescan of the registration that began between change and publication, else the
    last scheduled scan begun before the publication (possibly before the change: a scan in flight)."""
    rescans = [
        t
        for t in triggers
        if t.kind == NATIVE
        and t.registration_id == change.registration_id
        and change.changed_at <= t.started <= published + clock_slack
    ]
    if rescans:
        return min(rescans, key=lambda t: t.started)
    scans = [t for t in triggers if t.kind == SCHEDULE and t.started <= published + clock_slack]
    return max(scans, key=lambda t: t.started) if scans else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5, 0.95, 0.99); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _values(items: Iterable[float | None]) -> list[float]:
    return [v for v in items if v is not None]


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def table(runs: Sequence[RunResult], cores: int) -> list[str]:
    """The generated section's body: settings, the two tables, the goals."""
    lines = [
        "| Run | Registrations | Schedule interval (wall) | Changes injected | Reached Slack | Reached SNS "
        "| Detected by native event / schedule | Load average before → after (1/5/15 min, "
        f"{cores} cores) | Run time |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.registrations} | {run.schedule_seconds:.0f} s | {run.injected} "
            f"| {run.reached('slack')}/{run.injected} | {run.reached('sns')}/{run.injected} "
            f"| {run.detected_by(NATIVE)} / {run.detected_by(SCHEDULE)} "
            f"| {_load(run.load_before)} → {_load(run.load_after)} | {run.seconds:.0f} s |"
        )
    lines += [
        "",
        "Seconds from the change at the emulator to the message (nearest-rank percentiles):",
        "",
        "| Run | Destination | p50 | p95 | p99 | max |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        for destination, label in (("slack", "Slack post"), ("sns", "SNS message (SQS subscriber)")):
            values = _values(item.since_change(_arrival(item, destination)) for item in run.latencies)
            cells = " | ".join(_seconds(percentile(values, share)) for share in (0.5, 0.95, 0.99, 1.0))
            lines.append(f"| {run.name} | {label} | {cells} |")
    lines += [
        "",
        "Where the time goes, change → Slack post (seconds):",
        "",
        "| Run | Waiting for the trigger p50 | p95 | regwatch processing p50 | p95 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        waiting = _values(item.waiting for item in run.latencies)
        processing = _values(item.processing for item in run.latencies)
        lines.append(
            f"| {run.name} | {_seconds(percentile(waiting, 0.5))} | {_seconds(percentile(waiting, 0.95))} "
            f"| {_seconds(percentile(processing, 0.5))} | {_seconds(percentile(processing, 0.95))} "
            f"| {_seconds(percentile(processing, 1.0))} |"
        )
    lines += ["", *goals(runs)]
    for run in runs:
        lines += [f"- {run.name}: {note}" for note in run.notes]
    return lines


def goals(runs: Sequence[RunResult]) -> list[str]:
    out = []
    for run in runs:
        if run.drop_rate == 0.0:
            values = _values(item.since_change(item.slack_at) for item in run.latencies)
            p99 = percentile(values, 0.99)
            met = p99 is not None and p99 <= NATIVE_P99_GOAL_SECONDS and run.reached("slack") == run.injected
            out.append(
                f"- Native-event path, p99 change → Slack ≤ {NATIVE_P99_GOAL_SECONDS:.0f} s: "
                f"{_seconds(p99)} s — {'met' if met else '**MISSED**'}"
            )
        if run.drop_rate == 1.0:
            complete = run.reached("slack") == run.reached("sns") == run.injected
            out.append(
                "- No change missed with every native event dropped: "
                f"Slack {run.reached('slack')}/{run.injected}, SNS {run.reached('sns')}/{run.injected} — "
                f"{'met' if complete else '**MISSED**'}"
            )
    return out
