"""Measured figures are written by the commands that measure them, never pasted by hand.

Each generated section carries a checksum of its text (benchmarks/docs_sections.py): these
tests fail when a section in the docs was edited by hand, not when figures change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.docs_sections import (
    GeneratedSection,
    Provenance,
    Results,
    ResultsFormatError,
    check_document,
    default_documents,
    load_results,
    render_section,
    replace_section,
)

ORIGIN = Provenance("make bench", "2026-01-05 00:00 UTC", "2 cores, 1.0 GiB RAM, Python 3.11.7", "abc123")


@pytest.mark.parametrize("path", default_documents(), ids=lambda path: path.name)
def test_no_generated_section_in_the_docs_was_edited_by_hand(path: Path) -> None:
    edited = [check for check in check_document(path.read_text(encoding="utf-8")) if not check.ok]
    assert not edited, "; ".join(f"{c.name}: {c.problem}; re-run `{c.command}`" for c in edited)


def test_the_measured_docs_have_generated_sections() -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("performance.md", "reliability.md"):
        assert check_document((root / "docs" / name).read_text(encoding="utf-8")), f"{name}: no section"


def test_a_rewritten_section_passes_and_a_hand_edit_fails() -> None:
    document = "# Doc\n\n## Results\n\ntext\n\n## Findings\n"
    written = replace_section(
        document, "bench-n10", render_section("bench-n10", ORIGIN, "| a | 1 |"), chapter="## Results"
    )
    assert written.index("bench-n10") < written.index("## Findings")
    assert [check.ok for check in check_document(written)] == [True]
    # New figures from a new run: still fine.
    rerun = replace_section(written, "bench-n10", render_section("bench-n10", ORIGIN, "| a | 2 |"))
    assert [check.ok for check in check_document(rerun)] == [True]
    assert rerun.count("BEGIN GENERATED") == 1
    # A figure changed by hand: caught, naming the command that rewrites it.
    tampered = written.replace("| a | 1 |", "| a | 0 |")
    (check,) = check_document(tampered)
    assert not check.ok and check.command == "make bench" and "by hand" in check.problem


def test_a_section_without_its_end_marker_is_reported() -> None:
    section = render_section("bench-n10", ORIGIN, "body")
    (check,) = check_document(section.rsplit("\n", 1)[0])
    assert not check.ok and "END GENERATED" in check.problem


def test_results_round_trip_and_an_older_format_is_refused(tmp_path: Path) -> None:
    results = Results("bench", 2, ORIGIN, (GeneratedSection("bench-n10", "docs/x.md", "body", "## R"),))
    path = tmp_path / "latest.json"
    results.save(path)
    assert load_results(path, "bench", 2, "make bench") == results
    path.write_text(json.dumps({"format": 1, "kind": "bench"}))
    with pytest.raises(ResultsFormatError, match=r"older or different command.*run `make bench`"):
        load_results(path, "bench", 2, "make bench")
    with pytest.raises(ResultsFormatError, match="run `make soak`"):
        load_results(tmp_path / "missing.json", "soak", 1, "make soak")
