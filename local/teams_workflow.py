"""A Teams-Workflows-compatible webhook ("When a Teams webhook request is received") for tests and the demo.

Answers `202` for a message with Adaptive Card attachments, like the real trigger. It is
stricter than Workflows, which accepts any JSON and fails later inside the flow: a legacy
MessageCard, a missing envelope or a card version Teams does not render gets `400` here,
so tests see the mistake. A wrong path or signature gets `404` (a deleted workflow).
`cards` holds every accepted card; faults: `script()` (see sink_server.py).
"""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from local.sink_server import Received, ScriptedServer, serve_until_interrupted

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
RENDERED_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")


def envelope_problem(payload: Any) -> str | None:  # noqa: PLR0911
    if not isinstance(payload, dict):
        return "the body is not a JSON object"
    if payload.get("@type") == "MessageCard":
        return "MessageCard (Office 365 connector format) is not supported by Workflows"
    if payload.get("type") != "message":
        return "type must be 'message'"
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "attachments must be a non-empty list"
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, dict) or attachment.get("contentType") != CARD_CONTENT_TYPE:
            return f"attachments[{index}].contentType must be {CARD_CONTENT_TYPE}"
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
            return f"attachments[{index}].content must be an AdaptiveCard"
        if card.get("version") not in RENDERED_VERSIONS:
            return f"attachments[{index}].content.version {card.get('version')!r} is not rendered by Teams"
        if not isinstance(card.get("body"), list) or not card["body"]:
            return f"attachments[{index}].content.body must be a non-empty list"
    return None


class TeamsWorkflowServer(ScriptedServer):
    name = "teams-workflow"

    def __init__(self, httpd: Any) -> None:
        super().__init__(httpd)
        self.workflow_path = f"/workflows/{secrets.token_hex(16)}/triggers/manual/paths/invoke"
        self.signature = secrets.token_urlsafe(24)
        self.cards: list[dict[str, Any]] = []
        self.rejections: list[str] = []

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{self.workflow_path}?api-version=1&sig={self.signature}"

    def reset_state(self) -> None:
        self.cards.clear()
        self.rejections.clear()

    def accept(self, received: Received) -> tuple[int, Any, dict[str, str]]:
        if received.path != self.workflow_path + f"?api-version=1&sig={self.signature}":
            return 404, {"error": {"code": "WorkflowNotFound", "message": "The workflow was not found."}}, {}
        problem = envelope_problem(received.payload)
        if problem is not None:
            self.rejections.append(problem)
            return 400, {"error": {"code": "InvalidRequestContent", "message": problem}}, {}
        self.cards += [a["content"] for a in received.payload["attachments"]]
        return 202, "", {}


def main() -> None:
    parser = argparse.ArgumentParser(description="Teams Workflows-compatible webhook.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = TeamsWorkflowServer.start(port=args.port)
    print(f"Teams workflow URL: {server.webhook_url}", flush=True)
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
