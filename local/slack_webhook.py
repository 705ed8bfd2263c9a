"""A Slack-compatible incoming-webhook server for tests and the demo.

It answers like hooks.slack.com: `200 ok` for a valid message, `400 invalid_payload`
for bad JSON, `400 no_text` without text or blocks, `400 invalid_blocks` when Block Kit
validation (slack_sdk's own models: lengths, counts) fails, `404 no_service` for a
wrong webhook path. `script()` queues answers for the next requests to inject faults:

    server.script([{"status": 429, "retry_after": 1}, {"status": 500},
                   {"status": 400, "body": "invalid_payload"}, {"delay": 2.0}])

`requests` records every payload received (retries included), `deliveries` only
the ones answered 200. Under `/api/` it also serves the Web API calls of thread mode
(`web_api`, see slack_web_api.py) for a WebClient with `base_url=server.api_url`.
Run alone: `python -m local.slack_webhook --port 9999` prints each message it receives.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from local.sink_server import serve_until_interrupted
from local.slack_web_api import SlackWebApi

MAX_BLOCKS = 50


def block_kit_problem(payload: Any) -> tuple[str, str] | None:
    """(error code, detail) Slack would answer for this payload, or None if accepted."""
    if not isinstance(payload, dict):
        return "invalid_payload", "payload is not a JSON object"
    blocks = payload.get("blocks")
    if not payload.get("text") and not blocks:
        return "no_text", "neither text nor blocks"
    return None if blocks is None else _blocks_problem(blocks)


def _blocks_problem(blocks: Any) -> tuple[str, str] | None:
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks", f"blocks must be a list of at most {MAX_BLOCKS}"
    for index, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is None or type(parsed) is Block:
                return "invalid_blocks", f"blocks[{index}]: unknown block type {block.get('type')!r}"
            parsed.validate_json()
        except (SlackObjectFormationError, AttributeError, TypeError, KeyError) as error:
            return "invalid_blocks", f"blocks[{index}]: {error}"
    return None


class SlackWebhookServer:
    def __init__(self, httpd: ThreadingHTTPServer, path: str) -> None:
        self._httpd = httpd
        self.path = path
        self.requests: list[Any] = []
        self.deliveries: list[Any] = []
        self.rejections: list[tuple[int, str]] = []
        self._script: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._thread = threading.Thread(target=httpd.serve_forever, name="slack-webhook", daemon=True)
        self.web_api = SlackWebApi()

    @classmethod
    def start(cls, port: int = 0, host: str = "127.0.0.1", verbose: bool = False) -> SlackWebhookServer:
        # A webhook path shaped like Slack's, with a random secret part like the real one.
        path = f"/services/T0REGWATCH/B0REGWATCH/{secrets.token_urlsafe(18)}"
        server_ref: list[SlackWebhookServer] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the request line holds the secret path

            def do_POST(self) -> None:
                server_ref[0]._handle(self, verbose)

        httpd = ThreadingHTTPServer((host, port), Handler)
        httpd.daemon_threads = True
        server = cls(httpd, path)
        server_ref.append(server)
        server._thread.start()
        return server

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    @property
    def webhook_url(self) -> str:
        return self.url + self.path

    def script(self, responses: list[dict[str, Any]]) -> None:
        """Queue answers for the next requests, in order; then normal answers resume."""
        with self._lock:
            self._script.extend(responses)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being answered (a delayed one may still be sleeping)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def clear(self) -> None:
        """Forget everything, after in-flight requests finish so they cannot leak into the next test."""
        self.wait_idle()
        with self._lock:
            self.requests.clear()
            self.deliveries.clear()
            self.rejections.clear()
            self._script.clear()
            self.web_api.clear()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_scripted(self) -> dict[str, Any] | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _handle(self, request: BaseHTTPRequestHandler, verbose: bool) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._answer_request(request, verbose)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _answer_request(self, request: BaseHTTPRequestHandler, verbose: bool) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        try:
            payload: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        with self._lock:
            self.requests.append(payload if payload is not None else raw.decode("utf-8", "replace"))
        scripted = self._next_scripted() or {}
        if scripted.get("delay"):
            time.sleep(float(scripted["delay"]))
        status = int(scripted.get("status", 200))
        if status != 200:
            headers = {"Retry-After": str(scripted.get("retry_after", 1))} if status == 429 else {}
            default_body = {429: "rate_limited", 400: "invalid_payload", 404: "no_service"}.get(
                status, "error"
            )
            self._answer(request, status, str(scripted.get("body", default_body)), headers)
            return
        if request.path.startswith("/api/"):
            with self._lock:
                answer = self.web_api.call(
                    request.path.removeprefix("/api/"), request.headers.get("Authorization", ""), payload
                )
            self._answer(request, 200, json.dumps(answer), content_type="application/json")
            return
        if request.path != self.path:
            self._answer(request, 404, "no_service")
            return
        if payload is None:
            self._answer(request, 400, "invalid_payload")
            return
        problem = block_kit_problem(payload)
        if problem is not None:
            with self._lock:
                self.rejections.append((400, f"{problem[0]}: {problem[1]}"))
            self._answer(request, 400, problem[0])
            return
        with self._lock:
            self.deliveries.append(payload)
        if verbose:
            print(json.dumps(payload, indent=2, ensure_ascii=False), flush=True)
        self._answer(request, 200, "ok")

    @staticmethod
    def _answer(
        request: BaseHTTPRequestHandler,
        status: int,
        body: str,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html",
    ) -> None:
        data = body.encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a scripted slow answer outlived its timeout): that is
            # the scenario under test, not a server fault, so no traceback.
            request.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Slack-compatible incoming-webhook server (prints messages)."
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    server = SlackWebhookServer.start(port=args.port, host=args.host, verbose=True)
    print(f"Slack webhook URL: {server.webhook_url}", flush=True)
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
