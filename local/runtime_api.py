"""A minimal AWS Lambda Runtime API server, enough for `awslambdaric` to run a handler.

One server serves one function process, one invocation at a time, as Lambda does for
one execution environment. The runtime client long-polls `GET .../invocation/next`;
`invoke()` hands it an event and waits for `POST .../{id}/response` or `.../{id}/error`.
Protocol reference: the Lambda "Runtime API" documentation (version 2018-06-01).
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_PREFIX = "/2018-06-01/runtime"
DEFAULT_ACCOUNT_ID = "123456789012"
# How often a blocked long-poll or a waiting invoke() looks up from its wait.
_POLL_SECONDS = 0.2


class InvocationTimeout(Exception):
    """The function did not answer before its deadline."""


class RuntimeGone(Exception):
    """The function process died (or failed to initialise) before it answered."""


@dataclass(frozen=True, slots=True)
class InvocationResult:
    """What the runtime reported for one invocation: a payload or an error document."""

    request_id: str
    payload: Any = None
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class _Invocation:
    request_id: str
    body: bytes
    deadline_ms: int
    done: threading.Event
    result: InvocationResult | None = None


class RuntimeApiServer:
    """The Runtime API for one local function; start with `RuntimeApiServer.start(...)`."""

    def __init__(self, function_name: str, region: str, account_id: str) -> None:
        self.function_name = function_name
        self.function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self._pending: queue.Queue[_Invocation] = queue.Queue()
        self._in_flight: dict[str, _Invocation] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.init_error: dict[str, Any] | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        function_name: str,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> RuntimeApiServer:
        server = cls(function_name, region, account_id)
        httpd = ThreadingHTTPServer((host, port), _handler_class(server))
        httpd.daemon_threads = True
        server._httpd = httpd
        server._thread = threading.Thread(
            target=httpd.serve_forever, name=f"runtime-api-{function_name}", daemon=True
        )
        server._thread.start()
        return server

    @property
    def address(self) -> str:
        """`host:port`, the value of AWS_LAMBDA_RUNTIME_API."""
        if self._httpd is None:
            raise RuntimeError("the Runtime API server is not started")
        host = self._httpd.server_address[0]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"{host_text}:{self._httpd.server_port}"

    def invoke(
        self,
        event: Any,
        timeout_seconds: float = 30.0,
        is_alive: Callable[[], bool] | None = None,
    ) -> InvocationResult:
        """Queue one event and wait for the runtime's answer.

        `is_alive` lets the caller say the function process has died, so a crash is
        reported at once instead of as a timeout.
        """
        if self.init_error is not None:
            raise RuntimeGone(f"{self.function_name} failed to initialise: {self.init_error}")
        request_id = str(uuid.uuid4())
        deadline = time.time() + timeout_seconds
        invocation = _Invocation(
            request_id=request_id,
            body=json.dumps(event).encode("utf-8"),
            deadline_ms=int(deadline * 1000),
            done=threading.Event(),
        )
        with self._lock:
            self._in_flight[request_id] = invocation
        self._pending.put(invocation)
        try:
            while not invocation.done.wait(_POLL_SECONDS):
                if self.init_error is not None:
                    raise RuntimeGone(f"{self.function_name} failed to initialise: {self.init_error}")
                if is_alive is not None and not is_alive():
                    raise RuntimeGone(f"{self.function_name} exited during invocation {request_id}")
                if time.time() > deadline:
                    raise InvocationTimeout(
                        f"{self.function_name} did not answer within {timeout_seconds:.0f} s"
                    )
        finally:
            with self._lock:
                self._in_flight.pop(request_id, None)
            self._drop_pending(request_id)
        if invocation.result is None:
            raise RuntimeGone(f"{self.function_name}: invocation {request_id} finished without a result")
        return invocation.result

    def _drop_pending(self, request_id: str) -> None:
        # An invocation abandoned before the runtime took it must not be handed out later.
        kept: list[_Invocation] = []
        while True:
            try:
                item = self._pending.get_nowait()
            except queue.Empty:
                break
            if item.request_id != request_id:
                kept.append(item)
        for item in kept:
            self._pending.put(item)

    def next_invocation(self) -> _Invocation | None:
        """Block until an invocation is queued (None when the server stops)."""
        while not self._stopping.is_set():
            try:
                return self._pending.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return None

    def complete(self, request_id: str, payload: Any = None, error: dict[str, Any] | None = None) -> bool:
        with self._lock:
            invocation = self._in_flight.get(request_id)
        if invocation is None:
            return False
        invocation.result = InvocationResult(request_id=request_id, payload=payload, error=error)
        invocation.done.set()
        return True

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _decode(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0"


def _handler_class(server: RuntimeApiServer) -> type[BaseHTTPRequestHandler]:
    class RuntimeApiHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            # The runtime polls constantly; access logs would drown the demo's timeline.
            return

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if "Content-Type" not in (headers or {}):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def handle(self) -> None:
            # A runtime killed mid-poll (timeouts, shutdown) leaves a dead socket: not an error here.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:
            if self.path != f"{API_PREFIX}/invocation/next":
                self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')
                return
            invocation = server.next_invocation()
            if invocation is None:
                self._reply(HTTPStatus.GONE, b'{"errorMessage":"runtime api stopping"}')
                return
            self._reply(
                HTTPStatus.OK,
                invocation.body,
                {
                    # awslambdaric crashes on a /next reply without a JSON content type.
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": server.function_arn,
                    "Lambda-Runtime-Trace-Id": _trace_id(),
                },
            )

        def do_POST(self) -> None:
            body = self._read_body()
            if self.path == f"{API_PREFIX}/init/error":
                server.init_error = _decode(body) or {"errorType": "Runtime.InitError"}
                self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                return
            prefix = f"{API_PREFIX}/invocation/"
            if not self.path.startswith(prefix):
                self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')
                return
            request_id, _, outcome = self.path[len(prefix) :].partition("/")
            if outcome == "response":
                known = server.complete(request_id, payload=_decode(body))
            elif outcome == "error":
                error = _decode(body)
                if not isinstance(error, dict):
                    error = {"errorMessage": str(error)}
                error.setdefault(
                    "errorType", self.headers.get("Lambda-Runtime-Function-Error-Type") or "Unhandled"
                )
                known = server.complete(request_id, error=error)
            else:
                self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')
                return
            if known:
                self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            else:
                self._reply(HTTPStatus.BAD_REQUEST, b'{"errorMessage":"unknown or expired request id"}')

    return RuntimeApiHandler
