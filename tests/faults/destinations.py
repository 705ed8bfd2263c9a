"""PagerDuty and Teams as extra targets of the fault pipeline (rows that name them add them).

Each runs the generic notifier in this process (notifier.runtime, one runtime per destination,
as each is its own Lambda function) behind its own rule, delivery queue and DLQ, against its
local sink. What counts as delivered:

- Teams: every card carries "regwatch event <id>", like Slack; a timeout retry can post twice
  (Workflows has no idempotency key), which the rows measure.
- PagerDuty: ACTION_REQUIRED events must reach PagerDuty as a trigger carrying their eventId
  (custom_details); other events only update or resolve an incident and are covered by the
  lifecycle tests. A duplicate is a second incident for one dedup_key while the first is open,
  which PagerDuty's dedup_key prevents even when a trigger is sent twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics

from function_support.lazy import Lazy
from local.pagerduty_events import PagerDutyServer
from local.teams_workflow import TeamsWorkflowServer
from notifier.runtime import NotifierRuntime, build_runtime

EXTRA_DESTINATIONS = ("pagerduty", "teams")


@dataclass
class ExtraDestination:
    name: str
    runtime: Lazy[NotifierRuntime]
    sink: Any
    counter: Callable[[], Counter[str]]
    expected: Callable[[dict[str, Any]], bool]  # which published details must arrive
    duplicates: Callable[[], int] | None = None

    def lambda_handler(self, event: dict[str, Any], context: Any) -> Any:
        current = self.runtime.get()
        return current.flow.handle(
            event, context, current.settings.event_source, current.delivery, current.parse
        )


def _pagerduty_counter(sink: PagerDutyServer) -> Counter[str]:
    return Counter(
        {
            e["payload"]["custom_details"]["eventId"]: 1
            for e in sink.accepted
            if e["event_action"] == "trigger" and "eventId" in e["payload"].get("custom_details", {})
        }
    )


def _pagerduty_duplicates(sink: PagerDutyServer) -> int:
    per_key = Counter(i.dedup_key for i in sink.incidents)
    return sum(n - 1 for n in per_key.values())


def _teams_counter(sink: TeamsWorkflowServer) -> Counter[str]:
    from tests.faults.pipeline import event_ids_in

    return Counter(i for card in sink.cards for i in event_ids_in(json.dumps(card)))


def start_extra_destination(name: str, environment: dict[str, str]) -> ExtraDestination:
    """Start the sink, store its secret in moto, and add its variables to `environment`."""
    secrets = boto3.client("secretsmanager")
    logger, metrics = Logger(service=f"regwatch-faults-{name}", level="CRITICAL"), Metrics()
    runtime: Lazy[NotifierRuntime] = Lazy(lambda: build_runtime(logger, metrics, name))
    if name == "pagerduty":
        pd = PagerDutyServer.start(port=0)
        arn = secrets.create_secret(Name="regwatch/pagerduty", SecretString=pd.routing_key)["ARN"]
        environment |= {
            "PAGERDUTY_ROUTING_KEY_SECRET_ARN": arn,
            "PAGERDUTY_EVENTS_URL": pd.events_url,
            "PAGERDUTY_TIMEOUT_SECONDS": "1",
        }
        return ExtraDestination(
            name,
            runtime,
            pd,
            lambda: _pagerduty_counter(pd),
            lambda detail: detail.get("severity") == "ACTION_REQUIRED",
            lambda: _pagerduty_duplicates(pd),
        )
    teams = TeamsWorkflowServer.start(port=0)
    arn = secrets.create_secret(Name="regwatch/teams", SecretString=teams.webhook_url)["ARN"]
    environment |= {"TEAMS_WEBHOOK_SECRET_ARN": arn, "TEAMS_TIMEOUT_SECONDS": "1"}
    return ExtraDestination(name, runtime, teams, lambda: _teams_counter(teams), lambda detail: True)
