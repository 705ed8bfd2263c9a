"""The HTTP server: the AWS JSON 1.0 API at `POST /`, the control API under `/_emulator/`.

A ThreadingHTTPServer speaking HTTP/1.1 with keep-alive, so a boto3 client reuses its
connection and 1,000 list calls take seconds. The region of each AWS request is read
from the SigV4 credential scope and its account from the access key id (accounts.py),
so one emulator serves every account and region.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local.emulator import api, pagination, scenario
from local.emulator.accounts import Accounts
from local.emulator.control_api import CONTROL_HANDLERS
from local.emulator.faults import Faults
from local.emulator.native_events import NativeEventSink
from local.emulator.protocol import (
    CONTENT_TYPE,
    TARGET_PREFIX,
    ApiError,
    encode,
    unknown_operation,
    validation_error,
)
from local.emulator.state import EmulatorState
from local.emulator.store import Store
from local.emulator.validation import validate_input

CONTROL_PREFIX = "/_emulator/"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/([^/,\s]+)/aws4_request")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; without this, Nagle + delayed ACK
    # add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    server: _HttpServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks make thousands of calls

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._body()
        if self.path.startswith(CONTROL_PREFIX):
            self._control(b"")
        else:
            self._send(404, b'{"error":"not found"}', {"Content-Type": "application/json"})

    def do_POST(self) -> None:
        body = self._body()
        if self.path.startswith(CONTROL_PREFIX):
            self._control(body)
        else:
            self._aws(body)

    # --- control API --------------------------------------------------------

    def _control(self, raw: bytes) -> None:
        name = self.path[len(CONTROL_PREFIX) :].split("?", 1)[0].strip("/")
        handler = CONTROL_HANDLERS.get(name)
        status, payload = 200, {}
        if handler is None:
            status, payload = 404, {"error": f"unknown control action {name!r}"}
        else:
            try:
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                payload = {"result": handler(self.server.state, body)}
            except ApiError as error:
                status, payload = 400, {"error": str(error), "code": error.code}
            except (ValueError, KeyError, TypeError, LookupError, OSError) as error:
                status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
        self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    # --- AWS API ------------------------------------------------------------

    def _aws(self, raw: bytes) -> None:
        request_id = str(uuid.uuid4())
        state = self.server.state
        try:
            status, body = 200, self._answer(state, raw)
        except ApiError as error:
            status, body = error.status, error.body(request_id)
        headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
        if status != 200:
            headers["x-amzn-ErrorType"] = str(body["__type"])
        self._send(status, encode(body), headers)

    def _answer(self, state: EmulatorState, raw: bytes) -> dict[str, Any]:
        target = self.headers.get("X-Amz-Target") or ""
        operation = target.removeprefix(TARGET_PREFIX)
        handler = api.HANDLERS.get(operation) if target.startswith(TARGET_PREFIX) else None
        if handler is None:
            raise unknown_operation(target)
        match = _CREDENTIAL.search(self.headers.get("Authorization") or "")
        if match is None:
            raise ApiError(
                "MissingAuthenticationTokenException", "Missing or malformed SigV4 Authorization.", 403
            )
        access_key, region = match.group(1), match.group(2)
        account = state.accounts.resolve(access_key)
        credential = self.headers.get("X-Amz-Security-Token") or access_key
        refusal = state.accounts.check(account, region, operation, access_key)
        if refusal is not None:
            state.faults.refuse(operation, account)
            raise refusal
        latency = state.faults.latency_seconds(operation)
        if latency:
            time.sleep(latency)
        error = state.faults.admit(operation, region, credential, state.store.clock.now(), account)
        if error is not None:
            raise error
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            raise validation_error("CANNOT_PARSE", "The request body is not valid JSON.") from None
        validate_input(operation, params)
        pagination.check_not_expired(
            params.get("NextToken"), state.store.clock.now(), state.faults.next_token_ttl(operation)
        )
        with state.store.lock:
            state.timeline.apply_due(state.store)
            return handler(state.store, region, params, account)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        self.state = state
        super().__init__(address, _Handler)


class EmulatorServer:
    """A running emulator. `EmulatorServer.start(port=0)` picks a free port."""

    def __init__(self, http: _HttpServer, thread: threading.Thread | None) -> None:
        self._http = http
        self._thread = thread
        self._serving = False
        self.state = http.state
        host, port = http.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"

    @property
    def store(self) -> Store:
        """The in-process state, for fast bulk work in tests and benchmarks."""
        return self.state.store

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def accounts(self) -> Accounts:
        """Credential registry, denials and suspensions (see accounts.py)."""
        return self.state.accounts

    @property
    def native_events(self) -> NativeEventSink:
        """The native "Registration Status Change" sink: `subscribe`, `observe`, `flush`."""
        return self.state.native_events

    @classmethod
    def create(
        cls,
        port: int = 0,
        host: str = "127.0.0.1",
        rate_limit: float | None = None,
        scenario_spec: dict[str, Any] | str | Path | None = None,
        native_events: NativeEventSink | None = None,
    ) -> EmulatorServer:
        """Bind and seed, without serving yet (see `start` and `serve_forever`).

        `native_events` (default: off) emits AWS's "Registration Status Change" events;
        `reset` returns to the settings it was made with.
        """
        state = EmulatorState(
            faults=Faults(rate_limit=rate_limit),
            native_events=native_events or NativeEventSink(enabled=False),
        )
        if scenario_spec is not None:
            data = scenario_spec if isinstance(scenario_spec, dict) else scenario.load(scenario_spec)
            scenario.seed(state.store, state.timeline, data)
        return cls(_HttpServer((host, port), state), None)

    @classmethod
    def start(
        cls,
        port: int = 0,
        host: str = "127.0.0.1",
        rate_limit: float | None = None,
        scenario: dict[str, Any] | str | Path | None = None,
        native_events: NativeEventSink | None = None,
    ) -> EmulatorServer:
        """Start serving on a background thread; returns once the port is bound."""
        server = cls.create(port, host, rate_limit, scenario, native_events)
        server._thread = threading.Thread(
            target=server._http.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        server._serving = True
        server._thread.start()
        return server

    def serve_forever(self) -> None:
        """Serve on the calling thread until `stop()` (or KeyboardInterrupt)."""
        self._serving = True
        self._http.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._serving:
            self._http.shutdown()
            self._serving = False
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
