"""The signed webhook's stand-in: a receiver that verifies every request as the docs tell receivers to.

Verification is written here from the Standard Webhooks specification, not imported from
the destination's code, so a signing bug cannot hide behind itself: the signature over
`{webhook-id}.{webhook-timestamp}.{raw body}` with the key (base64 after `whsec_`), a
timestamp within REPLAY_WINDOW_SECONDS of this machine's clock, and one delivery per
`webhook-id` (a repeat is answered 200 and counted, never processed twice). A request that
fails a check is answered 401 and recorded in `rejections` with the reason.

    python -m local.sinks.webhook   # prints the secret JSON to store, then serves
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from local.sink_server import Received, ScriptedServer, retry_after_header, serve_until_interrupted
from local.sinks import LocalSink, html_page

REPLAY_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class Delivered:
    webhook_id: str
    timestamp: int
    payload: dict[str, Any]


def verify(key: bytes, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    """None if the request is authentic and fresh, else why not."""
    webhook_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not webhook_id or not stamp.isdigit():
        return "missing webhook-id or webhook-timestamp"
    if abs(now - int(stamp)) > REPLAY_WINDOW_SECONDS:
        return f"timestamp {stamp} outside the {REPLAY_WINDOW_SECONDS} s replay window"
    expected = base64.b64encode(
        hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    offered = [
        s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if s.startswith("v1,")
    ]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        return "no valid v1 signature"
    return None


class WebhookReceiver(ScriptedServer):
    name = "signed-webhook"

    def __init__(self, httpd: Any, clock: Callable[[], float] = time.time) -> None:
        super().__init__(httpd)
        self.key = secrets.token_bytes(32)
        self.hook_path = f"/hooks/{secrets.token_hex(8)}"
        self.clock = clock
        self.deliveries: list[Delivered] = []
        self.repeats: Counter[str] = Counter()  # webhook-ids received again after processing
        self.rejections: list[str] = []

    @property
    def signing_secret(self) -> str:
        return "whsec_" + base64.b64encode(self.key).decode()

    @property
    def webhook_url(self) -> str:
        return self.url + self.hook_path

    def secret_json(self) -> str:
        return json.dumps({"url": self.webhook_url, "signingSecret": self.signing_secret})

    def reset_state(self) -> None:
        self.deliveries.clear()
        self.repeats.clear()
        self.rejections.clear()

    def _respond(self, request: BaseHTTPRequestHandler) -> None:
        # The signature covers the raw bytes: read them before anything parses the body.
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in request.headers.items()}
        scripted = self._record_and_script(Received(request.path, headers, body))
        if "status" in scripted:
            self._answer(
                request, int(scripted["status"]), scripted.get("body", "error"), retry_after_header(scripted)
            )
            return
        with self.lock:
            status, answer = self._receive(request.path, headers, body)
        self._answer(request, status, answer)

    def _receive(self, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, Any]:
        if path != self.hook_path:
            return 404, "no such hook"
        problem = verify(self.key, headers, body, self.clock())
        if problem is not None:
            self.rejections.append(problem)
            return 401, problem
        webhook_id = headers["webhook-id"]
        if any(d.webhook_id == webhook_id for d in self.deliveries):
            self.repeats[webhook_id] += 1
            return 200, {"duplicate": True}
        self.deliveries.append(Delivered(webhook_id, int(headers["webhook-timestamp"]), json.loads(body)))
        return 200, {"ok": True}

    def accept(self, received: Received) -> tuple[int, Any, dict[str, str]]:  # pragma: no cover
        raise AssertionError("_respond answers every request")


def _event_id(delivered: Delivered) -> str:
    data = delivered.payload.get("data")
    event_id = data.get("eventId") if isinstance(data, dict) else None
    return str(event_id or delivered.webhook_id)


class WebhookSink(LocalSink):
    name = "webhook"
    server: WebhookReceiver

    def secret_value(self) -> str:
        return self.server.secret_json()

    def fast_env(self) -> dict[str, str]:
        return {"WEBHOOK_TIMEOUT_SECONDS": "1"}

    def delivered(self) -> Counter[str]:
        # What the receiver processed, per eventId in the payload: a retry under the same
        # webhook-id is a repeat it answers without processing (counted in `repeats`, not here),
        # so a duplicate is an event processed twice, as a retry under a new webhook-id would be.
        return Counter(_event_id(d) for d in self.server.deliveries)

    def write_preview(self, output: Path, severities: Mapping[str, str] | None = None) -> Path:
        rows = [
            [
                d.webhook_id,
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(d.timestamp)),
                str(d.payload.get("type", "")),
                str(d.payload.get("data", {}).get("severity", "")),
                str(d.payload.get("summary", {}).get("subject", "")),
            ]
            for d in self.server.deliveries
        ]
        path = output / "webhook.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            html_page(
                "regwatch at a signed webhook",
                f"{self.summary()}; every request checked against its HMAC-SHA256 signature and the "
                f"{REPLAY_WINDOW_SECONDS} s replay window",
                ["webhook-id", "signed at (UTC)", "type", "severity", "subject"],
                rows,
            ),
            encoding="utf-8",
        )
        return path

    def summary(self) -> str:
        return (
            f"Signed webhook: {len(self.server.deliveries)} events verified, "
            f"{sum(self.server.repeats.values())} repeats deduplicated, {len(self.server.rejections)} refused"
        )


def start() -> WebhookSink:
    return WebhookSink(WebhookReceiver.start(port=0))


def main() -> None:
    server = WebhookReceiver.start(port=0)
    print(f"Store this in the webhook secret: {server.secret_json()}", flush=True)
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
