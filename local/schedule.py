"""One schedule of the local stack as AWS runs it: dispatcher → scan queue → scanner.

The schedule rule's target is the dispatcher (invoked with the scheduled event); its
messages on the scan queue are delivered to the scanner by local.fanout's event source
mapping, one target per invocation, like Lambda's SQS event source mapping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

from local.fanout import EventSourceMapping

DISPATCHER_HANDLER = "dispatcher.handler.lambda_handler"


class _Function(Protocol):
    @property
    def spec(self) -> Any: ...

    def invoke(self, event: Any) -> Any: ...


def run_schedule(
    functions: list[_Function],
    scanner_invoke: Callable[[dict[str, Any]], Any],
    sqs: Any,
    event: dict[str, Any],
    *,
    region: str,
    concurrency: int = 1,
) -> dict[str, Any]:
    """Invoke the dispatcher with `event`, then drain the scan queue into the scanner."""
    dispatchers = [f for f in functions if f.spec.handler == DISPATCHER_HANDLER]
    if not dispatchers:
        raise RuntimeError("the template has no dispatcher: the schedule targets the dispatcher")
    dispatcher = dispatchers[0]
    dispatched = dispatcher.invoke(event)
    queue_url = dispatcher.spec.environment["SCAN_QUEUE_URL"]
    # A failed work item is retried at once, as if its visibility timeout had passed, until the
    # queue dead-letters it (or it outlives the queue's retention, as in SQS).
    stats = EventSourceMapping(
        sqs, queue_url, [scanner_invoke] * concurrency, region=region, fast_forward=True
    ).drain()
    return {
        "dispatched": dispatched,
        "scannerInvocations": stats.invocations,
        "failedWorkItems": stats.failed,
        "expiredWorkItems": stats.expired,
        "results": stats.results,
    }


_COUNTER_MAPS = ("apiCalls", "throttles", "transitionsByStatus")
_TOTALS = ("transitions", "eventsPublished", "healthEvents", "durationMs")


def merge_summaries(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """One summary for one schedule's work items, in the shape of one item's summary.

    The scanner returns a summary per target (`scans` beside `batchItemFailures`); a local
    run, a test or a benchmark reading "the schedule" sums them: counters added, `targets`
    and `regions` united, `complete` only if every target completed.
    """
    merged: dict[str, Any] = {
        "scanId": summaries[0]["scanId"] if summaries else None,
        "trigger": "schedule",
        "complete": all(s["complete"] for s in summaries),
        "resumed": any(s["resumed"] for s in summaries),
        "targets": {},
        "regions": {},
    }
    counters: dict[str, Counter[str]] = {k: Counter() for k in _COUNTER_MAPS}
    totals: Counter[str] = Counter()
    for summary in summaries:
        merged["targets"].update(summary["targets"])
        merged["regions"].update(summary["regions"])
        for key, counter in counters.items():
            counter.update(summary[key])
        totals.update({k: summary[k] for k in _TOTALS})
    merged.update({key: dict(counter) for key, counter in counters.items()})
    merged.update({k: totals[k] for k in _TOTALS})
    return merged
