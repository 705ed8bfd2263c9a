"""Contract events -> PagerDuty Events API v2 `payload` objects (the trigger's content).

Severity mapping (PagerDuty knows critical | error | warning | info):

| regwatch event                                         | PagerDuty severity |
|--------------------------------------------------------|--------------------|
| REVOKED (messaging through the registration stops)     | critical           |
| DENIED that AWS's guide says a new version cannot fix  | critical           |
| DENIED whose every reason is resubmittable (chat's job)| warning (low urg.) |
| any other ACTION_REQUIRED status (DENIED with reasons  | error              |
|   the guide does not list, REQUIRES_…)                 |                    |
| Registration Reminder (the action is still pending)    | error              |
| Target Unhealthy (regwatch cannot see an account)      | error              |
| any other status updating an open incident             | warning            |

An action-required trigger or a reminder never lowers the severity of the open incident (a
REVOKED version stays critical when its registration's status change follows).
| GOOD_NEWS (only ever resolves, shown for completeness) | info               |

PagerDuty shows the summary as plain text: nothing here needs escaping, but it is cut to
PagerDuty's 1024 characters. `custom_details` carries the contract fields as sent, so a
responder sees exactly what regwatch saw; `links` point at the console and AWS's docs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from regwatch.event_models import Notification, RegwatchEvent
from regwatch.severity import Severity, denial_pages
from regwatch_alerts.alert_content import describe, format_time, humanize_status
from regwatch_alerts.denial_fixes import denial_fix_lines

SUMMARY_LIMIT = 1024  # characters of payload.summary (PagerDuty's field limit)
# PagerDuty refuses an event over 512 KB in bytes of the request; the envelope the delivery adds
# (routing key, dedup key, client fields, links) stays far below the headroom.
EVENT_BYTES_LIMIT = 512 * 1024 - 8 * 1024
# Long texts of custom_details dropped, in this order, until the trigger fits.
_LONG_TEXTS = (("deniedReasons", "longDescription"), ("fieldFeedback", "feedback"))
MAX_LINKS = 5
CRITICAL_STATUSES = frozenset({"REVOKED"})
REMINDER_DETAIL_TYPE = "Registration Reminder"
TARGET_UNHEALTHY = "Target Unhealthy"
TARGET_RECOVERED = "Target Recovered"
# Documentation links in denial reasons come from AWS's API; only AWS's own sites become links.
_TRUSTED_LINK_HOSTS = ("aws.amazon.com", "amazon.com")


def cut(text: str, limit: int = SUMMARY_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pagerduty_severity(detail_type: str, status: str, severity: Severity) -> str:
    if detail_type in (REMINDER_DETAIL_TYPE, TARGET_UNHEALTHY):
        return "error"
    if status in CRITICAL_STATUSES:
        return "critical"
    if severity is Severity.ACTION_REQUIRED:
        return "error"
    if severity is Severity.GOOD_NEWS:
        return "info"
    return "warning"


_SEVERITY_ORDER = ("info", "warning", "error", "critical")


def most_severe(*severities: str) -> str:
    """The highest of PagerDuty severities (unknown or empty ones rank lowest)."""
    known = [s for s in severities if s in _SEVERITY_ORDER]
    return max(known, key=_SEVERITY_ORDER.index) if known else "error"


def _trusted(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in _TRUSTED_LINK_HOSTS)


def _links(event: RegwatchEvent) -> list[dict[str, str]]:
    detail = event.detail
    links = [{"href": detail.console_url, "text": "Open the registration in the AWS console"}]
    for reason in detail.denied_reasons:
        if reason.documentation_link and _trusted(reason.documentation_link) and len(links) < MAX_LINKS:
            links.append(
                {
                    "href": reason.documentation_link,
                    "text": cut(reason.documentation_title or reason.reason, 200),
                }
            )
    return links


def _reminder_words(detail: Mapping[str, Any]) -> str:
    reminder = detail.get("reminder")
    if not isinstance(reminder, Mapping):
        return "Reminder"
    kind = str(reminder.get("kind") or "reminder").replace("_", " ").lower()
    deadline = reminder.get("deadline")
    return f"Reminder ({kind}" + (f", deadline {deadline})" if deadline else ")")


def _denial_severity(event: RegwatchEvent) -> str | None:
    """A denial pages (critical) only when a new version cannot fix it, low urgency (warning) when
    every reason is resubmittable; None (the usual mapping) when its reasons are not in AWS's guide."""
    pages = denial_pages(r.reason for r in event.detail.denied_reasons)
    if event.detail.status != "DENIED" or pages is None:
        return None
    return "critical" if pages else "warning"


