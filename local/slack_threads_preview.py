"""An HTML page of Slack thread mode as a channel shows it: each parent with its replies beneath.

The messages are what the local Slack Web API (local/slack_web_api.py) holds after regwatch's
`chat.postMessage` / `chat.update` calls: each parent in its latest (edited) form, how many
times it was edited, and its replies in the order they were posted, indented like Slack's
thread view. Blocks are rendered by local/report.py's Block Kit rendering, which escapes
every text it shows; the few values this page adds itself are escaped here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from local.report import SEVERITY_COLOR, SLACK_STYLE, render_block
from local.slack_web_api import PostedMessage

NO_SEVERITY_COLOR = "#dddddd"
_EVENT_ID = re.compile(r"regwatch event ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_THREAD_STYLE = """
.thread{max-width:792px;margin:0 0 28px}.thread>.message{margin-bottom:6px}
.edited{color:#616061;font-size:12px;font-weight:400;margin-left:6px}
.replies-count{color:#1264a3;font-size:13px;font-weight:700;margin:4px 0 6px 62px}
.replies{margin-left:46px;border-left:2px solid #d8d8d8;padding-left:16px}
.replies .message{margin-bottom:10px;box-shadow:0 1px 2px rgba(0,0,0,.10)}
.replies .header{font-size:16px}h2{font-size:16px;margin:32px 0 12px;color:#616061}
"""


def _color(message: PostedMessage, severities: Mapping[str, str]) -> str:
    """The left border by the severity of the event the message carries (as slack.html colours
    its messages); a parent, which carries no event id, takes its latest reply's."""
    latest = message.replies[-1] if message.replies else message
    match = _EVENT_ID.search(json.dumps(latest.blocks))
    return SEVERITY_COLOR.get(severities.get(match.group(1), "") if match else "", NO_SEVERITY_COLOR)


def message_html(message: PostedMessage, severities: Mapping[str, str]) -> str:
    blocks = message.blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": message.text}}]
    edited = f'<span class="edited">(edited {message.edits}×)</span>' if message.edits else ""
    rendered = "".join(render_block(block) for block in blocks)
    return (
        '<div class="message"><div class="avatar">rw</div>'
        f'<div class="body" style="border-left-color:{_color(message, severities)}">'
        f'<div class="who">regwatch<span>APP</span>{edited}</div>{rendered}</div></div>'
    )


def thread_html(parent: PostedMessage, severities: Mapping[str, str]) -> str:
    if not parent.replies:
        return f'<div class="thread">{message_html(parent, severities)}</div>'
    replies = "".join(message_html(reply, severities) for reply in parent.replies)
    return (
        f'<div class="thread">{message_html(parent, severities)}'
        f'<div class="replies-count">{_count(len(parent.replies), "reply", "replies")}</div>'
        f'<div class="replies">{replies}</div></div>'
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def last_activity(thread: PostedMessage) -> float:
    """Slack's `ts` of the thread's latest message (its last reply, else the parent)."""
    return float((thread.replies[-1] if thread.replies else thread).ts)


def render_threads_html(
    threads: Sequence[PostedMessage], channel: str, severities: Mapping[str, str] | None = None
) -> str:
    """Threads newest activity first, as Slack's Threads view lists them (replies oldest first
    within one); then the messages posted outside any thread (the digest), newest first.
    `severities` (eventId -> severity) colours each message as slack.html does."""
    severities = severities or {}
    ordered = sorted(threads, key=last_activity, reverse=True)
    in_threads = [t for t in ordered if t.replies]
    on_their_own = [t for t in ordered if not t.replies]
    replies = sum(len(t.replies) for t in threads)
    outside = (
        f"<h2>{_count(len(on_their_own), 'message', 'messages')} outside any thread</h2>"
        + "".join(thread_html(t, severities) for t in on_their_own)
        if on_their_own
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>regwatch demo: Slack threads</title>"
        f"<style>{SLACK_STYLE}{_THREAD_STYLE}</style></head><body>"
        f"<h1>{html.escape(channel)}</h1>"
        f'<div class="sub">Slack thread mode: {_count(len(in_threads), "thread", "threads")} (one per '
        f"registration or scan target) with {_count(replies, 'reply', 'replies')}, newest activity "
        "first. Each parent shows the latest state (rewritten with chat.update after every reply); "
        "rendered from what the local Slack Web API holds.</div>"
        + "".join(thread_html(t, severities) for t in in_threads)
        + outside
        + "</body></html>"
    )


def write_threads_html(
    threads: Sequence[PostedMessage], path: Path, channel: str, severities: Mapping[str, str] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_threads_html(threads, channel, severities), encoding="utf-8")
    return path.resolve()
