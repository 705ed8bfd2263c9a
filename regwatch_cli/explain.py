"""`explain`: a live, read-only look at one registration, rendered like an alert.

Reads the registration, its versions and the field-level feedback of the versions that
need work (Describe* only), paced by the same token bucket the scanner uses, at a rate
below the scanner's share of the 1 call/s quota. Each version that matters (the current
one, the approved one, the latest denied one) is turned into the contract-v1 event the
scanner would emit for its current status and described by regwatch_alerts, so the
terminal shows exactly what an alert says.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from regwatch.event_models import RegwatchEvent, parse_regwatch_event
from regwatch.events import EventContext, build_entry
from regwatch.model import RegistrationSummary, RegistrationVersion, Scope, Transition, status_for_history_key
from regwatch.ratelimit import RateLimiter
from regwatch.severity import ACTION_REQUIRED_STATUSES
from regwatch_alerts.alert_content import describe
from regwatch_alerts.denial_fixes import known_reasons
from regwatch_alerts.render_text import render_body
from regwatch_aws.sms_api import SmsRegistry
from regwatch_cli.errors import CliError, ExitCode

# The scanner uses 0.8 of the 1 call/s Describe* quota by default; a person's look takes less.
DEFAULT_CALLS_PER_SECOND = 0.2
FIELD_FEEDBACK_STATUSES = ACTION_REQUIRED_STATUSES | {"REQUIRES_UPDATES"}


@dataclass(frozen=True)
class FieldFeedback:
    field_path: str
    denied_reason: str | None
    feedback: str | None


@dataclass(frozen=True)
class VersionExplanation:
    version_number: int
    role: str
    event: RegwatchEvent
    fields: tuple[FieldFeedback, ...]

    def as_dict(self) -> dict[str, Any]:
        content = describe(self.event)
        return {
            "versionNumber": self.version_number,
            "role": self.role,
            "status": self.event.detail.status,
            "severity": content.severity.value,
            "headline": content.headline,
            "summary": content.summary,
            "facts": {fact.label: fact.value for fact in content.facts},
            "nextSteps": list(content.next_steps),
            "deniedReasons": [r.model_dump(by_alias=True) for r in content.reasons],
            # AWS's guide per reason it lists: the fix, and whether a new version can be submitted.
            "denialFixes": [
                {"reason": r.code, "title": r.title, "fix": r.fix, "resubmittable": r.resubmittable.value}
                for r in known_reasons(self.event.detail.denied_reasons)
            ],
            "feedback": content.feedback,
            "fieldFeedback": [f.__dict__ for f in self.fields],
            "consoleUrl": content.console_url,
        }

    def text(self) -> str:
        body = render_body(describe(self.event))
        # The event id line is for alerts (dedup); a live look has no event behind it.
        body = "\n".join(line for line in body.splitlines() if not line.startswith("regwatch event "))
        lines = [f"== version {self.version_number} ({self.role})", body.rstrip()]
        if self.fields:
            lines += ["", "FIELD-LEVEL FEEDBACK"]
            for field in self.fields:
                parts = [p for p in (field.denied_reason, field.feedback) if p]
                lines.append(f"- {field.field_path}: {' / '.join(parts)}")
        return "\n".join(lines)


def _transition(summary: RegistrationSummary, version: RegistrationVersion, now: datetime) -> Transition:
    by_time = sorted(version.status_history.items(), key=lambda item: item[1])
    statuses = [status_for_history_key(key) for key, _ in by_time]
    timestamp = version.status_history.get(next((k for k, _ in reversed(by_time)), ""), None)
    if statuses and statuses[-1] == version.status:
        previous = statuses[-2] if len(statuses) > 1 else None
    else:
        # A status without a history timestamp (REQUIRES_OFFLINE_REVIEW): the last timed one came before.
        previous, timestamp = (statuses[-1] if statuses else None), None
    return Transition(
        scope=Scope.VERSION,
        registration=summary,
        status=version.status,
        previous_status=previous,
        status_timestamp=timestamp,
        observed_at=now,
        version=version,
    )


def _as_event(transition: Transition, context: EventContext) -> RegwatchEvent:
    entry = build_entry(transition, context)
    raw = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": context.account_id,
        "time": transition.observed_at.isoformat(),
        "region": context.region,
        "resources": entry["Resources"],
        "detail": json.loads(entry["Detail"]),
    }
    return parse_regwatch_event(raw, context.source)


def _field_feedback(client: Any, registration_id: str, version_number: int) -> tuple[FieldFeedback, ...]:
    found: list[FieldFeedback] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {"RegistrationId": registration_id, "VersionNumber": version_number}
        if token:
            request["NextToken"] = token
        page = client.describe_registration_field_values(**request)
        for value in page.get("RegistrationFieldValues", []):
            if value.get("DeniedReason") or value.get("Feedback"):
                found.append(
                    FieldFeedback(
                        str(value.get("FieldPath")), value.get("DeniedReason"), value.get("Feedback")
                    )
                )
        token = page.get("NextToken")
        if not token:
            return tuple(found)


def explain(
    sms_client: Any,
    registration_id: str,
    *,
    account_id: str,
    event_source: str,
    bus_name: str,
    calls_per_second: float = DEFAULT_CALLS_PER_SECOND,
    on_call: Callable[[str], None] | None = None,
) -> list[VersionExplanation]:
    """Read-only; raises CliError(NOT_FOUND) if the region has no such registration."""
    limiter = RateLimiter(calls_per_second, time.monotonic, time.sleep)
    registry = SmsRegistry(sms_client, limiter)
    if on_call is not None:
        sms_client.meta.events.register(
            "before-send.pinpoint-sms-voice-v2",
            lambda event_name, **_: on_call(event_name.rsplit(".", 1)[-1]),
        )
    summaries = registry.describe_registrations([registration_id])
    if not summaries:
        raise CliError(
            f"registration {registration_id} does not exist in {registry.region} "
            "(pass --region; `regwatch status` shows where regwatch saw it)",
            ExitCode.NOT_FOUND,
        )
    summary = summaries[0]
    versions = {v.version_number: v for v in registry.list_versions(registration_id)}
    roles: dict[int, str] = {summary.current_version_number: "current"}
    if summary.approved_version_number is not None:
        roles.setdefault(summary.approved_version_number, "approved")
    if summary.latest_denied_version_number is not None:
        roles.setdefault(summary.latest_denied_version_number, "latest denied")
    now = datetime.now(UTC)
    context = EventContext(account_id, registry.region, event_source, bus_name)
    explained: list[VersionExplanation] = []
    for number, role in sorted(roles.items()):
        version = versions.get(number)
        if version is None:
            continue
        fields: tuple[FieldFeedback, ...] = ()
        if version.status in FIELD_FEEDBACK_STATUSES:
            # The registry's before-send hook paces every call made through its client, this one too.
            fields = _field_feedback(registry.client, registration_id, number)
        event = _as_event(_transition(summary, version, now), context)
        explained.append(VersionExplanation(number, role, event, fields))
    return explained
