"""The Lambda Invoke API for the local stack's functions, so boto3's `lambda` client works.

moto cannot run Lambda functions without Docker; the local stack runs them itself
(local.functions). This server answers `POST /2015-03-31/functions/{name}/invocations` like
Lambda does and hands the event to the local function, so the `regwatch` command redrives
dead letters through exactly the call it makes against AWS (`lambda:InvokeFunction`), found
through boto3's standard `AWS_ENDPOINT_URL_LAMBDA`.

- RequestResponse (default): 200 with the function's result; a failed function answers 200
  with `X-Amz-Function-Error: Unhandled` and `{"errorType", "errorMessage"}`, as Lambda does.
- Event: 202 at once, the invocation runs in the background.
- Unknown function: 404 `ResourceNotFoundException`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INVOKE_PATH = "/2015-03-31/functions/"

Invoke = Callable[[Any], Any]


class LambdaInvokeServer:
    """`functions` maps a function name to its invoke callable (raising on a function error)."""

    def __init__(self, functions: Mapping[str, Invoke], host: str = "127.0.0.1", port: int = 0) -> None:
        self.functions = dict(functions)
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="lambda-invoke-api", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LambdaInvokeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def find(self, name_or_arn: str) -> Invoke | None:
        # FunctionName may be a name, a full or partial ARN, with or without a qualifier.
        name = name_or_arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
        return self.functions.get(name)


def _handler(server: LambdaInvokeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
            data = json.dumps(body).encode("utf-8") if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            path = urllib.parse.urlparse(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not (path.startswith(INVOKE_PATH) and path.endswith("/invocations")):
                self._reply(HTTPStatus.NOT_FOUND, {"message": f"not a Lambda Invoke path: {path}"})
                return
            name = urllib.parse.unquote(path[len(INVOKE_PATH) : -len("/invocations")])
            invoke = server.find(name)
            if invoke is None:
                self._reply(
                    HTTPStatus.NOT_FOUND,
                    {"Type": "User", "message": f"Function not found: {name}"},
                    {"x-amzn-ErrorType": "ResourceNotFoundException"},
                )
                return
            event = json.loads(raw) if raw else {}
            if self.headers.get("X-Amz-Invocation-Type") == "Event":
                threading.Thread(target=_ignore_errors, args=(invoke, event), daemon=True).start()
                self._reply(HTTPStatus.ACCEPTED, None)
                return
            try:
                result = invoke(event)
            except Exception as error:  # the function failed: Lambda reports it in-band
                error_type = str(getattr(error, "error_type", type(error).__name__))
                message = str(getattr(error, "error_message", error))
                self._reply(
                    HTTPStatus.OK,
                    {"errorType": error_type, "errorMessage": message},
                    {"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST"},
                )
                return
            self._reply(HTTPStatus.OK, result, {"X-Amz-Executed-Version": "$LATEST"})

    return Handler


def _ignore_errors(invoke: Invoke, event: Any) -> None:
    # An asynchronous invocation's failure is in the function's own log, as in Lambda.
    with contextlib.suppress(Exception):
        invoke(event)
