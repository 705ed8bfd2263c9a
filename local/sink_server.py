"""A small scripted HTTP server that local destination sinks (PagerDuty, Teams) build on.

Each sink answers like the real service through `accept()`; `script()` queues faults for
the next requests, as the Slack webhook server does:

    sink.script([{"status": 429, "retry_after": 1}, {"status": 500}, {"delay": 2.0}])

A scripted answer without a `status` (only a delay) is answered normally after the delay.
`requests` records every request (retries included).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    payload: Any  # parsed JSON, or the raw text if it was not JSON


class ScriptedServer:
    name = "sink"
    text_content_type = "text/plain"  # of answers that are text, not JSON

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self._httpd = httpd
        # Every request, retries included: a `Received` here; subclasses may record less.
        self.requests: list[Any] = []
        self._script: deque[dict[str, Any]] = deque()
        self.lock = threading.RLock()
        self._idle = threading.Condition(self.lock)
        self._in_flight = 0
        self._thread = threading.Thread(target=httpd.serve_forever, name=self.name, daemon=True)

    @classmethod
    def start(cls, port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> Self:
        server_ref: list[ScriptedServer] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: request lines may hold secrets

            def do_POST(self) -> None:
                server_ref[0]._handle(self)

        httpd = ThreadingHTTPServer((host, port), Handler)
        httpd.daemon_threads = True
        server = cls(httpd, **kwargs)
        server_ref.append(server)
        server._thread.start()
        return server

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, responses: list[dict[str, Any]]) -> None:
        with self.lock:
            self._script.extend(responses)

    def scripted_left(self) -> int:
        """Scripted answers not used yet (a fault row's probe: how many struck)."""
        with self.lock:
            return len(self._script)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def clear(self) -> None:
        self.wait_idle()
        with self.lock:
            self.requests.clear()
            self._script.clear()
            self.reset_state()

    def reset_state(self) -> None:
        """Subclasses forget what they accepted."""

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def accept(self, received: Received) -> tuple[int, Any, dict[str, str]]:
        """(status, JSON-able body or text, headers) the real service would answer."""
        raise NotImplementedError

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        """Counts the request in flight (`wait_idle`) while `_respond` answers it."""
        with self.lock:
            self._in_flight += 1
        try:
            self._respond(request)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _record_and_script(self, recorded: Any) -> dict[str, Any]:
        """Records a request and takes the next scripted answer in one step ({} when none is
        queued); returns it after its delay, if it has one."""
        with self.lock:
            self.requests.append(recorded)
            scripted = self._script.popleft() if self._script else {}
        if scripted.get("delay"):
            time.sleep(float(scripted["delay"]))
        return scripted

    def _respond(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode("utf-8", "replace")
        try:
            payload: Any = json.loads(raw)
        except json.JSONDecodeError:
            payload = raw
        received = Received(request.path, {k.lower(): v for k, v in request.headers.items()}, payload)
        scripted = self._record_and_script(received)
        if "status" in scripted:
            status = int(scripted["status"])
            body = scripted.get("body", {"status": "error"})
            self._answer(request, status, body, retry_after_header(scripted))
            return
        with self.lock:
            status, body, headers = self.accept(received)
        self._answer(request, status, body, headers)

    def _answer(
        self, request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        is_text = isinstance(body, str)
        data = (body if is_text else json.dumps(body)).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", self.text_content_type if is_text else "application/json")
            request.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a scripted slow answer outlived its timeout): that is
            # the scenario under test, not a server fault, so no traceback.
            request.close_connection = True


def retry_after_header(scripted: dict[str, Any]) -> dict[str, str]:
    """A scripted 429 carries Retry-After (1 s unless the script says otherwise)."""
    return {"Retry-After": str(scripted.get("retry_after", 1))} if int(scripted["status"]) == 429 else {}


def serve_until_interrupted(server: Any) -> None:
    """What each local server's command does once it printed its URL: serve until Ctrl-C, then stop."""
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
