"""Per-row outcomes of the fault suite, written where `make faults` collects them.

`python -m tests.faults.run` sets REGWATCH_FAULT_RESULTS to a fresh folder; each row (in
whichever xdist worker runs it) writes one JSON file there, failing rows included. Outside
`make faults` nothing is written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.faults.pipeline import Outcome

RESULTS_ENV = "REGWATCH_FAULT_RESULTS"


def record_row(row_id: str, outcome: Outcome, *, struck: int, **expected: int) -> None:
    folder = os.environ.get(RESULTS_ENV)
    if not folder:
        return
    figures: dict[str, Any] = {
        "row": row_id,
        "struck": struck,
        "injected": outcome.injected,
        "published": outcome.published,
        "published_copies": outcome.published_copies,
        "slack": sum(outcome.per_destination["slack"].values()),
        "sns": sum(outcome.per_destination["sns"].values()),
        "lost": outcome.lost,
        "duplicates": outcome.duplicates,
        "dead_lettered": outcome.dead_lettered,
        "left_in_dlq": outcome.left_in_dead_letter_queues,
        "redriven": outcome.redriven,
        "failed_invocations": len(outcome.invocation_errors),
        # Destinations a row adds beside Slack and SNS (PagerDuty, Teams): what reached each.
        "destinations": {
            name: {
                "reached": sum(counts.values()),
                "expected": outcome.expected_per_destination.get(name, 0),
            }
            for name, counts in outcome.per_destination.items()
            if name not in {"slack", "sns"}
        },
        **expected,
    }
    Path(folder, f"{row_id}.json").write_text(json.dumps(figures), encoding="utf-8")
