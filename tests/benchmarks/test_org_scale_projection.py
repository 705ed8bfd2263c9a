"""The org-scale benchmark's projection arithmetic (benchmarks/org_scale.py): no timing asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.docs_sections import Provenance, render_section
from benchmarks.org_scale import (
    OrgScaleConfig,
    ScheduleResult,
    SteadyScanReference,
    makespan,
    projected_seconds,
    render_org_scale,
    ten_k_reference,
)
from benchmarks.pacing import paced_seconds


def test_makespan_assigns_each_item_to_the_first_free_worker() -> None:
    assert makespan([], 50) == 0
    assert makespan([10, 10, 10, 10], 2) == 20
    assert makespan([30, 10, 10, 10], 2) == 30
    assert makespan([5] * 100, 1) == 500
    assert makespan([5] * 100, 100) == 5


def test_projection_scales_only_the_paced_api_time() -> None:
    # 80 SMS calls paced at 0.8/s compressed x100 took 1 s; 0.5 s more was overhead.
    target = {
        "apiCalls": {"DescribeRegistrations": 10, "DescribeRegistrationVersions": 70},
        "wallSeconds": 1.5,
    }
    assert projected_seconds(target, compression=100) == pytest.approx(80 / 0.8 + 0.5)
    # Overhead never goes negative when the compressed run was faster than its pacing bound.
    fast = {"apiCalls": {"DescribeRegistrations": 8}, "wallSeconds": 0.01}
    assert projected_seconds(fast, compression=100) == pytest.approx(10)


def test_projection_replays_the_recorded_call_order_when_the_worker_paced_it() -> None:
    # 40 listing pages and 40 version reads, alternating: each operation has its own bucket,
    # so the replay takes about 40 / 0.8 s, not the 80 / 0.8 s of the upper bound.
    sequence = ["DescribeRegistrations", "DescribeRegistrationVersions"] * 40
    target = {
        "apiCalls": {"DescribeRegistrations": 40, "DescribeRegistrationVersions": 40},
        "wallSeconds": 1.0,
        "pacedSeconds": paced_seconds(sequence),
        "pacedWaitCompressedSeconds": paced_seconds(sequence, 80, 0.0),
    }
    overhead = 1.0 - target["pacedWaitCompressedSeconds"]
    assert projected_seconds(target, compression=100) == pytest.approx(target["pacedSeconds"] + overhead)
    assert (40 - 1) / 0.8 <= target["pacedSeconds"] < 0.7 * 80 / 0.8  # the first token is free


def _schedule(kind: str) -> ScheduleResult:
    targets = [
        {"target": "111/us-east-1", "apiCalls": {"DescribeRegistrations": 22}, "wallSeconds": 0.5},
        {"target": "222/us-east-1", "apiCalls": {"DescribeRegistrations": 1}, "wallSeconds": 0.2},
    ]
    return ScheduleResult(
        kind, targets, 1.0, {"sqsBatches": 1}, 2, 150_000_000, 0, 3, 3, 3, {"111/us-east-1": 1000}
    )


def _render(reference: SteadyScanReference | None) -> str:
    return render_org_scale(
        OrgScaleConfig(accounts=1),
        [_schedule("baseline"), _schedule("steady 1")],
        {"duplicates": 0, "eventIds": 6},
        reference,
    )


def _write_ten_k_section(root: Path, table: str) -> None:
    origin = Provenance("make bench", "2026-01-05 00:00 UTC", "2 cores", "abc123")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "performance.md").write_text(
        render_section("performance-n10000", origin, table), encoding="utf-8"
    )


def test_the_ten_thousand_projection_reads_the_latest_n10000_section(tmp_path: Path) -> None:
    assert ten_k_reference(tmp_path) is None
    table = "| Figure | naive | regwatch |\n|---|---:|---:|\n| **SMS API calls, total** | 10,100 | 245 |"
    _write_ten_k_section(tmp_path, table)
    reference = ten_k_reference(tmp_path)
    assert reference is not None and reference.calls == 245
    assert "section `performance-n10000`, measured 2026-01-05 00:00 UTC" in reference.source

    body = _render(reference)
    assert "made 245 SMS calls (docs/performance.md, section `performance-n10000`" in body
    # A section from before the paced row: every call one after another at 0.8/s.
    assert "306 s all at 0.8/s one after another, so each overruns a 5-minute schedule" in body
    paced_row = "| API-paced time at 0.8 calls/s per operation (s) | 12,000 | 190 |"
    _write_ten_k_section(tmp_path, f"{table}\n{paced_row}")
    paced = ten_k_reference(tmp_path)
    assert paced is not None and paced.paced_seconds == 190
    paced_body = _render(paced)
    assert "190 s paced at 0.8/s per operation, so both fit one 5-minute schedule" in paced_body
    # The summary against the targets quotes the same figure.
    assert "two targets side by side, **190 s** each" in paced_body
    assert "**0 lost** (6/6 detected)" in body and "150–150 MB" in body
    missing = _render(None)
    assert "no N = 10,000 result in docs/performance.md" in missing and "219.3" not in missing
