"""Slack notifier: the generic notifier (notifier/) fixed to the `slack` destination.

Kept under its own handler name so existing deployments, alarms and log groups stay as they
are; `DESTINATION` need not be set.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from function_support.lazy import Lazy
from notifier.runtime import NotifierRuntime, build_runtime

DESTINATION = "slack"

logger = Logger()
metrics = Metrics()
tracer = Tracer()
runtime: Lazy[NotifierRuntime] = Lazy(lambda: build_runtime(logger, metrics, DESTINATION))


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    current = runtime.get()
    return current.flow.handle(event, context, current.settings.event_source, current.delivery, current.parse)
