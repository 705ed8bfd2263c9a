"""Why a notification could not be delivered, in words safe to log.

No message built here may contain a webhook URL or any other secret value: these
exceptions end up in CloudWatch, in the Lambda error payload and in the DLQ record.
"""

from __future__ import annotations


class NotificationError(Exception):
    """Base class: the invocation must fail so EventBridge/Lambda retry or dead-letter it."""


class InvalidEvent(NotificationError):
    """The input is not a contract-v1 regwatch event (wrong source, shape or major version)."""


class DestinationFailed(NotificationError):
    """The destination (Slack, SNS) refused or failed after the client's own retries."""

    def __init__(self, destination: str, reason: str, status: int | None = None) -> None:
        self.destination = destination
        self.reason = reason
        self.status = status
        shown = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{destination} delivery failed{shown}: {reason}")


class SecretUnavailable(NotificationError):
    """The destination's secret could not be read or does not hold a usable value."""
