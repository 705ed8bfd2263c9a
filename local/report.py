"""The demo's end: a summary table in the terminal and an HTML page of the Slack messages.

The HTML renders the Block Kit blocks regwatch posts (header, section text and fields,
context, buttons, dividers) into one self-contained file, close enough to Slack's look
to judge a message without a Slack workspace.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from local.records import Notification

if TYPE_CHECKING:
    from local.emulator import EmulatorControl

_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]+))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI = {
    ":rotating_light:": "🚨", ":white_check_mark:": "✅", ":information_source:": "ℹ️",
    ":warning:": "⚠️", ":book:": "📖", ":x:": "❌", ":no_entry:": "⛔", ":lock:": "🔒",
    ":tada:": "🎉", ":hourglass_flowing_sand:": "⏳", ":wastebasket:": "🗑️", ":mag:": "🔍",
    ":inbox_tray:": "📥", ":file_folder:": "📁", ":new:": "🆕", ":key:": "🔑",
    ":alarm_clock:": "⏰", ":clipboard:": "📋", ":sunny:": "☀️",
}  # fmt: skip
# Left border of a message, by event severity (as Slack attachments colour a message).
SEVERITY_COLOR = {"ACTION_REQUIRED": "#e01e5a", "GOOD_NEWS": "#2eb67d", "INFO": "#36c5f0"}


def _emoji(text: str) -> str:
    return re.sub(r":[a-z0-9_+-]+:", lambda m: _EMOJI.get(m.group(0), m.group(0)), text)


def _plain(text: str) -> str:
    # Slack escapes &, < and > in mrkdwn; undo that, then escape for HTML.
    return html.escape(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def mrkdwn_to_html(text: str) -> str:
    """Slack mrkdwn (bold, italic, code, links, line breaks) to HTML."""
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        parts.append(_plain(text[position : match.start()]))
        url = html.escape(match.group(1), quote=True)
        label = _plain(match.group(2) or match.group(1))
        parts.append(f'<a href="{url}">{label}</a>')
        position = match.end()
    parts.append(_plain(text[position:]))
    rendered = "".join(parts)
    rendered = _CODE.sub(r"<code>\1</code>", rendered)
    rendered = _BOLD.sub(r"<b>\1</b>", rendered)
    rendered = _ITALIC.sub(r"<i>\1</i>", rendered)
    return _emoji(rendered).replace("\n", "<br>")


def _text(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_html(str(obj.get("text", "")))
    return _emoji(html.escape(str(obj.get("text", ""))))


def render_block(block: Mapping[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f'<div class="header">{_text(block.get("text"))}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "section":
        out = []
        if block.get("text"):
            out.append(f'<div class="text">{_text(block["text"])}</div>')
        if block.get("fields"):
            fields = "".join(f'<div class="field">{_text(f)}</div>' for f in block["fields"])
            out.append(f'<div class="fields">{fields}</div>')
        return f'<div class="section">{"".join(out)}</div>'
    if kind == "context":
        items = " · ".join(_text(e) for e in block.get("elements", []) if e.get("type") != "image")
        return f'<div class="context">{items}</div>'
    if kind == "actions":
        buttons = []
        for element in block.get("elements", []):
            if element.get("type") == "button":
                style = html.escape(str(element.get("style", "default")))
                url = html.escape(str(element.get("url", "#")), quote=True)
                buttons.append(f'<a class="button {style}" href="{url}">{_text(element.get("text"))}</a>')
        return f'<div class="actions">{"".join(buttons)}</div>'
    return f'<pre class="unknown">{html.escape(str(block))}</pre>'


# The look of a Slack channel; the thread preview (local/slack_threads_preview.py) shares it.
SLACK_STYLE = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Lato,Helvetica,Arial,sans-serif;
background:#f4f4f4;color:#1d1c1d;margin:0;padding:24px}
h1{font-size:20px;margin:0 0 4px}.sub{color:#616061;font-size:13px;margin-bottom:20px}
.message{display:flex;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);margin:0 0 16px;
max-width:760px;padding:14px 16px}
.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:700;display:flex;
align-items:center;justify-content:center;margin-right:10px;flex:none}
.body{flex:1;min-width:0;border-left:4px solid #ddd;padding-left:12px}
.who{font-weight:900;font-size:15px}.who span{font-weight:400;color:#616061;font-size:12px;margin-left:6px}
.header{font-size:18px;font-weight:900;margin:6px 0}.text{font-size:15px;line-height:1.45;margin:4px 0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin:8px 0;font-size:15px}
.context{color:#616061;font-size:12px;margin:8px 0}
.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:4px 12px;margin:6px 6px 6px 0;
color:#1d1c1d;text-decoration:none;font-weight:700;font-size:14px}
.button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
hr{border:none;border-top:1px solid #ddd;margin:10px 0}code{background:#f7f7f9;border:1px solid #e1e1e8;
border-radius:3px;padding:0 3px;color:#e01e5a;font-size:12px}a{color:#1264a3}
"""