def render_pagerduty_trigger(
    event: RegwatchEvent, raw_detail: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The `payload` and `links` of a trigger for one registration event."""
    content = describe(event)
    detail = event.detail
    headline = content.headline
    if event.detail_type == REMINDER_DETAIL_TYPE:
        headline = f"{_reminder_words(raw_detail or {})}: {headline}"
    elif detail.severity is not Severity.ACTION_REQUIRED:
        headline = f"Update: {content.headline} (was {humanize_status(detail.previous_status)})"
    details: dict[str, Any] = (
        dict(raw_detail) if raw_detail is not None else detail.model_dump(by_alias=True, mode="json")
    )
    details["nextSteps"] = list(content.next_steps)
    if fixes := denial_fix_lines(detail.denied_reasons):
        details["denialFixes"] = fixes  # AWS's guide per reason: the fix, and whether to resubmit
    return _within_bytes(
        {
            "payload": {
                "summary": cut(headline),
                "source": detail.registration_arn or detail.resource_arn or f"regwatch/{detail.resource_id}",
                "severity": _denial_severity(event)
                or pagerduty_severity(event.detail_type, detail.status, detail.severity),
                "timestamp": (detail.status_timestamp or detail.observed_at).isoformat(),
                "component": detail.registration_id or detail.resource_id or "",
                "group": detail.registration_type or detail.resource_type or "",
                "class": detail.status,
                "custom_details": details,
            },
            "links": _links(event),
        }
    )


def event_bytes(body: Mapping[str, Any]) -> int:
    """The request body's size as it is sent (destinations/http_post.py: UTF-8 JSON)."""
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _within_bytes(body: dict[str, Any]) -> dict[str, Any]:
    """Drops the longest free texts of custom_details (they stay in the console) until it fits."""
    details = body["payload"]["custom_details"]
    for list_key, text_key in _LONG_TEXTS:
        if event_bytes(body) <= EVENT_BYTES_LIMIT:
            return body
        items = details.get(list_key)
        if isinstance(items, list):
            details[list_key] = [
                {k: v for k, v in item.items() if k != text_key} if isinstance(item, dict) else item
                for item in items
            ]
            details.setdefault("shortenedForPagerDuty", []).append(f"{list_key}[].{text_key}")
    if event_bytes(body) > EVENT_BYTES_LIMIT:
        for key in ("deniedReasons", "fieldFeedback", "associations", "statusHistory"):
            if key in details:
                details[key] = []
                details.setdefault("shortenedForPagerDuty", []).append(key)
    return body


def render_pagerduty_target_trigger(detail_type: str, detail: Mapping[str, Any], time: str) -> dict[str, Any]:
    """A trigger for `Target Unhealthy` (contract 1.1: detail.accountId, region, reason)."""
    account = str(detail.get("accountId", "unknown account"))
    region = str(detail.get("region", "unknown region"))
    reason = str(detail.get("reason") or "no reason given")
    return {
        "payload": {
            "summary": cut(f"regwatch cannot watch account {account} in {region}: {reason}"),
            "source": f"regwatch/{account}/{region}",
            "severity": pagerduty_severity(detail_type, "", Severity.INFO),
            "timestamp": time,
            "component": account,
            "group": region,
            "class": detail_type,
            "custom_details": dict(detail),
        },
        "links": [],
    }


def describe_when(event: RegwatchEvent) -> str:
    return format_time(event.detail.status_timestamp or event.detail.observed_at)


def preview(notification: Notification, detail: Mapping[str, Any]) -> str:
    """The trigger's body as PagerDuty receives it, as indented JSON (golden files, demo previews)."""
    if not isinstance(notification, RegwatchEvent):
        raise TypeError("PagerDuty renders registration events only, not the digest")
    return json.dumps(render_pagerduty_trigger(notification, detail), indent=2, ensure_ascii=False)
