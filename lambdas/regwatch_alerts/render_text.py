"""Contract-v1 event -> SNS subject, plain-text body and message attributes.

For email and pager subscribers: no markup, short lines, the urgent part first.
Pure: takes the parsed event, returns strings.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from regwatch.event_models import DigestEvent, Notification
from regwatch.severity import Severity
from regwatch_alerts.alert_content import FIELD_PATH_SEPARATOR, AlertContent, describe
from regwatch_alerts.digest_content import describe_digest

# SNS: the subject must be under 100 characters, no line breaks or control characters;
# mail clients are happiest with ASCII there.
SUBJECT_LIMIT = 99
SUBJECT_PREFIX = "[regwatch] "
# SNS messages are limited to 256 KiB; keep room for attributes and the JSON envelope
# that email-json/SQS subscribers receive.
BODY_BYTES_LIMIT = 200 * 1024
BODY_SHORTENED_NOTE = "\n\n[Message shortened: the full texts are in the AWS console.]\n"
WRAP_WIDTH = 78
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class TextNotification:
    subject: str
    body: str
    # SNS message attributes (all DataType String) that subscription filter policies match.
    attributes: dict[str, str]


def _ascii_line(text: str) -> str:
    text = text.replace("→", "->").replace("…", "...").replace("›", ">")
    text = text.replace("–", "-").replace("—", "-").replace("‘", "'").replace("’", "'")
    text = _CONTROL.sub(" ", text)
    return text.encode("ascii", "replace").decode("ascii")


def render_subject(content: AlertContent) -> str:
    subject = _ascii_line(SUBJECT_PREFIX + content.headline)
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 3] + "..."
    return subject


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph,
            width=WRAP_WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [indent.rstrip()])
    return lines


def _bullets(items: tuple[str, ...] | list[str]) -> list[str]:
    lines: list[str] = []
    for item in items:
        wrapped = _wrap(item, "  ")
        lines.append("- " + wrapped[0].lstrip())
        lines.extend(wrapped[1:])
    return lines


def _reason_lines(content: AlertContent) -> list[str]:
    count = len(content.reasons)
    if not count:
        return []
    lines = ["", "WHY AWS DENIED IT" + (f" ({count} reasons)" if count > 1 else "")]
    for number, reason in enumerate(content.reasons, start=1):
        lines.append(f"{number}. {reason.reason}: {reason.short_description}")
        if reason.long_description:
            lines.extend(_wrap(reason.long_description, "   "))
        if reason.documentation_link:
            title = reason.documentation_title or "Documentation"
            lines.extend(_wrap(f"{title}: {reason.documentation_link}", "   "))
    return lines


def _flagged_field_lines(content: AlertContent) -> list[str]:
    count = len(content.flagged_fields)
    if not count:
        return []
    lines = ["", "FIELDS THE REVIEWER FLAGGED" + (f" ({count})" if count > 1 else "")]
    for number, field in enumerate(content.flagged_fields, start=1):
        lines.append(f"{number}. {field.field.replace(FIELD_PATH_SEPARATOR, ' > ')}")
        if field.denied_reason:
            lines.extend(_wrap(f"Denied: {field.denied_reason}", "   "))
        if field.feedback:
            lines.extend(_wrap(f"Feedback: {field.feedback}", "   "))
    return lines


def _first_line(content: AlertContent) -> str:
    # Shout only the urgency, never the ids: registration ids are case-sensitive.
    if content.severity is not Severity.ACTION_REQUIRED:
        return content.headline
    label = content.severity_label
    if content.headline.startswith(label):
        return label.upper() + content.headline[len(label) :]
    return f"{label.upper()}. {content.headline}"  # a reminder: "ACTION REQUIRED. Reminder: ..."


def render_body(content: AlertContent) -> str:
    width = max(len(fact.label) for fact in content.facts) + 2
    lines = [
        _first_line(content),
        "",
        *_wrap(content.summary),
        "",
        *(f"{(fact.label + ':').ljust(width)}{fact.value}" for fact in content.facts),
        "",
        "WHAT TO DO NEXT",
        *_bullets(content.next_steps),
        *_reason_lines(content),
        *_flagged_field_lines(content),
    ]
    if content.feedback:
        lines += ["", "FEEDBACK FROM AWS", *_wrap(content.feedback)]
    lines += ["", "Open the registration in the AWS console:", content.console_url]
    if content.notes:
        lines += ["", *_bullets(content.notes)]
    lines += ["", f"regwatch event {content.event_id}"]
    body = "\n".join(lines)
    return _fit_bytes(body)


def _fit_bytes(body: str) -> str:
    data = body.encode("utf-8")
    if len(data) <= BODY_BYTES_LIMIT:
        return body
    room = BODY_BYTES_LIMIT - len(BODY_SHORTENED_NOTE.encode("utf-8"))
    return data[:room].decode("utf-8", "ignore") + BODY_SHORTENED_NOTE


def message_attributes(event: Notification) -> dict[str, str]:
    if isinstance(event, DigestEvent):
        return {"kind": "digest", "severity": "INFO", "day": event.detail.day}
    detail = event.detail
    return {
        "status": detail.status,
        "severity": detail.severity.value,
        "registrationType": detail.registration_type,
        "region": detail.region,
        "scope": detail.scope.value,
        "baseline": "true" if detail.baseline else "false",
    }


def render_text_digest(event: DigestEvent) -> TextNotification:
    content = describe_digest(event)
    detail = event.detail
    lines = [content.title, "", *_wrap(content.summary)]
    for section in content.sections:
        lines += ["", section.title.upper(), *_bullets(list(section.lines))]
        if section.hidden:
            lines.append(f"- ...and {section.hidden} more")
    lines += ["", f"regwatch event {content.event_id} (daily digest)"]
    subject = _ascii_line(f"{SUBJECT_PREFIX}Daily digest {detail.day}: {content.headline}")
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 3] + "..."
    return TextNotification(
        subject=subject,
        body=_fit_bytes("\n".join(lines)),
        attributes=message_attributes(event),
    )


def render_text_notification(event: Notification) -> TextNotification:
    if isinstance(event, DigestEvent):
        return render_text_digest(event)
    content = describe(event)
    return TextNotification(
        subject=render_subject(content),
        body=render_body(content),
        attributes=message_attributes(event),
    )
