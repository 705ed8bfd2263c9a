"""Measured figures are written by the commands that measure them, never pasted by hand.

Each generated section carries a checksum of its text (benchmarks/docs_sections.py): these
tests fail when a section in the docs was edited by hand, not when figures change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import readme_figures
from benchmarks.docs_sections import (
    GeneratedSection,
    Provenance,
    Results,
    ResultsFormatError,
    check_document,
    default_documents,
    load_results,
    read_sections,
    render_section,
    replace_section,
    table_cell,
    table_rows,
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


def _document(*sections: tuple[str, str]) -> str:
    return "# Doc\n\n## Results\n\n" + "\n\n".join(render_section(n, ORIGIN, b) for n, b in sections) + "\n"


def test_sections_read_back_with_their_date_and_table_cells() -> None:
    body = (
        "### N = 10\n\n| Figure | naive | regwatch |\n|---|---:|---:|\n"
        "| **SMS API calls, total** | 1,010 | 23 |"
    )
    (section,) = read_sections(_document(("performance-n10", body))).values()
    assert section.name == "performance-n10" and section.measured_on == "2026-01-05 00:00 UTC"
    assert table_cell(section.body, "SMS API calls, total", "regwatch") == "23"
    assert table_cell(section.body, "SMS API calls, total", "ratio") is None
    assert table_cell(section.body, "Peak RSS", "regwatch") is None
    assert table_rows(section.body) == [
        {"Figure": "SMS API calls, total", "naive": "1,010", "regwatch": "23"}
    ]
    # A section without its checksum line is not read back (it is reported by the check instead).
    assert read_sections("<!-- BEGIN GENERATED: x (make bench) -->\nbody\n<!-- END GENERATED: x -->") == {}


def _docs(root: Path, performance: str, reliability: str) -> None:
    (root / "docs").mkdir()
    (root / "docs" / "performance.md").write_text(performance, encoding="utf-8")
    (root / "docs" / "reliability.md").write_text(reliability, encoding="utf-8")
    (root / "README.md").write_text(
        f"# R\n\n{readme_figures.CHAPTER}\n\ntext\n\n## Deploy\n", encoding="utf-8"
    )


def test_the_readme_quotes_named_rows_of_the_docs_sections_and_says_where_from(tmp_path: Path) -> None:
    scale = (
        "### N = 10,000 registrations\n\n"
        "| Figure | naive | regwatch | naive/regwatch |\n|---|---:|---:|---:|\n"
        "| **SMS API calls, total** | 10,100 | 245 | 41.2× |\n"
        "| Peak RSS of the scanner process, steady-state scans (MB) | 63.4 | 130.9 | 0.5× |\n"
        "| Peak RSS of the scanner process, baseline scan (MB) | 63.4 | 86 | 0.7× |\n"
    )
    faults = (
        "| Fault (row id) | Lost | Duplicates | As expected |\n|---|---:|---:|---|\n"
        "| `a` | 0 | 0 | yes |\n| `slack-late` | 0 | **1** | yes |\n"
    )
    _docs(tmp_path, _document(("performance-n10000", scale)), _document(("reliability-faults", faults)))
    readme_figures.write_readme_figures(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert readme.index("readme-figures") < readme.index("## Deploy")
    (section,) = read_sections(readme).values()
    assert "**245 SMS API calls** against 10,100 for a naive poller (**41.2×** fewer)" in section.body
    assert "130.9 MB in a steady-state scan, 86 MB in the first scan" in section.body
    assert "section `performance-n10000`, measured 2026-01-05 00:00 UTC" in section.body
    assert "**0** alerts lost, **1** duplicate(s) in `slack-late`" in section.body
    assert "2 of 2 rows as expected" in section.body
    assert "not measured yet (no section `performance-org-scale`" in section.body
    assert [check.ok for check in check_document(readme)] == [True]
    assert readme_figures.readme_is_current(tmp_path)
    # Quoting unchanged docs changes nothing; a new measurement in the docs makes the quote stale.
    readme_figures.write_readme_figures(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == readme
    performance = tmp_path / "docs" / "performance.md"
    performance.write_text(_document(("performance-n10000", scale.replace("| 245 |", "| 250 |"))), "utf-8")
    assert not readme_figures.readme_is_current(tmp_path)


def test_the_readme_quotes_the_docs_as_they_are() -> None:
    assert readme_figures.readme_is_current(), (
        "README.md's readme-figures section does not match the docs' generated sections; "
        "run `python -m benchmarks.readme_figures`"
    )
