"""Making untrusted text safe for Slack mrkdwn and within Block Kit's size limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"
# Only plain http(s) URLs without characters that end or split a Slack link.
_LINKABLE_URL = re.compile(r"^https?://[^\s<>|]+$")


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
