"""One schedule of the local stack as AWS runs it: dispatcher → scan queue → scanner.

The schedule rule's target is the dispatcher (invoked with the scheduled event); its
messages on the scan queue are delivered to the scanner by local.fanout's event source
mapping, one target per invocation, like Lambda's SQS event source mapping.
"""

from __future__ import annotations

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
    if not dispatchers:  # a template without the fan-out: the schedule invokes the scanner
        return {"result": scanner_invoke(event)}
    dispatcher = dispatchers[0]
    dispatched = dispatcher.invoke(event)
    queue_url = dispatcher.spec.environment["SCAN_QUEUE_URL"]
    stats = EventSourceMapping(sqs, queue_url, [scanner_invoke] * concurrency, region=region).drain()
    return {
        "dispatched": dispatched,
        "scannerInvocations": stats.invocations,
        "failedWorkItems": stats.failed,
        "results": stats.results,
    }
