"""Contract-v1 event -> AWS Chatbot / Amazon Q Developer custom-notification JSON.

Format: docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html (version
"1.0", source "custom"). `metadata.threadId` is the registration id, so one
registration's alerts thread together in the channel.
"""

from __future__ import annotations

import re
from typing import Any

from regwatch.event_models import DigestEvent, Notification
from regwatch_alerts.alert_content import AlertContent, describe
from regwatch_alerts.digest_content import describe_digest

DESCRIPTION_LIMIT = 3500
TITLE_LIMIT = 250
MAX_REASONS_SHOWN = 10
_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def neutralize(text: str) -> str:
    """Chatbot renders markdown for Slack, Teams or Chime: keep API text from forming
    links or mentions in any of them (angle brackets become look-alikes, @-mentions
    get a zero-width joiner)."""
    text = text.replace("<", "‹").replace(">", "›")
    return _MENTION.sub(lambda match: "@\u2060" + match.group(1), text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _description(content: AlertContent) -> str:
    lines = [neutralize(content.summary), ""]
    lines += [f"*{fact.label}:* {neutralize(fact.value)}" for fact in content.facts]
    if content.reasons:
        lines += ["", "*Why AWS denied it:*"]
        for reason in content.reasons[:MAX_REASONS_SHOWN]:
            line = f"• *{neutralize(reason.reason)}*: {neutralize(reason.short_description)}"
            if reason.documentation_link:
                line += f" ({neutralize(reason.documentation_link)})"
            lines.append(line)
        hidden = len(content.reasons) - MAX_REASONS_SHOWN
        if hidden > 0:
            lines.append(f"• …and {hidden} more reasons in the console.")
    if content.flagged_fields:
        lines += ["", "*Fields the reviewer flagged:*"]
        for field in content.flagged_fields[:MAX_REASONS_SHOWN]:
            said = "; ".join(t for t in (field.denied_reason, field.feedback) if t)
            lines.append(f"• *{neutralize(field.field)}*: {neutralize(said)}")
        hidden = len(content.flagged_fields) - MAX_REASONS_SHOWN
        if hidden > 0:
            lines.append(f"• …and {hidden} more flagged fields in the console.")
    if content.feedback:
        lines += ["", f"*Feedback from AWS:* {neutralize(content.feedback)}"]
    lines += [*("_" + neutralize(note) + "_" for note in content.notes)]
    lines += ["", f"Console: {content.console_url}"]
    return _cut("\n".join(lines), DESCRIPTION_LIMIT)


def render_chatbot_digest(event: DigestEvent) -> dict[str, Any]:
    content = describe_digest(event)
    lines = [neutralize(content.summary)]
    for section in content.sections:
        lines += ["", f"*{neutralize(section.title)}*"]
        lines += [f"• {neutralize(line)}" for line in section.lines[:MAX_REASONS_SHOWN]]
        hidden = len(section.lines) - min(len(section.lines), MAX_REASONS_SHOWN) + section.hidden
        if hidden > 0:
            lines.append(f"• …and {hidden} more")
    return {
        "version": "1.0",
        "source": "custom",
        "id": content.event_id,
        "content": {
            "textType": "client-markdown",
            "title": _cut(neutralize(content.title), TITLE_LIMIT),
            "description": _cut("\n".join(lines), DESCRIPTION_LIMIT),
            "keywords": ["DIGEST", event.detail.day],
        },
        "metadata": {
            "threadId": f"regwatch-digest-{event.detail.timezone}",
            "summary": _cut(neutralize(content.summary), TITLE_LIMIT),
            "eventType": event.detail_type,
            "additionalContext": {"eventId": content.event_id},
        },
    }


def render_chatbot_notification(event: Notification) -> dict[str, Any]:
    if isinstance(event, DigestEvent):
        return render_chatbot_digest(event)
    content = describe(event)
    detail = event.detail
    return {
        "version": "1.0",
        "source": "custom",
        "id": detail.event_id,
        "content": {
            "textType": "client-markdown",
            "title": _cut(f"{content.emoji} {neutralize(content.headline)}", TITLE_LIMIT),
            "description": _description(content),
            "nextSteps": [neutralize(step) for step in content.next_steps],
            "keywords": [detail.severity.value, detail.status, detail.registration_type, detail.region],
        },
        "metadata": {
            "threadId": detail.registration_id or content.registration_id,
            "summary": _cut(neutralize(content.headline), TITLE_LIMIT),
            "eventType": event.detail_type,
            "relatedResources": [arn for arn in (detail.registration_arn,) if arn],
            "additionalContext": {
                "eventId": detail.event_id,
                "consoleUrl": detail.console_url,
                "severity": detail.severity.value,
            },
        },
    }
