"""`python -m benchmarks.run --steady-state` at a tiny size: the real Scanner on its simulated
clock through every delivery of AWS's native events; nothing missed, the counts add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.docs_sections import table_rows
from benchmarks.steady_state import SteadyConfig, SteadyResult, run_steady_state
from benchmarks.steady_state_report import COLUMNS

SIZE = 300
HOURS = 1 / 3  # 20 simulated minutes


def test_the_command_writes_one_row_per_run_and_none_missed_anything(tmp_path: Path) -> None:
    output = tmp_path / "steady-state.md"
    arguments = ["--steady-state", "--steady-size", str(SIZE), "--steady-hours", str(HOURS)]
    assert run.main([*arguments, "--output", str(output)]) == 0
    [section] = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))["sections"]
    assert (section["name"], section["document"]) == ("performance-steady-state", "docs/performance.md")
    rows = table_rows(section["body"])
    assert list(rows[0]) == list(COLUMNS)
    modes = len(run.STEADY_LISTING_MINUTES)
    # Three deliveries per listing mode at the default rate, then the stress rate delivered.
    assert len(rows) == 4 * modes
    assert [row["Run"].split(", ", 1)[1] for row in rows[: 3 * modes]] == [
        delivery for delivery in ("all delivered", "10 % dropped", "all dropped") for _ in range(modes)
    ]
    assert all(row["Missed"].startswith("0 of") for row in rows)
    assert output.read_text(encoding="utf-8").startswith("## A steady-state hour at the deployed pace")


@pytest.mark.parametrize("drop_share", [0.0, 0.1, 1.0])
def test_every_change_is_published_after_it_happened_and_the_calls_add_up(drop_share: float) -> None:
    config = SteadyConfig(
        size=SIZE, hours=HOURS, change_rate=90, drop_share=drop_share, in_flight_share=0.1, hidden_share=0.5
    )
    result = run_steady_state(config)
    changes = result.changes
    assert len(changes) == 30
    hidden = [c for c in changes if not c.shown]
    assert hidden, "the configuration must hide some changes from the summary"
    # Every change detected, none before it happened; hidden ones only by reconciliation.
    assert result.missed == 0
    assert all(result.detected_at[i] >= change.at for i, change in enumerate(changes))
    assert all(c.event_at is None for c in hidden)
    # One rescan per delivered event; each begins with one DescribeRegistrations.
    delivered = [c for c in changes if c.event_at is not None]
    in_hours = [c for c in delivered if c.event_at is not None and c.event_at < HOURS * 3600]
    assert result.rescans == len(in_hours)
    assert result.rescan_calls["DescribeRegistrations"] == len(in_hours)
    # The hour's calls are the scheduled scans' plus the rescans'.
    assert sum(result.calls.values()) == sum(result.scan_calls) + sum(result.rescan_calls.values())
    assert len(result.scan_calls) == sum(result.listings.values()) >= 4
    shown = result.delays(shown=True)
    if drop_share == 0.0:
        assert len(delivered) == len(changes) - len(hidden)
        assert max(shown) < 60  # a native event's rescan: seconds, not the next schedule
    if drop_share == 1.0:
        assert result.rescans == 0
        assert max(shown) > 10  # only the scheduled listings found them


def test_adaptive_listing_lists_less_while_events_flow_and_falls_back_when_they_stop() -> None:
    def run_with(drop_share: float, minutes: float) -> SteadyResult:
        config = SteadyConfig(
            size=SIZE, hours=HOURS, change_rate=90, drop_share=drop_share, full_listing_minutes=minutes
        )
        return run_steady_state(config)

    full, adaptive = run_with(0.0, 0.0), run_with(0.0, 15.0)
    assert full.listings["in-flight"] == 0 and adaptive.listings["in-flight"] > 0
    assert adaptive.fallbacks == 0
    assert adaptive.calls["DescribeRegistrations"] < full.calls["DescribeRegistrations"]
    # Every event dropped: a listing finds a change no event announced, then lists fully again.
    dropped = run_with(1.0, 15.0)
    assert dropped.fallbacks > 0 and dropped.listings["full"] > adaptive.listings["full"]
    assert full.missed == adaptive.missed == dropped.missed == 0
