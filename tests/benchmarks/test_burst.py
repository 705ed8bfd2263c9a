"""The native-event burst scenario (`make bench ARGS="--scenario burst"`): structure, never timing.

Runs the scenario at a tiny size on the real local stack (synthesized template, bundled
functions in separate processes, moto, the emulator with AWS's default quota on): every
change's native event is emitted and rescanned, the quota never refuses a call although four
execution environments rescan at once beside the schedule, and the section has its rows.
"""

from __future__ import annotations

import pytest

from benchmarks.burst import SECTION, BurstConfig, BurstResult, measure, table

TINY = BurstConfig(events=12, registrations=4, seed=3)


@pytest.fixture(scope="module")
def result() -> BurstResult:
    return measure(TINY, log=lambda line: None)


@pytest.mark.slow
def test_every_event_is_rescanned_and_the_quota_never_throttles(result: BurstResult) -> None:
    assert result.events_emitted == TINY.events
    assert result.rescans == TINY.events
    assert result.errors == 0
    assert result.calls["DescribeRegistrations"] >= TINY.events
    assert sum(result.throttles.values()) == 0, result.throttles


@pytest.mark.slow
def test_the_section_has_a_row_per_operation_and_the_total(result: BurstResult) -> None:
    lines = table(result)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| Operation")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [*sorted(result.calls), "**all**"]
    assert rows[-1].split(" | ")[2] == "**0**"
    assert f"{TINY.events} status changes" in lines[0]
    assert SECTION == "performance-native-burst"
