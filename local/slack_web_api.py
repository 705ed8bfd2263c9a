"""The Slack Web API calls regwatch's thread mode uses, served by the local Slack server.

`chat.postMessage` (with or without `thread_ts`) and `chat.update`, answered like slack.com:
HTTP 200 with `{"ok": true, "channel", "ts", "message"}` or `{"ok": false, "error": "..."}` for
`invalid_auth` (wrong bearer token), `channel_not_found`, `not_in_channel`, `thread_not_found`,
`message_not_found`, `no_text` and `invalid_blocks`. `threads()` shows each parent with its
replies, as a channel would.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block


@dataclass
class PostedMessage:
    channel: str
    ts: str
    text: str
    blocks: list[Any]
    thread_ts: str | None = None
    edits: int = 0
    replies: list[PostedMessage] = field(default_factory=list)


def _blocks_problem(blocks: Any) -> str | None:
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        try:
            parsed = Block.parse(block)
            if parsed is None or type(parsed) is Block:
                return "invalid_blocks"
            parsed.validate_json()
        except Exception:
            return "invalid_blocks"
    return None


class SlackWebApi:
    def __init__(self, channels: tuple[str, ...] = ("C0REGWATCH1",)) -> None:
        self.bot_token = (
            f"xoxb-{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-{secrets.token_hex(12)}"
        )
        self.member_of: set[str] = set(channels)
        self.existing: set[str] = {*channels, "C0NOTMEMBER"}
        self.messages: dict[str, PostedMessage] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._counter = itertools.count(1)

    def clear(self) -> None:
        self.messages.clear()
        self.calls.clear()

    def threads(self) -> list[PostedMessage]:
        return [m for m in self.messages.values() if m.thread_ts is None]

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._counter):06d}"

    def call(self, method: str, authorization: str, payload: Any) -> dict[str, Any]:  # noqa: PLR0911
        """The JSON answer (always HTTP 200, like Slack) of one Web API call."""
        arguments = payload if isinstance(payload, dict) else {}
        self.calls.append((method, arguments))
        if authorization != f"Bearer {self.bot_token}":
            return {"ok": False, "error": "invalid_auth"}
        if method not in ("chat.postMessage", "chat.update"):
            return {"ok": False, "error": "unknown_method"}
        channel = str(arguments.get("channel", ""))
        if channel not in self.existing:
            return {"ok": False, "error": "channel_not_found"}
        if channel not in self.member_of:
            return {"ok": False, "error": "not_in_channel"}
        if not arguments.get("text") and not arguments.get("blocks"):
            return {"ok": False, "error": "no_text"}
        problem = _blocks_problem(arguments.get("blocks"))
        if problem:
            return {"ok": False, "error": problem}
        if method == "chat.update":
            message = self.messages.get(str(arguments.get("ts")))
            if message is None or message.channel != channel:
                return {"ok": False, "error": "message_not_found"}
            message.text, message.blocks = str(arguments.get("text", "")), list(arguments.get("blocks") or [])
            message.edits += 1
            return {"ok": True, "channel": channel, "ts": message.ts, "text": message.text}
        thread_ts = arguments.get("thread_ts")
        if thread_ts is not None and str(thread_ts) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        posted = PostedMessage(
            channel,
            self._ts(),
            str(arguments.get("text", "")),
            list(arguments.get("blocks") or []),
            str(thread_ts) if thread_ts is not None else None,
        )
        self.messages[posted.ts] = posted
        if posted.thread_ts is not None:
            self.messages[posted.thread_ts].replies.append(posted)
        return {"ok": True, "channel": channel, "ts": posted.ts, "message": {"text": posted.text}}
