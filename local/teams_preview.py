"""An HTML preview of Adaptive Cards as Teams shows them, close enough to judge a card by eye.

Covers what regwatch's cards use: TextBlock (size, weight, color, subtle, wrap), FactSet,
Action.OpenUrl. Text is shown escaped, exactly as typed: if AWS-supplied text contained
Markdown links or mentions, they would appear here literally, as in Teams after escaping.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

_COLORS = {"Attention": "#c4314b", "Good": "#237b4b", "Warning": "#c19c00", "Default": "#242424"}
_SIZES = {"Small": "12px", "Default": "14px", "Medium": "17px", "Large": "21px"}
_STYLE = """
body { font-family: 'Segoe UI', sans-serif; background: #f5f5f5; margin: 24px; }
.card { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px #0003; padding: 16px 20px;
        margin: 0 0 20px; max-width: 720px; }
.card p { margin: 6px 0; white-space: pre-wrap; }
.facts td { padding: 2px 12px 2px 0; vertical-align: top; font-size: 14px; }
.facts td:first-child { font-weight: 600; }
.actions a { display: inline-block; border: 1px solid #d1d1d1; border-radius: 4px; padding: 5px 12px;
             margin: 10px 8px 0 0; color: #5b5fc7; text-decoration: none; }
"""


def _element(element: dict[str, Any]) -> str:
    if element.get("type") == "TextBlock":
        color = _COLORS.get(str(element.get("color", "Default")), _COLORS["Default"])
        style = [f"color:{color}", f"font-size:{_SIZES.get(str(element.get('size', 'Default')), '14px')}"]
        if element.get("weight") == "Bolder":
            style.append("font-weight:600")
        if element.get("isSubtle"):
            style.append("opacity:.6")
        return f'<p style="{";".join(style)}">{html.escape(str(element.get("text", "")))}</p>'
    if element.get("type") == "FactSet":
        rows = "".join(
            "<tr><td>{}</td><td>{}</td></tr>".format(
                html.escape(str(f.get("title", ""))), html.escape(str(f.get("value", "")))
            )
            for f in element.get("facts", [])
        )
        return f'<table class="facts">{rows}</table>'
    return f"<p><em>[{html.escape(str(element.get('type')))} not previewed]</em></p>"


def card_html(card: dict[str, Any]) -> str:
    body = "".join(_element(e) for e in card.get("body", []))
    actions = "".join(
        f'<a href="{html.escape(str(a.get("url", "")))}">{html.escape(str(a.get("title", "")))}</a>'
        for a in card.get("actions", [])
        if a.get("type") == "Action.OpenUrl"
    )
    return f'<div class="card">{body}<div class="actions">{actions}</div></div>'


def write_teams_html(
    cards: list[dict[str, Any]], path: Path, title: str = "regwatch in Microsoft Teams"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        + "".join(card_html(c) for c in cards)
        + "</body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
