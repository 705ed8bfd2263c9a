"""The SNS destination's two message formats as reviewable text (golden files, demo previews).

The text format itself is regwatch_alerts/render_text.py (shared with the webhook and `regwatch explain`);
the Amazon Q Developer format is render_chatbot.py beside this module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from destinations.sns.render_chatbot import render_chatbot_notification
from regwatch.event_models import Notification
from regwatch_alerts.render_text import render_text_notification


def preview_text(notification: Notification, detail: Mapping[str, Any]) -> str:
    """`snsMessageFormat: text`: subject, message attributes and body."""
    text = render_text_notification(notification)
    attributes = ", ".join(f"{k}={v}" for k, v in text.attributes.items())
    return f"Subject: {text.subject}\nAttributes: {attributes}\n\n{text.body}"


def preview_chatbot(notification: Notification, detail: Mapping[str, Any]) -> str:
    """`snsMessageFormat: chatbot`: the Amazon Q Developer custom notification."""
    return json.dumps(render_chatbot_notification(notification), indent=2, ensure_ascii=False)
