"""Destinations beyond Slack and SNS as extra targets of the fault pipeline (rows that name them add them).

Any registry entry with a local sink (local/sinks/<name>.py) can be named: each runs the
generic notifier in this process (one runtime per destination, as each is its own Lambda
function) behind its own rule, delivery queue and DLQ, against its sink. What counts as
delivered, expected and duplicated is the sink's to say (`LocalSink.delivered`, `expects`,
`duplicates`): e.g. PagerDuty counts triggers and incidents, Teams and the webhook every
request that carried an event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from function_support.lazy import Lazy
from local.sinks import LocalSink, opt_in_destinations, start_sink
from notifier.handler import NotifierFunction, notifier_function
from notifier.runtime import NotifierRuntime

EXTRA_DESTINATIONS = opt_in_destinations()


@dataclass
class ExtraDestination:
    name: str
    function: NotifierFunction
    local_sink: LocalSink
    counter: Callable[[], Counter[str]]
    expected: Callable[[dict[str, Any]], bool]  # which published details must arrive
    # Duplicates as the sink defines them; None: counted from `counter` like Slack's.
    duplicates: Callable[[], int] | None = None

    @property
    def runtime(self) -> Lazy[NotifierRuntime]:
        return self.function.runtime

    @property
    def sink(self) -> Any:
        """The sink's server (script faults on it, clear it, wait until it is idle)."""
        return self.local_sink.server

    def lambda_handler(self, event: dict[str, Any], context: Any) -> Any:
        return self.function.lambda_handler(event, context)


def start_extra_destination(name: str, environment: dict[str, str]) -> ExtraDestination:
    """Start the sink, store its secret in moto, and add its variables to `environment`."""
    sink = start_sink(name)
    _, secret_env = sink.spec.secrets[0]
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"regwatch/{name}", SecretString=sink.secret_value()
    )["ARN"]
    environment |= {secret_env: arn, **sink.function_env(), **sink.fast_env()}
    own_duplicates = type(sink).duplicates is not LocalSink.duplicates
    return ExtraDestination(
        name,
        notifier_function(name),
        sink,
        sink.delivered,
        sink.expects,
        (lambda: sink.duplicates() or 0) if own_duplicates else None,
    )
