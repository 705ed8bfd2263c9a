"""The one invocation flow of every notifier: parse, deduplicate on eventId, deliver, count.

Each notifier handler supplies its destination's delivery; this module keeps the parts
that must behave the same for Slack and SNS (what counts as a duplicate, what a failed
delivery does, which metrics and log keys exist) in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from destinations.ordering import SUPERSEDED
from notifier import metrics as names
from regwatch.event_models import DigestEvent, Notification, parse_notification
from regwatch.notification_errors import InvalidEvent, NotificationError
from regwatch_aws.idempotency import deliver_once

Delivery = Callable[..., dict[str, Any]]  # deliver(*, event: dict, notification: Notification | None)
# raw event -> the parsed notification, or None for another accepted kind (target health).
Parser = Callable[[dict[str, Any], str], Notification | None]


@dataclass(frozen=True)
class OncePerEvent:
    """A destination's delivery wrapped by Powertools idempotency on `detail.eventId`."""

    deliver: Delivery
    idempotency: IdempotencyConfig


class NotifierFlow:
    """Logging and metrics of one destination around its delivery function."""

    def __init__(self, destination: str, logger: Logger, metrics: Metrics) -> None:
        self.destination = destination
        self.logger = logger
        self.metrics = metrics
        metrics.set_default_dimensions(**{names.DESTINATION_DIMENSION: destination})

    def once_per_event(
        self, deliver: Delivery, *, dynamodb_client: Any, table_name: str, key_prefix: str
    ) -> OncePerEvent:
        """`deliver` run at most once per eventId; a repeat is counted and skipped."""
        wrapped, config = deliver_once(
            deliver,
            dynamodb_client=dynamodb_client,
            table_name=table_name,
            key_prefix=key_prefix,
            on_duplicate=self.on_duplicate,
        )
        return OncePerEvent(wrapped, config)

    def count(self, metric: str) -> None:
        self.metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)

    def on_duplicate(self, response: Any, idempotent_data: DataRecord) -> Any:
        """Powertools calls this when the eventId was already handled: nothing is sent again."""
        self.count(names.DUPLICATES_SKIPPED)
        self.logger.info(
            "Duplicate event: already delivered, skipped", extra={"destination": self.destination}
        )
        return {**(response if isinstance(response, dict) else {}), "result": "duplicate"}

    def delivered(
        self,
        notification: Notification | str,
        send: Callable[[], dict[str, Any]],
        on_failure: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """Run `send`; a failure is counted, logged and re-raised so EventBridge/Lambda retry it."""
        try:
            extra = send()
        except NotificationError as error:
            self.count(names.DESTINATION_FAILURES)
            if on_failure is not None:
                on_failure()
            self.logger.error("Delivery failed", extra={"destination": self.destination, "error": str(error)})
            raise
        event_id = notification if isinstance(notification, str) else notification.detail.event_id
        if extra.get("result") == SUPERSEDED:
            # The ordering rule (destinations/ordering.py): a newer status is already shown.
            self.count(names.OLDER_EVENTS_SKIPPED)
            self.logger.info(
                "Older than the latest status shown: not posted",
                extra={"destination": self.destination, **extra},
            )
            return {"eventId": event_id, "destination": self.destination, **extra}
        self.count(names.NOTIFICATIONS_SENT)
        self.logger.info("Delivered", extra={"destination": self.destination, **extra})
        return {
            "eventId": event_id,
            "destination": self.destination,
            "result": "sent",
            **extra,
        }

    def handle(
        self,
        event: dict[str, Any],
        context: LambdaContext,
        event_source: str,
        delivery: OncePerEvent,
        parse: Parser = parse_notification,
    ) -> dict[str, Any]:
        """One invocation: reject what is not a regwatch event, then deliver once per eventId."""
        try:
            notification = parse(event, event_source)
        except InvalidEvent as error:
            self.count(names.INVALID_EVENTS)
            self.logger.error("Rejected input: not a regwatch event", extra={"error": str(error)})
            raise
        if isinstance(notification, DigestEvent):
            # The daily digest reaches only destinations whose digest rule routes it here.
            self.logger.append_keys(eventId=notification.detail.event_id, digestDay=notification.detail.day)
        elif notification is not None:
            detail = notification.detail
            self.logger.append_keys(
                eventId=detail.event_id, registrationId=detail.registration_id, status=detail.status
            )
            if not detail.alert:
                # The rule already filters on `alert`; this guards hand-made rules and replays.
                # A 1.0 event has no `alert` field and counts as an alert (the model's default).
                self.count(names.NOT_ALERTS_SKIPPED)
                self.logger.info("Not an alert: another event of the same change carries it")
                return {"eventId": detail.event_id, "destination": self.destination, "result": "not-an-alert"}
        else:
            self.logger.append_keys(eventId=event["detail"]["eventId"], detailType=event.get("detail-type"))
        delivery.idempotency.register_lambda_context(context)
        return delivery.deliver(event=event, notification=notification)
