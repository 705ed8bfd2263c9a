"""What the cost model needs from a benchmark run, written as JSON (benchmarks/results/).

Per measured size: the mean calls per steady-state scan of every AWS operation (SMS API from
the emulator's counters, DynamoDB/EventBridge from the scanner's botocore hooks), the
DynamoDB capacity units those calls consume (computed from item sizes), the events
published, and the scan's API-bound duration inputs; plus the average snapshot item size
read back from the table. benchmarks/cost.py turns this file into docs/cost.md.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.instrument import item_size
from benchmarks.measure import SCAN_INTERVAL_SECONDS, SizeResult

FORMAT = "regwatch-benchmark-cost-inputs/1"


def _events_published(results: Sequence[Any]) -> float:
    values = [float(r.get("eventsPublished", 0)) for r in results if isinstance(r, dict)]
    return statistics.fmean(values) if values else 0.0


def size_inputs(result: SizeResult) -> dict[str, Any]:
    figures = result.regwatch
    steady_results = [m.result for m in figures.steady]
    return {
        "registrations": result.config.size,
        "changeShare": result.config.share,
        "reconcileHours": result.config.reconcile_hours,
        "steadyScans": len(figures.steady),
        "callsPerScan": figures.steady_calls(),
        "readUnitsPerScan": figures.mean("read_units"),
        "writeUnitsPerScan": figures.mean("write_units"),
        "eventsPublishedPerScan": _events_published(steady_results),
        "peakRssBytes": figures.steady_rss_peak_bytes(),
        # At the benchmark's API rate (far above AWS's 1/s) the wall time is the scan's own work.
        "wallSecondsPerScan": figures.mean("wall_seconds"),
        "benchApiCallsPerSecond": result.config.api_calls_per_second,
    }


def snapshot_item_bytes(dynamodb: Any, table_name: str) -> float:
    """Average item size of the snapshot table as it is now (DynamoDB's size rules)."""
    sizes: list[int] = []
    request: dict[str, Any] = {"TableName": table_name}
    while True:
        page = dynamodb.scan(**request)
        sizes.extend(item_size(item) for item in page.get("Items", []))
        if not page.get("LastEvaluatedKey"):
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return statistics.fmean(sizes) if sizes else 0.0


def write_cost_inputs(results: Sequence[SizeResult], item_bytes: float, path: Path, command: str) -> Path:
    document = {
        "format": FORMAT,
        "recordedAt": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "scanIntervalSeconds": SCAN_INTERVAL_SECONDS,
        "snapshotItemBytes": round(item_bytes, 1),
        "sizes": [size_inputs(result) for result in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
