"""`make faults`: run the fault suite and write its table into docs/reliability.md (and README).

    python -m tests.faults.run [-n 2]

Runs `pytest tests/faults` with each row recording its outcome (tests/faults/results.py),
then writes the generated section `reliability-faults` (and the README's `readme-faults`)
with the command, date, machine and git revision. Exit status is pytest's: a failing row is
still shown in the table (column "As expected" = **no**), but the command fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.docs_sections import ROOT, GeneratedSection, Results, provenance
from tests.faults.results import RESULTS_ENV

RESULTS_FORMAT = 1
RESULTS_FILE = ROOT / "benchmarks" / "results" / "faults.json"
CHAPTER = "## Results as measured"
README_CHAPTER = "## Figures (measured, see docs/performance.md and docs/reliability.md)"

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
    by_id = {row["row"]: row for row in rows}
    missing = [row_id for row_id in row_order if row_id not in by_id]
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
    if missing:
        lines += ["", f"Rows that recorded no outcome (errored before the end): {', '.join(missing)}."]
    return "\n".join(lines)


def readme_faults(rows: list[dict[str, Any]]) -> str:
    lost = sum(row["lost"] for row in rows)
    duplicates = sum(row["duplicates"] for row in rows)
    return (
        f"The fault-injection suite ({len(rows)} rows: throttling and 500 storms on every API, expired "
        "tokens, malformed values, conflicting scans, PutEvents partial failures, a crash between "
        "publish and snapshot, Slack 429/500/timeouts, SNS errors, a poison event) lost "
        f"**{lost}** alerts and produced **{duplicates}** duplicate(s)"
        + (
            " — the documented one: a Slack post that timed out on our side but was accepted late by Slack"
            if duplicates == 1
            else ""
        )
        + ". Table: [docs/reliability.md](docs/reliability.md)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--workers", default="2", help="pytest-xdist workers (default 2)")
    parser.add_argument("--no-docs", action="store_true", help="run and save results, do not write the docs")
    arguments = parser.parse_args(argv)
    origin = provenance("make faults")
    from tests.faults.test_faults import ROWS

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
    body = table(
        rows, [row.id for row in ROWS], f"{summary_line} (wall {seconds:.0f} s, -n {arguments.workers})"
    )
    results = Results(
        "faults",
        RESULTS_FORMAT,
        origin,
        (
            GeneratedSection("reliability-faults", "docs/reliability.md", body, CHAPTER),
            GeneratedSection("readme-faults", "README.md", readme_faults(rows), README_CHAPTER),
        ),
    )
    results.save(RESULTS_FILE)
    print(body)
    if not arguments.no_docs:
        for line in results.write_docs():
            print(f"wrote {line}", file=sys.stderr)
    return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
