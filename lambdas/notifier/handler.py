"""The notifier: one contract event in, delivered once per eventId to the destination named by
`DESTINATION` (destinations/registry.py).

Every notifier function, whatever its destination, runs `notifier.handler.lambda_handler`.
Deployments from before the destinations became plug-ins ran `notify_slack.handler` and
`notify_sns.handler`; their functions keep their logical ids (NotifySlack, NotifySns), so
`cdk deploy` updates the handler and `DESTINATION` in place, and an event that arrives in
the seconds between the code and the configuration update fails once and is retried by
Lambda's asynchronous retries (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from function_support.lazy import Lazy
from notifier.runtime import NotifierRuntime, build_runtime

logger = Logger()
metrics = Metrics()
tracer = Tracer()

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@dataclass(frozen=True)
class NotifierFunction:
    """A notifier's handler and its lazily built runtime (reset between tests)."""

    runtime: Lazy[NotifierRuntime]
    lambda_handler: Handler


def notifier_function(destination: str | None = None) -> NotifierFunction:
    """The notifier for `destination` (None: the `DESTINATION` variable names it, as deployed).
    Tests and the fault pipeline run several destinations in one process with one each."""
    runtime: Lazy[NotifierRuntime] = Lazy(lambda: build_runtime(logger, metrics, destination))

    @metrics.log_metrics
    @tracer.capture_lambda_handler
    @logger.inject_lambda_context(clear_state=True)
    def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        current = runtime.get()
        return current.flow.handle(
            event, context, current.settings.event_source, current.delivery, current.parse
        )

    return NotifierFunction(runtime, handle)


_deployed = notifier_function()
runtime = _deployed.runtime
lambda_handler = _deployed.lambda_handler
