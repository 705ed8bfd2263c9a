"""`dlq list|show|redrive`: what is in the dead-letter queues, and delivering it again.

Every regwatch DLQ message body is the original EventBridge event: EventBridge puts it
there when a rule target's retries run out (attributes ERROR_CODE, ERROR_MESSAGE,
RULE_ARN, TARGET_ARN, RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION), and Lambda does when an
asynchronous invocation keeps failing (attributes ErrorCode, ErrorMessage, RequestID).

A redrive invokes the queue's own function with that event, synchronously, one message
at a time; the message is deleted only after the function succeeded. The notifiers are
idempotent on `detail.eventId` (Powertools idempotency record), so an event that was
already delivered, redriven twice, or present twice in a queue posts once. A message
whose invocation fails again stays in the queue (visible again at once). The local demo
stack redrives through this same function (local/delivery.py).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

# Longer than any regwatch function's timeout would be wrong for the scanner (900 s); messages
# being redriven stay hidden this long, so two operators redriving at once do not collide.
REDRIVE_VISIBILITY_SECONDS = 900
PEEK_VISIBILITY_SECONDS = 30
_BATCH = 10
_WHY_KEYS = ("ERROR_MESSAGE", "ErrorMessage")
_CODE_KEYS = ("ERROR_CODE", "ErrorCode")


@dataclass(frozen=True)
class DeadLetter:
    queue: str  # the destination name (`slack`, `sns`, …) or `scanner`
    message_id: str
    event: Any
    attributes: dict[str, str]
    sent_at: str | None = None

    @property
    def detail(self) -> dict[str, Any]:
        detail = self.event.get("detail") if isinstance(self.event, dict) else None
        return detail if isinstance(detail, dict) else {}

    @property
    def event_id(self) -> str | None:
        value = self.detail.get("eventId")
        return str(value) if value else None

    @property
    def why(self) -> str:
        code = next((self.attributes[k] for k in _CODE_KEYS if self.attributes.get(k)), "")
        message = next((self.attributes[k] for k in _WHY_KEYS if self.attributes.get(k)), "")
        return ": ".join(p for p in (code, message) if p) or "unknown (no error attributes)"

    def row(self) -> dict[str, Any]:
        detail = self.detail
        status = detail.get("status")
        previous = detail.get("previousStatus")
        return {
            "destination": self.queue,
            "messageId": self.message_id,
            "eventId": self.event_id,
            "detailType": self.event.get("detail-type") if isinstance(self.event, dict) else None,
            "registrationId": detail.get("registrationId"),
            "version": detail.get("versionNumber"),
            "change": f"{previous} → {status}" if previous else status,
            "region": detail.get("region"),
            "sentAt": self.sent_at,
            "why": self.why,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.row(), "attributes": self.attributes, "event": self.event}


def _body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # not JSON: shown as is, redriven as a string


def _receive(sqs: Any, queue_url: str, visibility: int) -> list[dict[str, Any]]:
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=_BATCH,
        WaitTimeSeconds=0,
        VisibilityTimeout=visibility,
        MessageAttributeNames=["All"],
        AttributeNames=["SentTimestamp"],
    )
    messages: list[dict[str, Any]] = response.get("Messages", [])
    return messages


def _dead_letter(queue: str, message: dict[str, Any]) -> DeadLetter:
    attributes = {
        name: str(value.get("StringValue", ""))
        for name, value in message.get("MessageAttributes", {}).items()
    }
    sent = message.get("Attributes", {}).get("SentTimestamp")
    sent_at = None
    if sent:
        sent_at = datetime.fromtimestamp(int(sent) / 1000, UTC).isoformat()
    return DeadLetter(queue, str(message["MessageId"]), _body(message["Body"]), attributes, sent_at)


def _show_again(sqs: Any, queue_url: str, handles: list[str]) -> None:
    for handle in handles:
        # A handle that expired needs nothing: its message is visible again anyway.
        with contextlib.suppress(ClientError):
            sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)


def peek(sqs: Any, queue_url: str, queue: str) -> list[DeadLetter]:
    """Every message of the queue, left in place (hidden briefly while reading, then shown again)."""
    seen: dict[str, DeadLetter] = {}
    handles: list[str] = []
    try:
        while True:
            messages = _receive(sqs, queue_url, PEEK_VISIBILITY_SECONDS)
            if not messages:
                break
            for message in messages:
                handles.append(message["ReceiptHandle"])
                seen.setdefault(str(message["MessageId"]), _dead_letter(queue, message))
    finally:
        _show_again(sqs, queue_url, handles)
    return list(seen.values())


@dataclass
class RedriveOutcome:
    queue: str
    message_id: str
    event_id: str | None
    delivered: bool
    error: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            "destination": self.queue,
            "messageId": self.message_id,
            "eventId": self.event_id,
            "result": "delivered" if self.delivered else "failed again (kept in the queue)",
            "error": self.error,
        }


@dataclass
class RedriveReport:
    outcomes: list[RedriveOutcome] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return sum(1 for o in self.outcomes if o.delivered)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.delivered)


def redrive(
    sqs: Any,
    queue_url: str,
    invoke: Callable[[Any], Any],
    *,
    queue: str = "",
    select: Callable[[DeadLetter], bool] | None = None,
    on_outcome: Callable[[RedriveOutcome], None] | None = None,
) -> RedriveReport:
    """Invoke `invoke(event)` for each (selected) message; delete it only after success.

    `invoke` raises on failure (a boto3 Lambda invoke that returned a FunctionError, or a
    local function's error). Messages not selected, and failures, are made visible again.
    """
    report = RedriveReport()
    keep: list[str] = []
    try:
        while True:
            messages = _receive(sqs, queue_url, REDRIVE_VISIBILITY_SECONDS)
            if not messages:
                break
            for message in messages:
                letter = _dead_letter(queue, message)
                if select is not None and not select(letter):
                    keep.append(message["ReceiptHandle"])
                    continue
                try:
                    invoke(letter.event)
                except Exception as error:  # any failure of the target keeps the message
                    outcome = RedriveOutcome(
                        queue, letter.message_id, letter.event_id, False, str(error)[:500]
                    )
                    keep.append(message["ReceiptHandle"])
                else:
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                    outcome = RedriveOutcome(queue, letter.message_id, letter.event_id, True)
                report.outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
    finally:
        _show_again(sqs, queue_url, keep)
    return report


class FunctionFailed(Exception):
    """The function ran and reported an error (Lambda's FunctionError)."""


def lambda_invoker(lambda_client: Any, function_name: str) -> Callable[[Any], Any]:
    """A synchronous Lambda invoke that raises FunctionFailed when the function failed."""

    def invoke(event: Any) -> Any:
        response = lambda_client.invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode("utf-8"),
        )
        payload = response["Payload"].read().decode("utf-8", "replace")
        if response.get("FunctionError"):
            try:
                error = json.loads(payload)
                text = f"{error.get('errorType', 'Error')}: {error.get('errorMessage', '')}"
            except (ValueError, AttributeError):
                text = payload[:500]
            raise FunctionFailed(f"{function_name}: {text}")
        return json.loads(payload) if payload else None

    return invoke
