"""The custom event bus and its archive stand-in, created on moto."""

from __future__ import annotations

import json
from typing import Any

from local.provision.template import NAME_UNSAFE, Physical, TemplateResolver


def create_buses(stack: TemplateResolver, events: Any) -> None:
    for logical_id, definition in stack.of_type("AWS::Events::EventBus"):
        props = definition.get("Properties", {})
        name = stack.name(logical_id, props.get("Name"), 256)
        arn = events.create_event_bus(Name=name)["EventBusArn"]
        stack.resources[logical_id] = Physical(
            logical_id, "AWS::Events::EventBus", name, {"Arn": arn, "Name": name}
        )


def create_archives(stack: TemplateResolver, events: Any, logs: Any) -> None:
    """The archive stand-in: moto's own replay ignores the time window and FilterArns.

    A rule on the archive's source bus, with the archive's event pattern, copies every
    event into a CloudWatch Logs log group; `regwatch replay` reads it back (the local
    equivalent of StartReplay, regwatch_cli/replay.py).
    """
    for logical_id, definition in stack.of_type("AWS::Events::Archive"):
        props = stack.resolve_keys(definition, ("ArchiveName", "SourceArn", "EventPattern"))
        name = stack.name(logical_id, props.get("ArchiveName"), 48)
        bus = str(props["SourceArn"]).split("event-bus/")[-1]
        log_group = f"/regwatch-local/archive/{name}"
        logs.create_log_group(logGroupName=log_group)
        rule_name = NAME_UNSAFE.sub("-", f"archive-{name}")[:64]
        rule: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": "ENABLED"}
        rule["EventPattern"] = json.dumps(props.get("EventPattern") or {"source": [{"prefix": ""}]})
        events.put_rule(**rule)
        events.put_targets(
            Rule=rule_name,
            EventBusName=bus,
            Targets=[{"Id": "archive", "Arn": stack.arn("logs", f"log-group:{log_group}")}],
        )
        stack.resources[logical_id] = Physical(
            logical_id,
            "AWS::Events::Archive",
            name,
            {"Arn": stack.arn("events", f"archive/{name}"), "LogGroup": log_group},
        )
