"""The custom event bus, its replay archive and the published event schema (contract v1)."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_eventschemas as eventschemas
from constructs import Construct

from infra.config import RegwatchConfig

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "events.schema.json"
# Consumers look the schema up by this name in the registry (e.g. to generate code bindings).
SCHEMA_NAME_SUFFIX = "RegistrationTransition"


def load_event_schema() -> str:
    """docs/events.schema.json, compact; fails synth if it is not JSON."""
    return json.dumps(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")), separators=(",", ":"))


def add_event_bus(scope: Construct, config: RegwatchConfig) -> events.EventBus:
    bus = events.EventBus(scope, "EventBus", event_bus_name=config.event_bus_name)
    bus.archive(
        "EventArchive",
        description="regwatch events, kept for replay to new or repaired consumers",
        event_pattern=events.EventPattern(source=[config.event_source]),
        retention=Duration.days(config.archive_retention_days) if config.archive_retention_days else None,
    )
    return bus


def add_schema_registry(scope: Construct, config: RegwatchConfig) -> eventschemas.CfnSchema:
    registry = eventschemas.CfnRegistry(
        scope,
        "SchemaRegistry",
        registry_name=f"{config.event_bus_name.replace('/', '-')}-schemas",
        description="regwatch event contract v1 (docs/events.md)",
    )
    schema = eventschemas.CfnSchema(
        scope,
        "EventSchema",
        registry_name=registry.attr_registry_name,
        schema_name=f"{config.event_source}@{SCHEMA_NAME_SUFFIX}",
        type="JSONSchemaDraft4",
        content=load_event_schema(),
        description="detail of every regwatch event (all detail-types share it)",
    )
    return schema
