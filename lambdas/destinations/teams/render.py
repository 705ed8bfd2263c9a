"""Contract event -> a Microsoft Teams Workflows message carrying an Adaptive Card 1.4.

Teams Workflows' "When a Teams webhook request is received" trigger takes
`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
"contentUrl": null, "content": <AdaptiveCard>}]}` and posts the card. Legacy Office 365
connector MessageCards are not produced: Microsoft retired those connectors.

Escaping: TextBlocks render a Markdown subset (links `[text](url)`, emphasis, lists) and
Teams turns `<at>…</at>` into mentions. AWS-supplied text (denial reasons, feedback) goes
through `escape_card_text`, so it can neither form a link nor mention anyone; links come
only from regwatch itself (the console) or AWS's documentation hosts, as card actions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from regwatch.event_models import Notification, RegwatchEvent
from regwatch.severity import Severity
from regwatch_alerts.alert_content import AlertContent, FlaggedField, describe

CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_REASONS_SHOWN = 10
TEXT_LIMIT = 1000
# Teams refuses a message over 28 KB, counted in bytes of the request (CJK: 3 bytes a character,
# emoji 4); the card shrinks its longest texts, then its lists, until it fits (message_bytes).
MESSAGE_BYTES_LIMIT = 28_000
# (text limit, reasons and fields shown) from the full card down to the smallest.
_BUDGETS = ((TEXT_LIMIT, MAX_REASONS_SHOWN), (500, MAX_REASONS_SHOWN), (300, 5), (160, 3), (80, 1))
MAX_ACTIONS = 5
_TRUSTED_LINK_HOSTS = ("aws.amazon.com", "amazon.com")
_COLORS = {Severity.ACTION_REQUIRED: "Attention", Severity.GOOD_NEWS: "Good", Severity.INFO: "Default"}
_MENTION = re.compile(r"@(\w)")
_SEVERITY_MARKS = {Severity.ACTION_REQUIRED: "🚨", Severity.GOOD_NEWS: "✅", Severity.INFO: "ℹ️"}


def escape_card_text(text: str) -> str:
    """Text that Adaptive Card Markdown shows as typed: no links, no mentions, no HTML, no emphasis."""
    text = text.replace("<", "‹").replace(">", "›")  # <at>mentions</at>, <https://…>, HTML
    text = text.replace("[", "［").replace("]", "］")  # [text](url) links
    text = text.replace("*", "∗").replace("`", "ʹ")  # emphasis, code spans
    text = text.replace("://", ":/\u2060/")  # bare URLs are not auto-linked
    return _MENTION.sub("@\u2060\\1", text)


def _cut(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _trusted(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in _TRUSTED_LINK_HOSTS)


def _listed(title: str, lines: list[str], shown: int, text_limit: int, rest: str) -> list[dict[str, Any]]:
    if not lines:
        return []
    blocks = [_text(title, weight="Bolder", spacing="Medium")]
    blocks += [_text(_cut(line, text_limit)) for line in lines[:shown]]
    hidden = len(lines) - shown
    if hidden > 0:
        blocks.append(_text(f"…and {hidden} more {rest} in the console.", isSubtle=True))
    return blocks


def _field_line(field: FlaggedField) -> str:
    line = escape_card_text(field.field)
    if field.denied_reason:
        line += f" — denied: {escape_card_text(field.denied_reason)}"
    if field.feedback:
        line += f" — feedback: {escape_card_text(field.feedback)}"
    return line


def _body(
    content: AlertContent, event_id: str, text_limit: int = TEXT_LIMIT, shown: int = MAX_REASONS_SHOWN
) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [
        _text(
            f"{_SEVERITY_MARKS[content.severity]} {escape_card_text(content.headline)}",
            size="Medium",
            weight="Bolder",
            color=_COLORS[content.severity],
        ),
        _text(escape_card_text(content.summary)),
        {
            "type": "FactSet",
            "facts": [
                {"title": escape_card_text(f.label), "value": _cut(escape_card_text(f.value), text_limit)}
                for f in content.facts
            ],
        },
    ]
    reasons = []
    for reason in content.reasons:
        line = f"{escape_card_text(reason.reason)}: {escape_card_text(reason.short_description)}"
        if reason.long_description:
            line += f" — {escape_card_text(reason.long_description)}"
        reasons.append(line)
    body += _listed("Why AWS denied it", reasons, shown, text_limit, "reasons")
    # Per-field reviewer feedback, as Slack shows it: the next steps ask to fix each one.
    fields = [_field_line(field) for field in content.flagged_fields]
    body += _listed("Fields the reviewer flagged", fields, shown, text_limit, "flagged fields")
    if content.feedback:
        body.append(_text("Feedback from AWS", weight="Bolder", spacing="Medium"))
        body.append(_text(_cut(escape_card_text(content.feedback), text_limit)))
    body.append(_text("Next steps", weight="Bolder", spacing="Medium"))
    body += [_text(f"{n}. {escape_card_text(step)}") for n, step in enumerate(content.next_steps, 1)]
    body += [_text(escape_card_text(note), isSubtle=True) for note in content.notes]
    body.append(_text(f"regwatch event {event_id}", isSubtle=True, size="Small", spacing="Medium"))
    return body


def _actions(content: AlertContent) -> list[dict[str, Any]]:
    actions = [{"type": "Action.OpenUrl", "title": "Open in the AWS console", "url": content.console_url}]
    for reason in content.reasons:
        link = reason.documentation_link
        if link and _trusted(link) and len(actions) < MAX_ACTIONS and link not in {a["url"] for a in actions}:
            title = escape_card_text(reason.documentation_title or "AWS documentation")
            actions.append({"type": "Action.OpenUrl", "title": _cut(title, 60), "url": link})
    return actions


def _card(content: AlertContent, event_id: str, text_limit: int, shown: int) -> dict[str, Any]:
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": _body(content, event_id, text_limit, shown),
        "actions": _actions(content),
    }


def _message(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }


def message_bytes(message: Mapping[str, Any]) -> int:
    """The request body's size as it is sent (destinations/http_post.py: UTF-8 JSON)."""
    return len(json.dumps(message, ensure_ascii=False).encode("utf-8"))


def render_teams_card(event: RegwatchEvent) -> dict[str, Any]:
    content = describe(event)
    for text_limit, shown in _BUDGETS:
        card = _card(content, event.detail.event_id, text_limit, shown)
        if message_bytes(_message(card)) <= MESSAGE_BYTES_LIMIT:
            return card
    return card  # the smallest budget: every text is at most 80 characters


def render_teams_message(event: RegwatchEvent) -> dict[str, Any]:
    """The Workflows webhook body: one Adaptive Card attachment, within MESSAGE_BYTES_LIMIT."""
    return _message(render_teams_card(event))


def preview(notification: Notification, detail: Mapping[str, Any]) -> str:
    """The workflow request as Teams receives it, as indented JSON (golden files, demo previews)."""
    if not isinstance(notification, RegwatchEvent):
        raise TypeError("Teams renders registration events only, not the digest")
    return json.dumps(render_teams_message(notification), indent=2, ensure_ascii=False)
