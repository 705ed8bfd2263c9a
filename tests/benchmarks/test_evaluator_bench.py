"""`python -m benchmarks.run --evaluator` at a tiny size, inside `make test`: the command runs the
real evaluator handler to the end of its pass and writes its section; no timing asserted."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import run
from benchmarks.docs_sections import table_rows

SIZE = 300


def test_the_evaluator_bench_reads_every_registration_once_and_sends_one_digest(tmp_path: Path) -> None:
    output = tmp_path / "evaluator.md"
    assert run.main(["--evaluator", "--evaluator-size", str(SIZE), "--output", str(output)]) == 0
    saved = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    [section] = saved["sections"]
    assert section["name"] == "performance-evaluator"
    assert section["document"] == "docs/performance.md"
    body = section["body"]
    rows = table_rows(body)
    assert rows, body
    assert rows[-1]["Pass complete"] == "yes", "the last invocation completes the pass"
    assert sum(int(row["Registrations read"].replace(",", "")) for row in rows) == SIZE
    assert all(int(row["Pages"]) >= 1 for row in rows)
    assert f"{SIZE:,} registrations read once each" in body
    assert "digests published: 1." in body
    assert "read units" in body and "Benchmark time:" in body
    assert output.read_text(encoding="utf-8").startswith("## Evaluator at fleet scale")
