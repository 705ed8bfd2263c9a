"""`make bench` refuses bad input in one line saying what to run instead (nothing is measured)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run, workers


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0, error
    return error


def test_an_unknown_scenario_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--scenario", "latencyy"]) == 2
    error = _one_line_error(capsys)
    assert "unknown bench scenario 'latencyy'" in error and "make bench" in error
    assert "scenarios: scale, latency" in error


def test_a_results_file_of_an_older_format_says_to_measure_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = tmp_path / "latest.json"
    old.write_text(json.dumps({"sizes": [1000]}))  # format 1 had no kind/format fields
    assert run.main(["--docs-from", str(old)]) == 2
    error = _one_line_error(capsys)
    assert "older or different command" in error and "run `make bench`" in error


def test_without_proc_the_rss_note_says_what_is_shown_and_what_to_run() -> None:
    assert "no Linux /proc" in workers.PER_SCAN_RSS_MISSING and "make bench" in workers.PER_SCAN_RSS_MISSING
    assert workers.per_scan_peak_rss_supported() == Path("/proc/self/clear_refs").exists()
