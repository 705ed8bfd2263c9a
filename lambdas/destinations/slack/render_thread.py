"""The parent message of a registration's Slack thread: its current status at a glance.

Each alert is posted in full as a reply (render_slack.render_slack_message); the parent
is rewritten (chat.update) after every reply so the channel shows one line of truth per
registration.
"""

from __future__ import annotations

from typing import Any

from destinations.slack.mrkdwn import escape_mrkdwn, fit, fit_plain, mrkdwn_text, plain_notification
from destinations.slack.render import FIELD_TEXT_LIMIT, HEADER_TEXT_LIMIT, MAX_FIELDS
from regwatch.event_models import RegwatchEvent
from regwatch.severity import Severity
from regwatch_alerts.alert_content import (
    describe,
    format_time,
    humanize_registration_type,
    humanize_status,
    registration_label,
)


def render_slack_thread_parent(event: RegwatchEvent) -> dict[str, Any]:
    content = describe(event)
    detail = event.detail
    if detail.resource_id:
        # An RCS launch or Notify configuration (contract 1.2): named as the replies' headline names it.
        resource = content.headline.split(": ", 2)[1]
        title = f"{content.emoji} {resource}"
        subject = f"{resource}: {humanize_status(detail.status)}."
    elif detail.registration_id:
        # Named as the replies name it (the owners' name, else the id; the id is a field below).
        label = registration_label(detail.registration_name, detail.registration_id)
        title = f"{content.emoji} {label} ({humanize_registration_type(detail.registration_type)})"
        named = f"{label} ({detail.registration_id})" if detail.registration_name else label
        subject = f"{named}: registration {humanize_status(detail.registration_status)}."
    else:
        # A target health event (contract 1.1): the thread belongs to the scanned account and Region.
        title = f"{content.emoji} Scan target: account {detail.account_id} in {detail.region}"
        subject = f"Scan target: account {detail.account_id} in {detail.region}."
    latest = f"{content.severity_label}: {content.headline.split(': ', 1)[-1]}"
    updated = format_time(detail.status_timestamp or detail.observed_at)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit_plain(title, HEADER_TEXT_LIMIT)}},
        {
            "type": "section",
            "fields": [
                mrkdwn_text(fit(f"*{fact.label}*\n{escape_mrkdwn(fact.value)}", FIELD_TEXT_LIMIT))
                for fact in content.facts[:MAX_FIELDS]
            ],
        },
        {
            "type": "context",
            "elements": [
                mrkdwn_text(
                    fit(
                        escape_mrkdwn(f"Latest: {latest} · updated {updated} · every alert is in the thread"),
                        2000,
                    )
                )
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open in AWS console"},
                    "url": content.console_url,
                    "action_id": "open_console",
                    **({"style": "danger"} if content.severity is Severity.ACTION_REQUIRED else {}),
                }
            ],
        },
    ]
    text = plain_notification(escape_mrkdwn(f"{subject} {latest}"))
    return {"text": fit(text, 3000), "blocks": blocks}