def render_slack_html(
    notifications: Iterable[Notification], severities: Mapping[str, str] | None = None
) -> str:
    severities = severities or {}
    messages = []
    slack = [n for n in notifications if n.destination == "slack"]
    for notification in slack:
        blocks = notification.payload.get("blocks") or [
            {"type": "section", "text": {"type": "mrkdwn", "text": notification.text}}
        ]
        color = SEVERITY_COLOR.get(severities.get(notification.event_id or "", ""), "#dddddd")
        rendered = "".join(render_block(block) for block in blocks)
        messages.append(
            '<div class="message"><div class="avatar">rw</div>'
            f'<div class="body" style="border-left-color:{color}">'
            '<div class="who">regwatch<span>APP</span></div>'
            f"{rendered}</div></div>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>regwatch demo: Slack messages</title>"
        f"<style>{SLACK_STYLE}</style></head><body>"
        "<h1>#sms-registrations</h1>"
        f'<div class="sub">{len(slack)} messages posted by regwatch during the demo '
        "(rendered from the Block Kit payloads the local webhook received)</div>"
        + "".join(messages)
        + "</body></html>"
    )


def write_slack_html(
    notifications: Iterable[Notification], path: Path, severities: Mapping[str, str] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_slack_html(notifications, severities), encoding="utf-8")
    return path.resolve()


def _table(title: str, rows: list[tuple[str, str]]) -> list[str]:
    width = max([len(label) for label, _ in rows] + [10])
    lines = [title]
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows] or ["  (none)"]
    return lines


class StackFacts(Protocol):
    """What the summary reads of the local stack (local.local_stack.LocalStack provides it)."""

    @property
    def transitions(self) -> list[dict[str, Any]]: ...
    @property
    def notifications(self) -> list[Notification]: ...
    @property
    def scans(self) -> int: ...
    @property
    def duplicates_suppressed(self) -> int: ...
    @property
    def control(self) -> EmulatorControl: ...


def summarize(stack: StackFacts, dead_letters: Mapping[str, list[Any]], seconds: float) -> str:
    """The end-of-demo table: transitions, notifications, API calls, duplicates, dead letters."""
    # Events without a status (the daily digest) are counted by their detail-type.
    statuses = Counter(
        str(e.get("detail", {}).get("status") or f"({e.get('detail-type', 'unknown')})")
        for e in stack.transitions
    )
    baseline = sum(1 for e in stack.transitions if e.get("detail", {}).get("baseline"))
    destinations = Counter(n.destination for n in stack.notifications)
    counters = stack.control.counters()
    calls = {str(k): int(v) for k, v in counters.items() if isinstance(v, int | float) and v}
    dead = sum(len(v) for v in dead_letters.values())
    lines = ["", "═" * 64, f"regwatch demo summary  ({stack.scans} scans, {seconds:.0f} s)", "═" * 64]
    lines += _table(
        f"Transitions detected: {len(stack.transitions)} ({baseline} baseline)",
        [(status, str(n)) for status, n in sorted(statuses.items())],
    )
    lines += _table(
        "Notifications",
        [("Slack", str(destinations.get("slack", 0))), ("SNS", str(destinations.get("sns", 0)))],
    )
    lines += _table(
        f"SMS API calls spent: {sum(calls.values())}", [(op, str(n)) for op, n in sorted(calls.items())]
    )
    lines += _table(
        "Delivery",
        [
            ("duplicates suppressed", str(stack.duplicates_suppressed)),
            ("dead letters", str(dead)),
        ],
    )
    lines.append("═" * 64)
    return "\n".join(lines)
