"""`python -m benchmarks.run --first-scan` at a tiny size: the command runs the real Scanner on
its simulated clock to the last registration read, both orders, and writes its section."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import run
from benchmarks.docs_sections import table_cell, table_rows
from benchmarks.first_scan import TABLE_ROWS

SIZE = 3_000


def _minutes(cell: str | None) -> float:
    assert cell is not None and cell != "not reached"
    number, unit = cell.split()
    return float(number) * (60 if unit == "h" else 1)


def test_the_first_scan_bench_reads_everything_and_alerts_actionable_ones_first(tmp_path: Path) -> None:
    output = tmp_path / "first-scan.md"
    assert run.main(["--first-scan", "--first-scan-size", str(SIZE), "--output", str(output)]) == 0
    saved = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    [section] = saved["sections"]
    assert section["name"] == "performance-first-scan"
    assert section["document"] == "docs/performance.md"
    body = section["body"]
    assert [row[""] for row in table_rows(body)] == list(TABLE_ROWS)
    on, off = f"N = {SIZE:,}, triage on", f"N = {SIZE:,}, triage off"
    # Both orders read every registration; triage alerts every actionable one sooner.
    for column in (on, off):
        assert _minutes(table_cell(body, "100 % read in full", column)) > 0
        assert int(str(table_cell(body, "Invocations (15 min each)", column))) >= 2
    triaged = _minutes(table_cell(body, "All actionable alerted", on))
    in_listing_order = _minutes(table_cell(body, "All actionable alerted", off))
    assert triaged < in_listing_order / 2
    assert output.read_text(encoding="utf-8").startswith("## First scan at the deployed pace")
