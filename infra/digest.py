"""Daily digest routing: one extra rule per destination that opted in (`digestDestinations`).

Which destinations can take it is their registry entry's `digest` flag (config.py validates
`digestDestinations` against it); nothing here names a destination.

The digest carries `alert: false`, so the destinations' alert rules never match it; this
rule matches its detail-type and targets the same notifier function, with the same
retries and dead-letter queue.
"""

from __future__ import annotations

from aws_cdk import aws_events as events
from constructs import Construct

from infra.config import RegwatchConfig
from infra.notifiers import Notifier, NotifierResources
from infra.rule_targets import lambda_target

DIGEST_DETAIL_TYPE = "Registration Digest"


def add_digest_routes(
    scope: Construct, config: RegwatchConfig, *, bus: events.IEventBus, notifiers: NotifierResources
) -> list[events.Rule]:
    if config.digest_time is None:
        return []
    rules = []
    for name in config.digest_destinations:
        notifier: Notifier | None = notifiers.by_name.get(name)
        if notifier is None or not notifier.destination.digest:
            continue  # not deployed (no webhook secret, SNS off): nothing to send a digest to
        rule = events.Rule(
            scope,
            f"Digest{name.capitalize()}Rule",
            event_bus=bus,
            description=f"regwatch: the daily digest to {name}",
            event_pattern=events.EventPattern(source=[config.event_source], detail_type=[DIGEST_DETAIL_TYPE]),
        )
        rule.add_target(lambda_target(notifier.function, notifier.dead_letter_queue, config))
        rules.append(rule)
    return rules
