"""benchmarks/cost.py: docs/cost.md is exactly what the script makes of the recorded result.

The fixture is a recorded `make bench` result (benchmarks/cost_inputs.py wrote it); a few
cells are recomputed here from the fixture and the price table, independently of the
script's model: the snapshot-query reads at a measured size, the fixed monthly lines, the
API-budget writes (one per SMS call of scans and rescans).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.cost import (
    DEFAULT_INPUT,
    DOC,
    PRICES,
    Deployment,
    api_budget_item_bytes,
    api_budget_write_units,
    render,
)
from benchmarks.instrument import API_BUDGET_CALLS

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
    """Every scan queries the whole snapshot: read units grow linearly with the registrations;
    each lost API-budget race adds one consistent read of the small slot item."""
    (small, large) = sorted(_load(FIXTURE)["sizes"], key=lambda size: size["registrations"])
    slope = (large["readUnitsPerScan"] - small["readUnitsPerScan"]) / (
        large["registrations"] - small["registrations"]
    )
    rows = _rows(doc, "## One account, one region")
    races = Deployment().budget_races_per_rescan_call * (1 + _sms_calls_per_change(doc))
    rescans = _usage_rows(doc, "## One account, one region")["native-event rescans / month"]
    for column, registrations in enumerate((1_000, 10_000, 100_000)):
        per_scan = small["readUnitsPerScan"] + slope * (registrations - small["registrations"])
        units = per_scan * SCANS_PER_MONTH + rescans[column] * races
        expected = units / 1e6 * prices["dynamodb"]["perMillionReadRequestUnits"]
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


def _sms_calls_per_change(doc: str) -> float:
    """The measured per-change SMS calls the doc states ("…: 1.81 SMS calls, …")."""
    return float(doc.split(" SMS calls, ", maxsplit=1)[0].rsplit(": ", 1)[1])


def _usage_rows(text: str, heading: str) -> dict[str, list[float]]:
    section = text[text.index(heading) :]
    table = section[section.index("| Usage |") :].split("\n\n")[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = [float(cell.replace(",", "")) for cell in cells[1:]]
    return rows


def test_the_api_budget_item_is_one_write_unit() -> None:
    """The largest slot item the real TableCallPacer writes stays under DynamoDB's 1 KB unit."""
    assert 60 < api_budget_item_bytes() < 1024
    assert api_budget_write_units() == 1.0


def test_every_sms_call_of_scans_and_rescans_pays_one_budget_write(doc: str) -> None:
    """Scheduled scans: one write per SMS call (up to what the interval lets through); rescans:
    their lookup, plus the lost races of every rescan call (upper bound)."""
    deployment = Deployment()
    per_change = _sms_calls_per_change(doc)
    rows = _usage_rows(doc, "## One account, one region")
    budget = rows["… of which API budget (1 per SMS call, races)"]
    cap = deployment.api_calls_per_second * deployment.schedule_minutes * 60
    for column in range(3):
        calls = min(rows["SMS API calls per scan (each)"][column], cap) * SCANS_PER_MONTH
        rescans = rows["native-event rescans / month"][column]
        rescan_writes = rescans * (1 + deployment.budget_races_per_rescan_call * (1 + per_change))
        # The usage table rounds the calls per scan to a whole call.
        assert budget[column] == pytest.approx(calls + rescan_writes, abs=0.5 * SCANS_PER_MONTH), column
        assert rows["DynamoDB write units / month"][column] > budget[column]
    # 1 status change per registration per month, one native event each.
    assert rows["native-event rescans / month"] == [1_000, 10_000, 100_000]


def test_a_recording_that_counts_the_budget_writes_is_not_charged_twice(prices: dict[str, Any]) -> None:
    """Since the API budget, the benchmark's scans count its UpdateItems (apart, instrument.py)
    and their units in writeUnitsPerScan: the model prices them per SMS call instead."""
    recording = _load(FIXTURE)
    with_budget = copy.deepcopy(recording)
    for size in with_budget["sizes"]:
        calls = size["callsPerScan"]
        sms_calls = sum(n for op, n in calls.items() if op.startswith("pinpoint-sms-voice-v2:"))
        calls[API_BUDGET_CALLS] = sms_calls
        size["writeUnitsPerScan"] += sms_calls
    assert render(with_budget, prices) == render(recording, prices)
