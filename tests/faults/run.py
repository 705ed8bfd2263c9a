"""`make faults`: run the fault suite and write its tables into docs/reliability.md.

    python -m tests.faults.run [-n 2] [-k EXPRESSION] [--no-docs]

Runs `pytest tests/faults` with each row recording its outcome (tests/faults/results.py),
then writes three generated sections with the command, date, machine and git revision:
`reliability-faults` (the rows through Slack and SNS), `reliability-faults-destinations`
(the rows that add another destination beside them: PagerDuty, Teams, the signed webhook)
and `reliability-faults-floods` (the deletion floods of tests/faults/test_floods.py), then
the README's quoted figures (benchmarks/readme_figures.py). With `-k` only the matching rows
run, and only a section all of whose rows ran is written. Exit status is pytest's: a failing
row is still shown in the table (column "As expected" = **no**), but the command fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.docs_sections import ROOT, GeneratedSection, Results, provenance
from benchmarks.readme_figures import write_docs_and_readme
from tests.faults.results import RESULTS_ENV

RESULTS_FORMAT = 2  # format 1: one section, rows with extra destinations not told apart
RESULTS_FILE = ROOT / "benchmarks" / "results" / "faults.json"
DOCUMENT = "docs/reliability.md"
CHAPTER = "## Results as measured"
DESTINATIONS_CHAPTER = "### Rows that add a destination"
# What one delivery to an extra destination is called in the table.
DELIVERY_NOUN = {"pagerduty": "triggers", "teams": "cards", "webhook": "events processed"}

COLUMNS = (
    ("Struck", "struck"),
    ("Transitions injected", "injected"),
    ("Events published", "published"),
    ("Slack posts", "slack"),
    ("SNS messages", "sns"),
    ("Lost", "lost"),
    ("Duplicates", "duplicates"),
    ("Dead-lettered", "dead_lettered"),
    ("Left in DLQ", "left_in_dlq"),
    ("Redriven", "redriven"),
    ("Failed scanner invocations", "failed_invocations"),
)


def as_expected(row: dict[str, Any]) -> bool:
    return (
        row["struck"] > 0
        and row["lost"] == 0
        and row["duplicates"] == row["expected_duplicates"]
        and row["dead_lettered"] == row["expected_dead_letters"]
        and row["left_in_dlq"] == row["expected_left_in_dlq"]
    )


def _cell(key: str, row: dict[str, Any]) -> str:
    value = row[key]
    if key == "published":
        return f"{value} ({row['published_copies']})"
    if key == "duplicates" and value:
        return f"**{value}**"
    return str(value)


def table(rows: list[dict[str, Any]], row_order: Sequence[str], pytest_summary: str) -> str:
    """The rows through Slack and SNS only."""
    by_id = {row["row"]: row for row in rows}
    header = "| Fault (row id) | " + " | ".join(label for label, _ in COLUMNS) + " | As expected |"
    lines = [
        f"pytest: {pytest_summary}",
        "",
        '"Events published" counts distinct `eventId`s, registration-level events included; the '
        "copies in brackets count every accepted PutEvents entry (a re-published event is a copy). "
        '"Struck" is how often the fault fired (SDK attempts included).',
        "",
        header,
        "|---|" + "---:|" * len(COLUMNS) + "---|",
    ]
    for row_id in row_order:
        if row_id in by_id:
            row = by_id[row_id]
            cells = " | ".join(_cell(key, row) for _, key in COLUMNS)
            lines.append(f"| `{row_id}` | {cells} | {'yes' if as_expected(row) else '**no**'} |")
    return "\n".join(lines + _missing(by_id, row_order))


def _missing(by_id: dict[str, Any], row_order: Sequence[str]) -> list[str]:
    missing = [row_id for row_id in row_order if row_id not in by_id]
    if not missing:
        return []
    return ["", f"Rows that recorded no outcome (errored before the end): {', '.join(missing)}."]


def _reached(row: dict[str, Any]) -> str:
    return "; ".join(
        f"{figures['reached']} {DELIVERY_NOUN.get(name, 'deliveries')} ({figures['expected']} expected)"
        for name, figures in sorted(row["destinations"].items())
    )


def destinations_table(rows: list[dict[str, Any]], row_order: Sequence[str], pytest_summary: str) -> str:
    """The rows that add a destination beside Slack and SNS: what reached that destination."""
    by_id = {row["row"]: row for row in rows}
    lines = [
        f"pytest: {pytest_summary}",
        "",
        "| Fault (row id) | Struck | Events published | Reached the destination | Lost | Duplicates | "
        "Dead-lettered | Redriven | As expected |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row_id in row_order:
        if row_id in by_id:
            row = by_id[row_id]
            lines.append(
                f"| `{row_id}` | {row['struck']} | {row['published']} | {_reached(row)} | {row['lost']} | "
                f"{_cell('duplicates', row)} | {row['dead_lettered']} | {row['redriven']} | "
                f"{'yes' if as_expected(row) else '**no**'} |"
            )
    return "\n".join(lines + _missing(by_id, row_order))


FLOODS_CHAPTER = "### Deletion floods"


def flood_as_expected(row: dict[str, Any]) -> bool:
    deleted = (row["deleted_events"], row["deleted_slack"], row["deleted_sns"])
    held = (row["held_events"], row["held_slack"], row["held_sns"])
    return (
        row["struck"] > 0
        and row["lost"] == 0
        and row["duplicates"] == 0
        and deleted == (row["expected_deleted"],) * 3
        and held == (row["expected_held"],) * 3
    )


def floods_table(rows: list[dict[str, Any]], row_order: Sequence[str], pytest_summary: str) -> str:
    """The deletion-flood rows (tests/faults/test_floods.py): held alerts and DELETED alerts."""
    by_id = {row["row"]: row for row in rows}
    lines = [
        f"pytest: {pytest_summary}",
        "",
        "Alerts are counted as distinct eventIds on the bus / Slack posts / SNS messages.",
        "",
        "| Fault (row id) | Struck | Held-deletions alerts | DELETED alerts | Real deletions | Lost | "
        "Duplicates | As expected |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row_id in row_order:
        if row_id in by_id:
            row = by_id[row_id]
            verdict = "yes" if flood_as_expected(row) else "**no**"
            held = f"{row['held_events']} / {row['held_slack']} / {row['held_sns']}"
            deleted = f"{row['deleted_events']} / {row['deleted_slack']} / {row['deleted_sns']}"
            lines.append(
                f"| `{row_id}` | {row['struck']} | {held} | {deleted} | {row['expected_deleted']} | "
                f"{row['lost']} | {_cell('duplicates', row)} | {verdict} |"
            )
    return "\n".join(lines + _missing(by_id, row_order))


def sections(
    rows: list[dict[str, Any]],
    plain_rows: Sequence[str],
    destination_rows: Sequence[str],
    summary: str,
    *,
    chosen: bool = False,
    flood_rows: Sequence[str] = (),
) -> list[GeneratedSection]:
    """Every section (a row that errored before recording is named under its table); with rows
    `chosen` by -k, only the sections all of whose rows ran."""
    recorded = {row["row"] for row in rows}
    out = []
    if flood_rows and (not chosen or set(flood_rows) <= recorded):
        out.append(
            GeneratedSection(
                "reliability-faults-floods", DOCUMENT, floods_table(rows, flood_rows, summary), FLOODS_CHAPTER
            )
        )
    if not chosen or set(plain_rows) <= recorded:
        out.append(
            GeneratedSection("reliability-faults", DOCUMENT, table(rows, plain_rows, summary), CHAPTER)
        )
    if not chosen or set(destination_rows) <= recorded:
        out.append(
            GeneratedSection(
                "reliability-faults-destinations",
                DOCUMENT,
                destinations_table(rows, destination_rows, summary),
                DESTINATIONS_CHAPTER,
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--workers", default="2", help="pytest-xdist workers (default 2)")
    parser.add_argument("-k", dest="expression", help="only the rows matching this pytest -k expression")
    parser.add_argument("--no-docs", action="store_true", help="run and save results, do not write the docs")
    argv = list(sys.argv[1:] if argv is None else argv)
    arguments = parser.parse_args(argv)
    origin = provenance(f"python -m tests.faults.run {shlex.join(argv)}" if argv else "make faults")
    from tests.faults.test_faults import ROWS
    from tests.faults.test_floods import FLOOD_ROWS

    with tempfile.TemporaryDirectory(prefix="regwatch-faults-") as folder:
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/faults",
                "-n",
                arguments.workers,
                "-q",
                "-p",
                "no:logging",
                *(["-k", arguments.expression] if arguments.expression else []),
            ],
            cwd=ROOT,
            env={**os.environ, RESULTS_ENV: folder},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        rows = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(folder).glob("*.json"))]
    summary_line = (completed.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    print(completed.stdout[-3000:])
    if not rows:
        print(
            f"error: the fault suite recorded no rows ({summary_line}); see the pytest output above",
            file=sys.stderr,
        )
        return completed.returncode or 1
    summary = f"{summary_line} (wall {seconds:.0f} s, -n {arguments.workers})"
    plain_rows = [row.id for row in ROWS if not row.destinations]
    destination_rows = [row.id for row in ROWS if row.destinations]
    written = sections(
        rows,
        plain_rows,
        destination_rows,
        summary,
        chosen=bool(arguments.expression),
        flood_rows=[row.id for row in FLOOD_ROWS],
    )
    for section in written:
        print(f"\n{section.body}")
    if not written:
        print(
            f"{len(rows)} rows ran: no section has all its rows (-k {arguments.expression!r}); "
            "nothing written",
            file=sys.stderr,
        )
        return completed.returncode
    results = Results("faults", RESULTS_FORMAT, origin, tuple(written))
    results.save(RESULTS_FILE)
    if not arguments.no_docs:
        for line in write_docs_and_readme(results):
            print(f"wrote {line}", file=sys.stderr)
    return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
