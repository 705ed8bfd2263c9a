"""The alert-latency scenario (`make bench ARGS="--scenario latency"`): structure, never timing.

The first tests run the scenario at a tiny size on the real local stack (synthesized
template, bundled functions, moto, emulator, Slack server): every injected change must
reach Slack and SNS in both runs, and the table must have its rows. The others check how
changes are matched to their trigger and messages, on hand-made observations.
"""

from __future__ import annotations

import pytest

from benchmarks.docs_sections import Provenance
from benchmarks.latency import LatencyConfig, measure, results
from benchmarks.latency_report import (
    NATIVE,
    SCHEDULE,
    Arrival,
    Change,
    Publication,
    RunResult,
    Trigger,
    match,
    percentile,
    table,
)

TINY = LatencyConfig(registrations=20, changes=3, spread_seconds=3.0, schedule_seconds=4.0, seed=5)
ORIGIN = Provenance(
    "python -m benchmarks.run --scenario latency", "2026-01-05 00:00 UTC", "2 cores", "abc123"
)


@pytest.fixture(scope="module")
def runs() -> list[RunResult]:
    return measure(TINY, log=lambda line: None)


@pytest.mark.slow
def test_every_change_reaches_slack_and_sns_in_both_runs(runs: list[RunResult]) -> None:
    assert [run.drop_rate for run in runs] == [0.0, 1.0]
    for run in runs:
        assert run.injected == TINY.changes, run.notes
        assert run.reached("slack") == run.injected and run.reached("sns") == run.injected, run.name
    delivered, dropped = runs
    assert not any(item.change.native_dropped for item in delivered.latencies)
    assert all(item.change.native_dropped for item in dropped.latencies)
    # With every native event dropped only the schedule can have found the changes.
    assert dropped.detected_by(NATIVE) == 0 and dropped.detected_by(SCHEDULE) == dropped.injected


@pytest.mark.slow
def test_the_section_has_a_row_per_run_and_destination(runs: list[RunResult]) -> None:
    (section,) = results(runs, TINY, ORIGIN, 2).sections
    assert section.name == "performance-latency" and section.document == "docs/performance.md"
    rows = section.body.splitlines()
    for run in runs:
        assert sum(1 for row in rows if row.startswith(f"| {run.name} |")) == 4  # settings, Slack, SNS, split
    assert any(row.startswith("- Native-event path, p99") for row in rows)
    assert any(row.startswith("- No change missed with every native event dropped") for row in rows)
    assert "Load average" in section.body


def test_a_change_is_attributed_to_its_native_rescan_else_to_the_scan_that_found_it() -> None:
    changes = [Change("r-native", "COMPLETE", 100.0, False), Change("r-sched", "REVIEWING", 101.0, True)]
    triggers = [
        Trigger(SCHEDULE, 95.0),
        Trigger(NATIVE, 100.3, "r-native"),
        Trigger(NATIVE, 100.4, "r-other"),
        Trigger(SCHEDULE, 110.0),
    ]
    publications = [
        Publication("r-native", "e1", 100.9),
        Publication("r-native", "e2", 101.0),
        Publication("r-sched", "e3", 112.0),
        Publication("r-sched", "old", 50.0),  # before the change: not its event
    ]
    slack = [Arrival("e2", 101.5), Arrival("e1", 101.8), Arrival("e3", 112.5), Arrival("old", 50.5)]
    sns = [Arrival("e1", 101.2)]
    native, scheduled = match(changes, triggers, publications, slack, sns)
    assert native.trigger == Trigger(NATIVE, 100.3, "r-native")
    assert native.slack_at == 101.5 and native.sns_at == 101.2 and native.published_at == 100.9
    assert native.waiting == pytest.approx(0.3) and native.processing == pytest.approx(1.2)
    assert scheduled.trigger == Trigger(SCHEDULE, 110.0)
    assert scheduled.sns_at is None and scheduled.waiting == pytest.approx(9.0)


def test_a_scan_already_running_at_the_change_counts_from_the_change() -> None:
    (item,) = match(
        [Change("r", "COMPLETE", 100.0, True)],
        [Trigger(SCHEDULE, 98.0)],
        [Publication("r", "e", 101.0)],
        [Arrival("e", 102.0)],
        [],
    )
    assert item.waiting == 0.0 and item.processing == 2.0


def test_an_undetected_change_shows_in_the_counts_and_misses_the_goal() -> None:
    (item,) = match([Change("r", "COMPLETE", 100.0, True)], [Trigger(SCHEDULE, 98.0)], [], [], [])
    run = RunResult("dropped", 1.0, 25.0, 10, [item], (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 1.0)
    text = "\n".join(table([run], 2))
    assert run.reached("slack") == 0 and "| 0/1 | 0/1 |" in text
    assert "Slack 0/1, SNS 0/1 — **MISSED**" in text


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0 and percentile([], 0.5) is None
