"""Exact fault shapes at the AWS SDK's wire boundary, for DynamoDB, EventBridge and SNS.

moto has no fault injection, so faults are armed on botocore's event hooks of every
session created after `install()` (the scanner and notifiers build their own sessions
on first invocation). A `before-send` handler that returns an HTTP response replaces
the network call but not the SDK: the response is parsed and retried by botocore's
own retry logic, exactly as a real throttle or 500 would be. Only the SDK's backoff
sleeps are shortened (`fast_retries`), so storms cost seconds, not minutes; retry
counts and order are unchanged.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse


class SimulatedKill(BaseException):
    """The Lambda process dies: nothing after it reaches AWS, no handler catches it."""


class _RawBody(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def aws_error_response(
    service: str, status: int, code: str, message: str, members: dict[str, Any] | None = None
) -> AWSResponse:
    """An error answer in the service's own wire protocol."""
    if service == "sns":  # query protocol: XML
        body = (
            f"<ErrorResponse><Error><Type>{'Receiver' if status >= 500 else 'Sender'}</Type>"
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    else:  # JSON 1.0 / 1.1
        prefix = "com.amazonaws.dynamodb.v20120810#" if service == "dynamodb" else ""
        body = json.dumps({"__type": prefix + code, "message": message, **(members or {})}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
    return AWSResponse("https://fault.invalid/", status, headers, _RawBody(body))


@dataclass
class WireFault:
    """Answers the next `count` matching requests with an error (or runs `action`)."""

    service: str  # botocore service name: "dynamodb", "events", "sns", "pinpoint-sms-voice-v2"
    operation: str  # "PutItem", "PutEvents", "Publish", ...; "*" for any
    count: int
    status: int = 500
    code: str = "InternalFailure"
    table: str | None = None  # DynamoDB: only requests for this table
    when: Callable[[dict[str, Any]], bool] | None = None  # only requests whose body passes
    members: dict[str, Any] | None = None  # modeled error members (e.g. Reason)
    action: Callable[[dict[str, Any]], AWSResponse | None] | None = None
    fired: int = 0

    def matches(self, service: str, operation: str, body: dict[str, Any]) -> bool:
        if service != self.service or self.operation not in ("*", operation) or self.fired >= self.count:
            return False
        if self.table is not None and body.get("TableName") != self.table:
            return False
        return self.when is None or self.when(body)

    def answer(self, body: dict[str, Any]) -> AWSResponse | None:
        self.fired += 1
        if self.action is not None:
            return self.action(body)
        return aws_error_response(self.service, self.status, self.code, f"Injected {self.code}", self.members)


@dataclass
class PartialPutEvents:
    """PutEvents accepts only some entries: the others come back with an ErrorCode.

    The dropped entries are removed from the request before it is sent (so EventBridge
    really never gets them) and re-inserted as failures into the parsed answer.
    """

    calls: int  # how many PutEvents calls fail partially
    fail_every: int = 2  # every n-th entry of those calls fails
    fired: int = 0
    entries_failed: int = 0


@dataclass
class Injector:
    wire: list[WireFault] = field(default_factory=list)
    partial_put_events: PartialPutEvents | None = None
    # Called after every successful call: (service, operation, parsed answer).
    observers: list[Callable[[str, str, dict[str, Any]], None]] = field(default_factory=list)
    dead: bool = False  # after a SimulatedKill every request of the process fails
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.wire.clear()
            self.partial_put_events = None
            self.observers.clear()
            self.dead = False


INJECTOR = Injector()


def _names(event_name: str) -> tuple[str, str]:
    # "before-send.dynamodb.PutItem" -> ("dynamodb", "PutItem"); service ids are lower-cased.
    parts = event_name.split(".")
    return parts[1].lower().replace(" ", "-"), parts[2]


def _service_name(service_id: str) -> str:
    return {"eventbridge": "events"}.get(service_id, service_id)


def _body(request: Any) -> dict[str, Any]:
    raw = request.body
    if isinstance(raw, bytes | bytearray) and raw[:1] == b"{":
        try:
            parsed: dict[str, Any] = json.loads(raw)
            return parsed
        except ValueError:
            return {}
    return {}


def _before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    service_id, operation = _names(event_name)
    service = _service_name(service_id)
    body = _body(request)
    with INJECTOR.lock:
        if INJECTOR.dead:
            raise SimulatedKill(f"process already dead: {service}:{operation}")
        fault = next((f for f in INJECTOR.wire if f.matches(service, operation, body)), None)
    return fault.answer(body) if fault is not None else None


def _before_parameter_build(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    partial = INJECTOR.partial_put_events
    if model.name != "PutEvents" or partial is None or partial.fired >= partial.calls:
        return
    entries = params.get("Entries", [])
    if len(entries) < 2:
        return  # PutEvents needs one entry at least: a partial failure needs two
    partial.fired += 1
    dropped = [i for i in range(len(entries)) if i % partial.fail_every == 0]
    context["regwatch_faults_dropped"] = (dropped, len(entries))
    params["Entries"] = [entry for i, entry in enumerate(entries) if i not in dropped]
    partial.entries_failed += len(dropped)


def _after_call(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    dropped_info = context.pop("regwatch_faults_dropped", None)
    if dropped_info is not None and model.name == "PutEvents":
        dropped, total = dropped_info
        accepted = iter(parsed.get("Entries", []))
        parsed["Entries"] = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "Injected partial failure"}
            if i in dropped
            else next(accepted)
            for i in range(total)
        ]
        parsed["FailedEntryCount"] = parsed.get("FailedEntryCount", 0) + len(dropped)
    service = model.service_model.service_name
    for observer in list(INJECTOR.observers):
        observer(service, model.name, parsed)


_installed = False


def install() -> Injector:
    """Hook every botocore session created from now on (idempotent)."""
    global _installed  # noqa: PLW0603 - one process-wide hook
    if not _installed:
        original_init = botocore.session.Session.__init__

        def init_and_hook(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self.register("before-send", _before_send)
            self.register("before-parameter-build.events.PutEvents", _before_parameter_build)
            self.register("after-call", _after_call)

        botocore.session.Session.__init__ = init_and_hook
        _installed = True
    return INJECTOR


@contextmanager
def fast_retries() -> Iterator[None]:
    """Shorten botocore's retry backoff and adaptive client-side waits to (almost) nothing."""
    from botocore.retries import adaptive, standard

    original_delay = standard.ExponentialBackoff.delay_amount
    original_acquire = adaptive.ClientRateLimiter.on_sending_request
    standard.ExponentialBackoff.delay_amount = lambda self, context: 0.001
    adaptive.ClientRateLimiter.on_sending_request = lambda self, request, **kwargs: None
    try:
        yield
    finally:
        standard.ExponentialBackoff.delay_amount = original_delay
        adaptive.ClientRateLimiter.on_sending_request = original_acquire


def kill_after_next_publish(table_name: str) -> Callable[[], int]:
    """Once events are out (PutEvents), the process dies on its next PutItem to `table_name`
    (and stays dead): the crash between publish and snapshot write. Returns how often it struck."""

    def die(body: dict[str, Any]) -> Any:
        with INJECTOR.lock:
            INJECTOR.dead = True
        raise SimulatedKill("killed after PutEvents, before the snapshot write")

    kill = WireFault("dynamodb", "PutItem", count=1, table=table_name, action=die)

    def after_publish(service: str, operation: str, parsed: dict[str, Any]) -> None:
        if (service, operation) == ("events", "PutEvents") and kill not in INJECTOR.wire:
            with INJECTOR.lock:
                INJECTOR.wire.append(kill)

    INJECTOR.observers.append(after_publish)
    return lambda: kill.fired
