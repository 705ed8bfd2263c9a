"""EventBridge target delivery, emulated where moto stops.

moto matches events against a rule's pattern and puts them on SQS targets, but never
invokes Lambda targets. The local provisioner therefore swaps each Lambda target for
an SQS "delivery queue" (the rule and its pattern untouched), and `TargetDelivery`
does the rest of EventBridge's job for that target: invoke the function with the
event, retry per the target's RetryPolicy (MaximumRetryAttempts,
MaximumEventAgeInSeconds), and on final failure send the event to the target's
DeadLetterConfig queue with the message attributes EventBridge documents
(ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN,
TARGET_ARN). `redrive` replays a dead-letter queue through the same target.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from regwatch_cli import dlq

# Error codes EventBridge writes into ERROR_CODE of a dead-lettered event.
ERROR_CODE_CLIENT = "SDK_CLIENT_ERROR"
ERROR_CODE_TIMEOUT = "TIMEOUT"
EXHAUSTED_RETRIES = "MaximumRetryAttempts"
EXHAUSTED_AGE = "MaximumEventAgeInSeconds"
# EventBridge's defaults when a target has no RetryPolicy.
DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400
_RECEIVE_BATCH = 10
DEFAULT_ACCOUNT_ID = "123456789012"
_ERROR_MESSAGE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What happened to one event at one target."""

    event: dict[str, Any]
    attempts: int
    result: Any = None
    error_code: str | None = None
    error_message: str | None = None
    exhausted_condition: str | None = None
    dead_lettered: bool = False

    @property
    def delivered(self) -> bool:
        return self.error_code is None


@dataclass(slots=True)
class DeliveryStats:
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    dropped: int = 0

    def add(self, other: DeliveryStats) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead_lettered += other.dead_lettered
        self.dropped += other.dropped


def complete_envelope(event: dict[str, Any], rule_arn: str) -> dict[str, Any]:
    """Fill the envelope fields EventBridge always sends a target and moto leaves out.

    moto's bus-to-SQS copy has no `account`; consumers that validate the envelope (the
    notifiers parse it with Powertools' EventBridge model) rightly require it.
    """
    arn_parts = rule_arn.split(":")
    account = arn_parts[4] if len(arn_parts) > 5 and arn_parts[4] else DEFAULT_ACCOUNT_ID
    event.setdefault("account", account)
    event.setdefault("resources", [])
    return event


def _error_code(error: BaseException) -> str:
    error_type = str(getattr(error, "error_type", type(error).__name__))
    return ERROR_CODE_TIMEOUT if "Timedout" in error_type or "Timeout" in error_type else ERROR_CODE_CLIENT


