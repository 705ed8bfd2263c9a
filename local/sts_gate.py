"""A local STS front: AssumeRole of a role that does not exist is refused, the rest goes to moto.

moto's STS hands out credentials for any role ARN (it checks neither the role's existence
nor its trust policy). AWS answers AccessDenied when the role is missing in the member
account, and that is what the org demo needs to show, so the scanner's STS endpoint
(AWS_ENDPOINT_URL_STS) points here: requests are forwarded to moto unchanged, except
AssumeRole on a role listed in `missing`, answered with STS's own AccessDenied error.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DENIED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>AccessDenied</Code><Message>User: {caller} is not authorized to perform: sts:AssumeRole on "
    "resource: {role}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
    "</ErrorResponse>"
)


class StsGate:
    def __init__(self, moto_url: str) -> None:
        self.missing: set[str] = set()
        self.refused = 0
        target = urllib.parse.urlsplit(moto_url)
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # quiet: the demo has its own timeline
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                role = form.get("RoleArn", [""])[0]
                if form.get("Action", [""])[0] == "AssumeRole" and role in gate.missing:
                    gate.refused += 1
                    answer = _DENIED.format(
                        caller="arn:aws:sts::123456789012:assumed-role/scanner", role=role
                    )
                    self._reply(403, {"Content-Type": "text/xml"}, answer.encode())
                    return
                connection = http.client.HTTPConnection(
                    target.hostname or "127.0.0.1", target.port, timeout=30
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                self._reply(
                    response.status, {"Content-Type": response.getheader("Content-Type", "text/xml")}, payload
                )
                connection.close()

            def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
