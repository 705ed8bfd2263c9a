"""benchmarks/cost.py: docs/cost.md is exactly what the script makes of the recorded result.

The fixture is a recorded `make bench` result (benchmarks/cost_inputs.py wrote it); a few
cells are recomputed here from the fixture and the price table, independently of the
script's model: the snapshot-query reads at a measured size, the fixed monthly lines.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.cost import DEFAULT_INPUT, DOC, PRICES, render

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cost-inputs.json"
SCANS_PER_MONTH = 730 * 12  # rate(5 minutes) over AWS's 730-hour month


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _rows(text: str, heading: str) -> dict[str, list[str]]:
    """The first table after `heading`: row label -> cells."""
    section = text[text.index(heading) :]
    table = section[section.index("| Service |") :].split("\n\n")[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("*")] = [cell.strip("*") for cell in cells[1:]]
    return rows


def _dollars(cell: str) -> float:
    return 0.0 if cell.startswith("<") else float(cell.lstrip("$").replace(",", ""))


def _money(value: float) -> str:
    return f"${value:,.0f}" if value >= 100 else f"${value:,.2f}"


@pytest.fixture(scope="module")
def prices() -> dict[str, Any]:
    return _load(PRICES)


@pytest.fixture(scope="module")
def doc(prices: dict[str, Any]) -> str:
    return render(_load(FIXTURE), prices)


def test_docs_cost_md_is_generated_from_the_recorded_result(prices: dict[str, Any]) -> None:
    assert DOC.read_text(encoding="utf-8") == render(_load(DEFAULT_INPUT), prices), "run `make cost`"


def test_snapshot_reads_follow_the_line_through_the_two_measured_sizes(
    doc: str, prices: dict[str, Any]
) -> None:
    """Every scan queries the whole snapshot: read units grow linearly with the registrations."""
    (small, large) = sorted(_load(FIXTURE)["sizes"], key=lambda size: size["registrations"])
    slope = (large["readUnitsPerScan"] - small["readUnitsPerScan"]) / (
        large["registrations"] - small["registrations"]
    )
    rows = _rows(doc, "## One account, one region")
    for column, registrations in enumerate((1_000, 10_000, 100_000)):
        per_scan = small["readUnitsPerScan"] + slope * (registrations - small["registrations"])
        expected = per_scan * SCANS_PER_MONTH / 1e6 * prices["dynamodb"]["perMillionReadRequestUnits"]
        assert rows["DynamoDB reads"][column] == _money(expected), registrations


def test_fixed_lines_and_totals(doc: str, prices: dict[str, Any]) -> None:
    cw = prices["cloudwatch"]
    for heading, regions in (("## One account, one region", 1), ("## An organization", 2)):
        rows = _rows(doc, heading)
        # 12 alarms for every deployment plus one missed-scan alarm per monitored region.
        assert set(rows["CloudWatch alarms"]) == {_money((12 + regions) * cw["perStandardAlarmMonth"])}
        assert set(rows["CloudWatch dashboard"]) == {_money(cw["perDashboardMonth"])}
        for column in range(3):
            parts = sum(_dollars(cells[column]) for label, cells in rows.items() if label != "Total")
            assert _dollars(rows["Total"][column]) == pytest.approx(parts, rel=0.02, abs=0.05)
        totals = [_dollars(cell) for cell in rows["Total"]]
        assert totals == sorted(totals), "more registrations never cost less"


def test_the_price_table_drives_the_figures(prices: dict[str, Any]) -> None:
    dearer = copy.deepcopy(prices)
    dearer["lambda"]["perGbSecond"] *= 2
    before = _rows(render(_load(FIXTURE), prices), "## One account, one region")
    after = _rows(render(_load(FIXTURE), dearer), "## One account, one region")
    for column in range(3):
        old, new = (_dollars(rows["Lambda compute, scanner"][column]) for rows in (before, after))
        assert new == pytest.approx(2 * old, rel=0.01)
        assert before["DynamoDB reads"][column] == after["DynamoDB reads"][column]


def test_the_organization_spreads_registrations_over_200_account_regions(doc: str) -> None:
    usage_section = doc[doc.index("## An organization") :]
    line = next(
        row for row in usage_section.splitlines() if row.startswith("| registrations per account-region")
    )
    assert [cell.strip() for cell in line.strip("|").split("|")[1:]] == ["5", "50", "500"]
