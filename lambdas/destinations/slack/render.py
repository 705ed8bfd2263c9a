"""Contract-v1 event -> Slack message (Block Kit blocks + plain `text` fallback).

Pure: takes the parsed event, returns the JSON body for an incoming webhook. Every
text that came from the API is escaped for mrkdwn and cut to Block Kit's limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from destinations.slack.mrkdwn import escape_mrkdwn, fit, fit_plain, link, mrkdwn_text, plain_notification
from regwatch.event_models import DeniedReasonDetail, DigestEvent, Notification
from regwatch.severity import Severity
from regwatch_alerts.alert_content import AlertContent, FlaggedField, describe
from regwatch_alerts.digest_content import DigestSection, describe_digest

# Block Kit limits (api.slack.com/reference/block-kit/blocks).
HEADER_TEXT_LIMIT = 150
SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
MAX_FIELDS = 10
CONTEXT_TEXT_LIMIT = 2000
BUTTON_TEXT_LIMIT = 75
MAX_BLOCKS = 50
# Top-level `text`: Slack truncates very long messages; the fallback only needs the gist.
FALLBACK_TEXT_LIMIT = 3000
# Leaves room for the fixed blocks (header, summary, facts, steps, feedback, notes, button):
# 7 fixed + 23 for reasons + 13 for flagged fields <= 50.
MAX_REASON_BLOCKS = 20
MAX_FLAGGED_FIELD_BLOCKS = 10
# Slack states its limits in characters (per block, above), not in request bytes; regwatch keeps
# the whole request within its own budget, measured as slack_sdk sends it (JSON with \u escapes:
# a CJK character is 6 bytes, an emoji 12), so 50 blocks of CJK never make a 900 KB post.
MESSAGE_BYTES_LIMIT = 100_000

Block = dict[str, Any]


def _mrkdwn_section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn_text(fit(text, SECTION_TEXT_LIMIT))}


def _reason_block(reason: DeniedReasonDetail) -> Block:
    lines = [f"*{escape_mrkdwn(reason.reason)}*: {escape_mrkdwn(reason.short_description)}"]
    if reason.long_description:
        lines.append(escape_mrkdwn(reason.long_description))
    if reason.documentation_link or reason.documentation_title:
        title = reason.documentation_title or "Documentation"
        lines.append(f":book: {link(reason.documentation_link, title)}")
    # Keep the documentation link whole: cut the description part, not the link.
    text = "\n".join(lines)
    if len(text) > SECTION_TEXT_LIMIT and len(lines) > 1 and lines[-1].startswith(":book:"):
        head = fit("\n".join(lines[:-1]), SECTION_TEXT_LIMIT - len(lines[-1]) - 1)
        text = f"{head}\n{lines[-1]}"
    return _mrkdwn_section(text)


def _reason_blocks(content: AlertContent) -> list[Block]:
    if not content.reasons:
        return []
    count = len(content.reasons)
    title = "Why AWS denied it" if count == 1 else f"Why AWS denied it ({count} reasons)"
    blocks: list[Block] = [{"type": "divider"}, _mrkdwn_section(f"*{title}*")]
    blocks += [_reason_block(reason) for reason in content.reasons[:MAX_REASON_BLOCKS]]
    hidden = count - MAX_REASON_BLOCKS
    if hidden > 0:
        blocks.append(_mrkdwn_section(f"…and {hidden} more reasons: open the registration in the console."))
    return blocks


def _flagged_field_text(field: FlaggedField) -> str:
    lines = [f"*{escape_mrkdwn(field.field)}*"]
    if field.denied_reason:
        lines.append(f"Denied: {escape_mrkdwn(field.denied_reason)}")
    if field.feedback:
        lines.append(f"Feedback: {escape_mrkdwn(field.feedback)}")
    return fit("\n".join(lines), SECTION_TEXT_LIMIT)


def _flagged_field_blocks(content: AlertContent) -> list[Block]:
    """Fields packed into as few sections as fit; what does not fit is counted."""
    fields = content.flagged_fields
    if not fields:
        return []
    title = "Fields the reviewer flagged" + (f" ({len(fields)})" if len(fields) > 1 else "")
    texts: list[str] = []
    shown = 0
    for field in fields:
        text = _flagged_field_text(field)
        if texts and len(texts[-1]) + 2 + len(text) <= SECTION_TEXT_LIMIT:
            texts[-1] += "\n\n" + text
        elif len(texts) < MAX_FLAGGED_FIELD_BLOCKS:
            texts.append(text)
        else:
            break
        shown += 1
    blocks: list[Block] = [{"type": "divider"}, _mrkdwn_section(f"*{title}*")]
    blocks += [_mrkdwn_section(text) for text in texts]
    hidden = len(fields) - shown
    if hidden > 0:
        blocks.append(
            _mrkdwn_section(f"…and {hidden} more flagged fields: open the registration in the console.")
        )
    return blocks


def _fallback_text(content: AlertContent) -> str:
    first_step = content.next_steps[0] if content.next_steps else ""
    text = escape_mrkdwn(f"{content.headline}. {content.summary} {first_step}".strip())
    return fit(plain_notification(text), FALLBACK_TEXT_LIMIT)


def _digest_section_text(section: DigestSection) -> str:
    """`*Title*` and bullet lines, as many as fit one section; the rest counted."""
    text = f"*{escape_mrkdwn(section.title)}*"
    shown = 0
    for line in section.lines:
        bullet = f"\n• {escape_mrkdwn(line)}"
        # Keep room for the "and N more" line.
        if len(text) + len(bullet) > SECTION_TEXT_LIMIT - 60:
            break
        text += bullet
        shown += 1
    hidden = len(section.lines) - shown + section.hidden
    if hidden > 0:
        text += f"\n…and {hidden} more: see the console or the event archive."
    return text


def render_slack_digest(event: DigestEvent) -> dict[str, Any]:
    content = describe_digest(event)
    emoji = ":sunny:" if content.quiet else ":clipboard:"
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": fit_plain(f"{emoji} {content.title}", HEADER_TEXT_LIMIT),
                "emoji": True,
            },
        },
        _mrkdwn_section(escape_mrkdwn(content.summary)),
    ]
    for section in content.sections:
        blocks += [{"type": "divider"}, _mrkdwn_section(_digest_section_text(section))]
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn_text(f"regwatch event {content.event_id} (daily digest)")],
        }
    )
    text = fit(plain_notification(escape_mrkdwn(f"{content.title}: {content.summary}")), FALLBACK_TEXT_LIMIT)
    return {"text": text, "blocks": blocks[:MAX_BLOCKS]}


def render_slack_message(event: Notification) -> dict[str, Any]:
    """The webhook body: `text` (notification/fallback) and `blocks`."""
    if isinstance(event, DigestEvent):
        return render_slack_digest(event)
    content = describe(event)
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": fit_plain(f"{content.emoji} {content.headline}", HEADER_TEXT_LIMIT),
                "emoji": True,
            },
        },
        _mrkdwn_section(escape_mrkdwn(content.summary)),
        {
            "type": "section",
            "fields": [
                mrkdwn_text(fit(f"*{fact.label}*\n{escape_mrkdwn(fact.value)}", FIELD_TEXT_LIMIT))
                for fact in content.facts[:MAX_FIELDS]
            ],
        },
        _mrkdwn_section(
            "*What to do next*\n" + "\n".join(f"• {escape_mrkdwn(step)}" for step in content.next_steps)
        ),
    ]
    optional = _reason_blocks(content) + _flagged_field_blocks(content)
    if content.feedback:
        optional.append(_mrkdwn_section(f"*Feedback from AWS*\n{escape_mrkdwn(content.feedback)}"))
    tail: list[Block] = []
    tail.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open in AWS console", "emoji": False},
                    "url": content.console_url,
                    "action_id": "open_console",
                    **({"style": "danger"} if content.severity is Severity.ACTION_REQUIRED else {}),
                }
            ],
        }
    )
    notes = [*content.notes, f"regwatch event {content.event_id}"]
    tail.append(
        {
            "type": "context",
            "elements": [mrkdwn_text(fit(escape_mrkdwn(note), CONTEXT_TEXT_LIMIT)) for note in notes],
        }
    )
    return _within_bytes(blocks, optional, tail, _fallback_text(content))


def message_bytes(message: Mapping[str, Any]) -> int:
    """The request body's size as slack_sdk sends it (json.dumps, ASCII with \\u escapes)."""
    return len(json.dumps(message).encode("utf-8"))


def _within_bytes(head: list[Block], optional: list[Block], tail: list[Block], text: str) -> dict[str, Any]:
    """The message with as many optional blocks (reasons, fields, feedback) as fit MESSAGE_BYTES_LIMIT."""
    kept = optional[: max(0, MAX_BLOCKS - len(head) - len(tail))]
    message = {"text": text, "blocks": [*head, *kept, *tail]}
    if message_bytes(message) <= MESSAGE_BYTES_LIMIT:
        return message
    note = _mrkdwn_section(
        "…more reasons and feedback than one Slack message holds: open the registration in the console."
    )
    while kept:
        kept = kept[:-1]
        message = {"text": text, "blocks": [*head, *kept, note, *tail]}
        if message_bytes(message) <= MESSAGE_BYTES_LIMIT:
            break
    return message


def preview(notification: Notification, detail: Mapping[str, Any]) -> str:
    """The message as Slack receives it, as indented JSON (golden files, demo previews)."""
    return json.dumps(render_slack_message(notification), indent=2, ensure_ascii=False)
