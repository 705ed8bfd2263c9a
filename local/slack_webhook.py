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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from local.sink_server import ScriptedServer, retry_after_header, serve_until_interrupted
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


class SlackWebhookServer(ScriptedServer):
    """`ScriptedServer`'s lifecycle and scripting; answers in Slack's own text format."""

    name = "slack-webhook"
    text_content_type = "text/html"  # what hooks.slack.com answers

    def __init__(self, httpd: ThreadingHTTPServer, verbose: bool = False) -> None:
        super().__init__(httpd)
        # A webhook path shaped like Slack's, with a random secret part like the real one.
        self.path = f"/services/T0REGWATCH/B0REGWATCH/{secrets.token_urlsafe(18)}"
        self.verbose = verbose
        self.deliveries: list[Any] = []
        self.rejections: list[tuple[int, str]] = []
        self.web_api = SlackWebApi()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    @property
    def webhook_url(self) -> str:
        return self.url + self.path

    def reset_state(self) -> None:
        self.deliveries.clear()
        self.rejections.clear()
        self.web_api.clear()

    def _respond(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        try:
            payload: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        # `requests` holds every payload received (the raw text when it was not JSON).
        recorded: Any = payload if payload is not None else raw.decode("utf-8", "replace")
        scripted = self._record_and_script(recorded)
        status = int(scripted.get("status", 200))
        if status != 200:
            default_body = {429: "rate_limited", 400: "invalid_payload", 404: "no_service"}.get(
                status, "error"
            )
            body = str(scripted.get("body", default_body))
            self._answer(request, status, body, retry_after_header(scripted))
            return
        if request.path.startswith("/api/"):
            with self.lock:
                answer = self.web_api.call(
                    request.path.removeprefix("/api/"), request.headers.get("Authorization", ""), payload
                )
            self._answer(request, 200, answer)
            return
        if request.path != self.path:
            self._answer(request, 404, "no_service")
            return
        if payload is None:
            self._answer(request, 400, "invalid_payload")
            return
        problem = block_kit_problem(payload)
        if problem is not None:
            with self.lock:
                self.rejections.append((400, f"{problem[0]}: {problem[1]}"))
            self._answer(request, 400, problem[0])
            return
        with self.lock:
            self.deliveries.append(payload)
        if self.verbose:
            print(json.dumps(payload, indent=2, ensure_ascii=False), flush=True)
        self._answer(request, 200, "ok")


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
