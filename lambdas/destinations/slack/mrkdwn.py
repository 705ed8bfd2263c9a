"""Making untrusted text safe for Slack mrkdwn and within Block Kit's size limits.

Two layers: `escape_mrkdwn` stops text from forming Slack's control sequences (`<!channel>`,
`<@U123>`, `<url|label>`), and every mrkdwn text object is `verbatim` (`mrkdwn_text`), so Slack
does not pre-process it either: a bare URL, `#channel` or `@here` typed into a registration
name or the reviewer's feedback stays text. The top-level `text` (notifications, fallback)
has no verbatim flag: `plain_notification` breaks URLs and mentions there with a word joiner.
"""

from __future__ import annotations

import re
from typing import Any

ELLIPSIS = "…"
# Only plain http(s) URLs without characters that end or split a Slack link.
_LINKABLE_URL = re.compile(r"^https?://[^\s<>|]+$")


_MENTION = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"


def mrkdwn_text(text: str) -> dict[str, Any]:
    """A mrkdwn text object Slack shows as written (no auto-links, channel names or mentions)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain_notification(text: str) -> str:
    """Escaped text for the top-level `text`: URLs and special mentions cannot go live."""
    return _MENTION.sub(
        lambda m: "@" + WORD_JOINER + m.group(1), text.replace("://", ":/" + WORD_JOINER + "/")
    )


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's three control characters.

    With `<` and `>` escaped, text from the API cannot form `<!channel>`, `<@U123>`
    or `<https://evil|innocent label>`: Slack only parses those inside real angle brackets.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters, never splitting an `&amp;` entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ELLIPSIS))]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def fit_plain(text: str, limit: int) -> str:
    """Cut plain_text (no entities) to `limit` characters."""
    return text if len(text) <= limit else text[: max(0, limit - len(ELLIPSIS))] + ELLIPSIS


def link(url: str | None, label: str) -> str:
    """A mrkdwn link when the URL is a clean http(s) URL; escaped plain text otherwise."""
    safe_label = escape_mrkdwn(label)
    if url and _LINKABLE_URL.match(url) and len(url) <= 2000:
        return f"<{url}|{safe_label}>"
    if url:
        return f"{safe_label} ({escape_mrkdwn(url)})"
    return safe_label