class TargetDelivery:
    """Delivers one rule target's events from its delivery queue to `invoke`."""

    # Positional parameters are the interface shared with the fault-injection tests.
    def __init__(  # noqa: PLR0917
        self,
        sqs_client: Any,
        queue_url: str,
        invoke: Callable[[dict[str, Any]], Any],
        dead_letter_queue_url: str | None,
        max_retries: int,
        max_event_age_seconds: int | None,
        rule_arn: str = "",
        target_arn: str = "",
        *,
        retry_backoff_seconds: float = 0.0,
        observer: Callable[[DeliveryOutcome], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sqs = sqs_client
        self.queue_url = queue_url
        self.invoke = invoke
        self.dead_letter_queue_url = dead_letter_queue_url
        self.max_retries = max_retries
        self.max_event_age_seconds = max_event_age_seconds
        self.rule_arn = rule_arn
        self.target_arn = target_arn
        self.retry_backoff_seconds = retry_backoff_seconds
        self.observer = observer
        self.clock = clock
        self.stats = DeliveryStats()

    def deliver(self, event: dict[str, Any], first_seen: float | None = None) -> DeliveryOutcome:
        """Invoke with retries; the caller decides what a final failure means."""
        first_seen = self.clock() if first_seen is None else first_seen
        attempts = 0
        last_error: Exception = RuntimeError("not invoked")
        exhausted = EXHAUSTED_RETRIES
        while True:
            attempts += 1
            try:
                result = self.invoke(event)
            except Exception as error:  # any failure of the target counts, as in EventBridge
                last_error = error
            else:
                return DeliveryOutcome(event=event, attempts=attempts, result=result)
            if attempts > self.max_retries:
                break
            age = self.clock() - first_seen
            if self.max_event_age_seconds is not None and age >= self.max_event_age_seconds:
                exhausted = EXHAUSTED_AGE
                break
            if self.retry_backoff_seconds:
                time.sleep(self.retry_backoff_seconds * 2 ** (attempts - 1))
        return DeliveryOutcome(
            event=event,
            attempts=attempts,
            error_code=_error_code(last_error),
            error_message=str(last_error) or type(last_error).__name__,
            exhausted_condition=exhausted,
        )

    def _dead_letter(self, outcome: DeliveryOutcome) -> bool:
        if not self.dead_letter_queue_url:
            return False
        attributes = {
            "ERROR_CODE": outcome.error_code or ERROR_CODE_CLIENT,
            "ERROR_MESSAGE": (outcome.error_message or "unknown error")[:_ERROR_MESSAGE_LIMIT],
            "EXHAUSTED_RETRY_CONDITION": outcome.exhausted_condition or EXHAUSTED_RETRIES,
            "RETRY_ATTEMPTS": str(outcome.attempts - 1),
            "RULE_ARN": self.rule_arn,
            "TARGET_ARN": self.target_arn,
        }
        self.sqs.send_message(
            QueueUrl=self.dead_letter_queue_url,
            MessageBody=json.dumps(outcome.event),
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
                if value
            },
        )
        return True

    def _record(self, stats: DeliveryStats, outcome: DeliveryOutcome) -> None:
        stats.retried += outcome.attempts - 1
        if outcome.delivered:
            stats.delivered += 1
        elif outcome.dead_lettered:
            stats.dead_lettered += 1
        else:
            stats.dropped += 1
        if self.observer is not None:
            self.observer(outcome)

    def drain(self) -> DeliveryStats:
        """Deliver everything waiting in the delivery queue; return this drain's figures."""
        stats = DeliveryStats()
        while True:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=_RECEIVE_BATCH,
                WaitTimeSeconds=0,
                AttributeNames=["SentTimestamp"],
            )
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                event = complete_envelope(json.loads(message["Body"]), self.rule_arn)
                sent_ms = message.get("Attributes", {}).get("SentTimestamp")
                first_seen = int(sent_ms) / 1000 if sent_ms else None
                outcome = self.deliver(event, first_seen)
                if not outcome.delivered and self._dead_letter(outcome):
                    outcome = dataclasses.replace(outcome, dead_lettered=True)
                self._record(stats, outcome)
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.stats.add(stats)
        return stats


def dead_letter_messages(sqs_client: Any, dlq_url: str) -> list[dict[str, Any]]:
    """Peek at a dead-letter queue: each message's event and attributes (messages stay).

    The `regwatch dlq list` implementation (regwatch_cli/dlq.py), in the demo's shape.
    """
    return [
        {"event": letter.event, "attributes": letter.attributes}
        for letter in dlq.peek(sqs_client, dlq_url, "")
    ]


def redrive(sqs_client: Any, dlq_url: str, delivery: TargetDelivery) -> int:
    """Replay a dead-letter queue through the target; return how many were delivered.

    The one redrive implementation, `regwatch dlq redrive`'s (regwatch_cli/dlq.py); here each
    message goes through the target's delivery (with its retries) instead of a Lambda Invoke
    call. An event that fails again stays in the dead-letter queue, so nothing is lost by
    redriving too early.
    """

    def invoke(event: Any) -> Any:
        outcome = delivery.deliver(event)
        if delivery.observer is not None:
            delivery.observer(outcome)
        if not outcome.delivered:
            raise RuntimeError(outcome.error_message or "delivery failed")
        delivery.stats.delivered += 1
        return outcome.result

    return dlq.redrive(sqs_client, dlq_url, invoke).delivered
