"""PagerDuty delivery: decide (lifecycle.py), record the decision, send it to the Events API v2.

Order of work for one event: read the key's record (the newest event received, its ordering
key and whether an incident is open: destinations/ordering.py); decide
(lifecycle.what_to_send); write the new record with a condition (`orderKey <=` this
event's), so two racing deliveries agree on the newest (the loser is older news and sends
nothing); then POST. A failed POST raises: the idempotency record is removed and the retry
decides again against its own record, which repeats the action. PagerDuty deduplicates
triggers on dedup_key, so a repeated send never opens a second incident. 429/5xx and
timeouts are retried (http_post.py); a 400 is a bad event: it fails with PagerDuty's reason
and the event waits in the DLQ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from destinations.contract import Delivery, DeliveryContext
from destinations.http_post import JsonPoster
from destinations.ordering import STATUS_ATTRIBUTE, LatestStatus, is_older
from destinations.pagerduty.lifecycle import (
    TARGET_DETAIL_TYPES,
    Action,
    Decision,
    Recorded,
    decide,
    what_to_send,
)
from destinations.pagerduty.render import (
    most_severe,
    render_pagerduty_target_trigger,
    render_pagerduty_trigger,
)
from destinations.pagerduty.settings import PagerDutySettings
from regwatch.event_models import DigestEvent, Notification, RegwatchEvent
from regwatch.notification_errors import DestinationFailed, InvalidEvent
from regwatch_aws.delivery_state import DeliveryStateStore
from regwatch_aws.secrets import SecretSource, pagerduty_routing_key

DESTINATION = "pagerduty"
STATE_NAMESPACE = "pagerduty-incident"
CLIENT = "regwatch"


class PagerDutyDelivery:
    def __init__(
        self, settings: PagerDutySettings, routing_keys: SecretSource, state: DeliveryStateStore
    ) -> None:
        self._settings = settings
        self._routing_keys = routing_keys
        self._latest = LatestStatus(state)
        self._poster = JsonPoster(DESTINATION, timeout_seconds=settings.timeout_seconds, accepted=(202,))

    def _record(
        self,
        decision: Decision,
        event_id: str,
        action: Action | None,
        previous: Mapping[str, Any] | None,
        severity: str,
    ) -> bool:
        attributes: dict[str, Any] = {
            "action": action.value if action else "none",
            "open": action is Action.TRIGGER,
            "eventId": event_id,
            "severity": severity,
            "version": decision.order.version,
        }
        return self._latest.record(decision.dedup_key, decision.order, decision.status, attributes, previous)

    def _trigger_body(
        self,
        event: dict[str, Any],
        notification: RegwatchEvent | None,
        recorded: Recorded | None,
    ) -> dict[str, Any]:
        detail_type = str(event.get("detail-type", ""))
        if detail_type in TARGET_DETAIL_TYPES or notification is None:
            body = render_pagerduty_target_trigger(detail_type, event["detail"], str(event.get("time", "")))
        else:
            body = render_pagerduty_trigger(notification, event["detail"])
            body["client"], body["client_url"] = CLIENT, notification.detail.console_url
        if recorded is not None and recorded.open:
            # Another action-required event never lowers the open incident's severity (a REVOKED
            # version stays critical when its registration's status follows).
            body["payload"]["severity"] = most_severe(recorded.severity, body["payload"]["severity"])
        return body

    def send(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if isinstance(notification, DigestEvent):
            # A digest is no incident; it is routed to `digestDestinations` (Slack, SNS) only.
            raise InvalidEvent("PagerDuty takes alerts, not the daily digest")
        detail = event.get("detail")
        if not isinstance(detail, dict):
            raise InvalidEvent("not a regwatch event: detail is not an object")
        decision = decide(str(event.get("detail-type", "")), detail, str(event.get("time", "")))
        event_id = str(detail.get("eventId", ""))
        previous = self._latest.read(decision.dedup_key)
        recorded = Recorded.of(previous)
        newest = not is_older(decision.order, previous)
        latest = str((previous or {}).get(STATUS_ATTRIBUTE, ""))
        action, why = what_to_send(decision, event_id, newest, recorded, latest)
        body: dict[str, Any] = {}
        if action is Action.TRIGGER:
            body = self._trigger_body(event, notification, recorded)
        severity = str(body.get("payload", {}).get("severity", ""))
        if newest and not self._record(decision, event_id, action, previous, severity):
            # A newer event was recorded concurrently: this one is older news.
            newer = self._latest.read(decision.dedup_key) or {}
            action, why = what_to_send(decision, event_id, False, None, str(newer.get(STATUS_ATTRIBUTE, "")))
        extra = {"dedupKey": decision.dedup_key, "why": why}
        if action is None:
            return {**extra, "eventAction": "none"}
        routing_key = self._routing_keys.get()
        message = {"routing_key": routing_key, "event_action": action.value, "dedup_key": decision.dedup_key}
        if action is Action.TRIGGER:
            message |= body
        answer = self._poster.post(self._settings.events_url, message, secrets=[routing_key])
        if answer.status != 202:
            raise DestinationFailed(
                DESTINATION, _reason(answer.status, answer.json(), answer.body), status=answer.status
            )
        return {**extra, "eventAction": action.value}


def _reason(status: int, document: Any, text: str) -> str:
    if isinstance(document, dict):
        errors = document.get("errors") or document.get("message") or document
        return f"PagerDuty refused the event: {str(errors)[:300]}"
    if status == 429:
        return "PagerDuty kept answering 429 (rate limited) after retries"
    return f"PagerDuty answered {text.strip()[:200] or 'nothing'}"


def build_delivery(context: DeliveryContext) -> Delivery:
    settings = PagerDutySettings.from_mapping(context.environ)
    routing_keys = SecretSource(
        context.session.client("secretsmanager", config=context.boto_config),
        settings.routing_key_secret_arn,
        label="the PagerDuty routing key secret",
        parse=pagerduty_routing_key,
    )
    state = DeliveryStateStore(
        context.session.client("dynamodb", config=context.boto_config),
        context.idempotency_table_name,
        STATE_NAMESPACE,
        DESTINATION,
    )
    delivery = PagerDutyDelivery(settings, routing_keys, state)
    return Delivery(delivery.send, on_failure=routing_keys.invalidate)
