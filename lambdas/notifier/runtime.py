"""One notifier's execution environment: its destination from the registry, wired to the shared flow.

Built on the first invocation: settings, the destination's delivery (named by its registry
entry and imported only now), idempotency on eventId, and the parser for the kinds of events
the destination accepts (registration events, plus target health for those routing it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, cast

import boto3
from aws_lambda_powertools import Logger, Metrics
from botocore.config import Config

from destinations.contract import BuildDelivery, DeliveryContext
from destinations.registry import Destination, UnknownDestination, destination
from function_support.settings_parsing import SettingsError
from notifier.flow import NotifierFlow, OncePerEvent, Parser
from notifier.settings import NotifierSettings
from regwatch.event_models import Notification, parse_notification
from regwatch.notification_errors import InvalidEvent

BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)
# Detail-types that carry no registration (contract 1.1); parsed minimally, rendered from the raw detail.
TARGET_DETAIL_TYPES = frozenset({"Target Unhealthy", "Target Recovered"})


@dataclass(frozen=True)
class NotifierRuntime:
    settings: NotifierSettings
    destination: Destination
    flow: NotifierFlow
    delivery: OncePerEvent
    parse: Parser


def load_builder(path: str) -> BuildDelivery:
    module_name, _, function_name = path.partition(":")
    return cast(BuildDelivery, getattr(importlib.import_module(module_name), function_name))


def parser_for(spec: Destination) -> Parser:
    accepted = TARGET_DETAIL_TYPES & set(spec.routing.detail_types)

    def parse(event: dict[str, Any], event_source: str) -> Notification | None:
        if isinstance(event, dict) and event.get("detail-type") in accepted:
            detail = event.get("detail")
            if event.get("source") != event_source:
                raise InvalidEvent(
                    f"not a regwatch event: source {str(event.get('source'))[:100]!r} "
                    f"is not the configured source {event_source!r}"
                )
            if not isinstance(detail, dict) or not isinstance(detail.get("eventId"), str):
                raise InvalidEvent("not a valid regwatch target event: detail.eventId is missing")
            return None
        return parse_notification(event, event_source)

    return parse


def build_runtime(logger: Logger, metrics: Metrics, destination_name: str | None = None) -> NotifierRuntime:
    settings = NotifierSettings.from_environment(destination_name)
    try:
        spec = destination(settings.destination)
    except UnknownDestination as error:
        raise SettingsError(str(error)) from None
    flow = NotifierFlow(spec.name, logger, metrics)
    session = boto3.session.Session()
    built = load_builder(spec.delivery)(
        DeliveryContext(spec.name, settings.environ, session, BOTO_CONFIG, settings.idempotency_table_name)
    )

    def deliver(*, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        event_id = notification if notification is not None else str(event["detail"]["eventId"])
        return flow.delivered(event_id, lambda: built.send(event, notification), built.on_failure)

    delivery = flow.once_per_event(
        deliver,
        dynamodb_client=session.client("dynamodb", config=BOTO_CONFIG),
        table_name=settings.idempotency_table_name,
        key_prefix=spec.idempotency_key_prefix,
    )
    return NotifierRuntime(settings, spec, flow, delivery, parser_for(spec))
