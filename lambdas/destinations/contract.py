"""What a destination package provides to the notifier function, and what it gets.

`build_delivery(context) -> Delivery` is named by the registry entry (`Destination.delivery`)
and called once per execution environment, on the first invocation. It parses its own
settings from `context.environ` (a SettingsError names the variable), reads its secrets
through `regwatch_aws.secrets`, and returns the function that sends one event. The
notifier (notifier/runtime.py) wraps it with the shared flow: parse, once per eventId,
logging and metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from regwatch.event_models import Notification


@dataclass(frozen=True)
class DeliveryContext:
    destination: str
    environ: Mapping[str, str]  # the function's environment, read once by notifier/settings.py
    session: Any  # boto3.session.Session
    boto_config: Any  # botocore.config.Config: standard retries, timeouts
    idempotency_table_name: str


class Send(Protocol):
    def __call__(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        """Deliver one event (`notification` is None for events a destination takes unparsed, such
        as target health at PagerDuty; a DigestEvent only where `digestDestinations` routes it);
        return extra log fields; raise NotificationError on failure."""
        ...


@dataclass(frozen=True)
class Delivery:
    send: Send
    # Called after a failed send (e.g. re-read a secret that may have been rotated).
    on_failure: Callable[[], None] | None = None


BuildDelivery = Callable[[DeliveryContext], Delivery]
