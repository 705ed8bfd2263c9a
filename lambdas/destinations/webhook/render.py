"""Contract event -> the signed webhook's JSON body: the event for automation, plus words for people.

    {"type": <detail-type>, "id": <eventId>, "timestamp": <event time>,
     "data": <detail exactly as on the bus (contract docs/events.md)>,
     "summary": {"subject": ..., "text": ...}}

`data` is the contract detail unchanged, so a receiver can use the published JSON schema;
`summary` is the plain-text rendering every text destination shares (regwatch_alerts/
render_text.py), for receivers that forward to a chat or a ticket. The body is at most
MAX_BODY_BYTES in UTF-8: a longer text is cut (`data` never is: EventBridge already bounds it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regwatch.event_models import Notification
from regwatch_alerts.render_text import render_text_notification

MAX_BODY_BYTES = 256 * 1024
SHORTENED = "\n[shortened: the full texts are in `data` and the AWS console]"


def encode(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (compact JSON, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cut_to_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    keep = max(0, limit - len(SHORTENED.encode("utf-8")))
    return data[:keep].decode("utf-8", "ignore") + SHORTENED


def render_webhook_payload(notification: Notification, detail: Mapping[str, Any]) -> dict[str, Any]:
    text = render_text_notification(notification)
    payload: dict[str, Any] = {
        "type": notification.detail_type,
        "id": notification.detail.event_id,
        "timestamp": notification.time.isoformat().replace("+00:00", "Z"),
        "data": dict(detail),
        "summary": {"subject": text.subject, "text": text.body},
    }
    size = len(encode(payload))
    if size > MAX_BODY_BYTES:
        # JSON escaping can make the text longer than its UTF-8 bytes: cut by the overflow, then check.
        room = len(text.body.encode("utf-8")) - (size - MAX_BODY_BYTES) - 256
        payload["summary"]["text"] = _cut_to_bytes(text.body, max(0, room))
        while len(encode(payload)) > MAX_BODY_BYTES and payload["summary"]["text"]:
            payload["summary"]["text"] = payload["summary"]["text"][: -1024 or None]
    return payload


def preview(notification: Notification, detail: Mapping[str, Any]) -> str:
    """The body as the receiver gets it, indented (golden files, demo previews)."""
    return json.dumps(render_webhook_payload(notification, detail), indent=2, ensure_ascii=False)
