"""The regwatch stack: composes the constructs of infra/ from one validated config."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.bundling import lambda_code
from infra.config import RegwatchConfig
from infra.digest import add_digest_routes
from infra.evaluator import add_evaluator
from infra.events import add_event_bus, add_schema_registry
from infra.fanout import add_fanout, add_member_event_rule
from infra.fanout_monitoring import add_fanout_alarms
from infra.monitoring import MonitoredFunction, add_monitoring
from infra.notifiers import add_notifiers
from infra.outputs import PublishedDestination, add_operator_outputs
from infra.removal import apply_removal_policy
from infra.scanner import add_scanner
from infra.topics import add_topic_key

STACK_ID = "Regwatch"


class RegwatchStack(Stack):
    """Environment-agnostic: nothing here looks anything up in an AWS account."""

    def __init__(self, scope: Construct, construct_id: str, *, config: RegwatchConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        code = lambda_code()
        key = add_topic_key(self)
        self.bus = add_event_bus(self, config)
        self.schema = add_schema_registry(self, config)
        self.scanner = add_scanner(self, config, code=code, bus=self.bus)
        self.fanout = add_fanout(
            self, config, code=code, scanner=self.scanner.function, table=self.scanner.table
        )
        self.member_event_rule = add_member_event_rule(
            self, config, bus=self.bus, scanner=self.scanner.function, dlq=self.scanner.dead_letter_queue
        )
        self.notifiers = add_notifiers(self, config, code=code, bus=self.bus, key=key)
        self.evaluator = add_evaluator(self, config, code=code, bus=self.bus, table=self.scanner.table)
        self.digest_rules = add_digest_routes(self, config, bus=self.bus, notifiers=self.notifiers)
        watched = [
            MonitoredFunction(notifier.label, notifier.function, notifier.dead_letter_queue)
            for notifier in self.notifiers.by_name.values()
        ]
        watched.append(
            MonitoredFunction(
                "Dispatcher", self.fanout.dispatcher, self.fanout.dispatcher_dead_letter_queue, scheduled=True
            )
        )
        watched.append(
            MonitoredFunction(
                "Evaluator", self.evaluator.function, self.evaluator.dead_letter_queue, scheduled=True
            )
        )
        self.monitoring = add_monitoring(
            self,
            config,
            key=key,
            scanner=MonitoredFunction("Scanner", self.scanner.function, self.scanner.dead_letter_queue),
            notifiers=watched,
        )
        add_fanout_alarms(self, config, monitoring=self.monitoring, fanout=self.fanout)
        CfnOutput(self, "EventBusName", value=self.bus.event_bus_name)
        CfnOutput(self, "EventBusArn", value=self.bus.event_bus_arn)
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        if self.notifiers.topic is not None:
            CfnOutput(self, "NotificationTopicArn", value=self.notifiers.topic.topic_arn)
        add_operator_outputs(
            self,
            config,
            bus=self.bus,
            snapshot_table=self.scanner.table,
            idempotency_table=self.notifiers.idempotency_table,
            scanner=self.scanner.function,
            scanner_dlq=self.scanner.dead_letter_queue,
            destinations=[
                # The output key's label is the registry name capitalized: `regwatch dlq --destination
                # pagerduty` finds `DestinationPagerduty...`.
                PublishedDestination(
                    name.capitalize(), notifier.function, notifier.dead_letter_queue, notifier.rule
                )
                for name, notifier in self.notifiers.by_name.items()
            ],
        )
        apply_removal_policy(self, config)
