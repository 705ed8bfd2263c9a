"""The content of an RCS launch or Notify configuration alert (contract 1.2), for every destination.

An RCS launch alert names the agent, the country, the launch status change and every carrier's
status (the changed ones with their previous status); a Notify configuration alert names the
configuration and, when AWS rejected it, AWS's RejectionReason verbatim (renderers escape it).
"""

from __future__ import annotations

from regwatch.event_models import RegwatchEvent
from regwatch.model import Scope
from regwatch.severity import Severity
from regwatch_alerts.content_model import SEVERITY_EMOJI, SEVERITY_LABELS, AlertContent, Fact
from regwatch_alerts.wording import format_time, humanize_status

RCS_REJECTED_STEP = (
    "Open the RCS agent in the console and read why the launch was rejected; fix the agent's or the "
    "backing registration's information before launching again."
)
NOTIFY_STEPS = {
    "ACTIVE": "Nothing to do: the configuration can send.",
    "PENDING": "Nothing to do yet: AWS is reviewing the configuration.",
    "REJECTED": "Fix what the rejection reason names in the configuration or its registration, then "
    "submit it again from the console.",
    "REQUIRES_VERIFICATION": "Complete the verification AWS asks for on the configuration in the console.",
}


def _change(previous: str | None, status: str) -> str:
    new = humanize_status(status)
    return new if previous is None else f"{humanize_status(previous)} → {new}"


def _carrier_lines(event: RegwatchEvent) -> list[str]:
    lines = []
    for carrier in event.detail.carrier_statuses:
        changed = carrier.previous_status != carrier.status
        text = (
            _change(carrier.previous_status, carrier.status) if changed else humanize_status(carrier.status)
        )
        lines.append(f"{carrier.carrier_name}: {text}" + (" (changed)" if changed else ""))
    return lines


def _rcs(event: RegwatchEvent) -> tuple[str, str, list[Fact], list[str]]:
    detail = event.detail
    agent, country = detail.resource_id or "", detail.iso_country_code or "?"
    subject = f"RCS agent {agent} in {country}"
    unchanged = detail.previous_status is not None and detail.previous_status == detail.status
    if unchanged:
        changed = [c for c in detail.carrier_statuses if c.carrier_name in detail.changed_carriers]
        what = ", ".join(f"{c.carrier_name} {_change(c.previous_status, c.status)}" for c in changed)
        summary = f"The launch of {subject} is still {humanize_status(detail.status)}; carrier {what}."
        launch_status = f"{humanize_status(detail.status)} (unchanged)"
    else:
        what = launch_status = _change(detail.previous_status, detail.status)
        summary = f"The launch of {subject} is now {humanize_status(detail.status)}"
        summary += (
            "." if detail.previous_status is None else f" (was {humanize_status(detail.previous_status)})."
        )
    facts = [Fact("RCS agent", agent), Fact("Country", country), Fact("Launch status", launch_status)]
    facts += [Fact("Carrier", line) for line in _carrier_lines(event)]
    if detail.registration_id:
        facts.append(Fact("Registration", detail.registration_id))
    rejected = any(c.status == "REJECTED" for c in detail.carrier_statuses)
    if detail.status == "REJECTED" or rejected:
        steps = [RCS_REJECTED_STEP]
    elif detail.status == "ACTIVE":
        steps = ["Nothing to do: RCS messages reach every carrier marked Active in this country."]
    else:
        steps = ["Nothing to do yet: AWS and the carriers are still reviewing the launch."]
    return f"{subject}: {what}", summary, facts, steps


def _notify(event: RegwatchEvent) -> tuple[str, str, list[Fact], list[str]]:
    detail = event.detail
    name = detail.resource_name or detail.resource_id or ""
    subject = f"Notify configuration {name}"
    change = _change(detail.previous_status, detail.status)
    summary = f"{subject} ({detail.resource_id}) is now {humanize_status(detail.status)}"
    summary += "." if detail.previous_status is None else f" (was {humanize_status(detail.previous_status)})."
    if detail.rejection_reason:
        summary += f" AWS's reason: {detail.rejection_reason}"
    facts = [
        Fact("Notify configuration", name),
        Fact("Configuration ID", detail.resource_id or ""),
        Fact("Status", change),
    ]
    if detail.rejection_reason:
        facts.append(Fact("Rejection reason", detail.rejection_reason))
    if detail.tier:
        facts.append(Fact("Tier", humanize_status(detail.tier)))
    steps = [NOTIFY_STEPS[detail.status]] if detail.status in NOTIFY_STEPS else []
    return f"{subject}: {change}", summary, facts, steps


def describe_messaging_resource(event: RegwatchEvent) -> AlertContent:
    """A 1.2 event of scope RCS_LAUNCH or NOTIFY_CONFIGURATION."""
    detail = event.detail
    what, summary, facts, steps = _rcs(event) if detail.scope is Scope.RCS_LAUNCH else _notify(event)
    facts += [
        Fact("When", f"{format_time(detail.observed_at)} (noticed)"),
        Fact("Region", detail.region),
        Fact("Account", detail.account_id),
    ]
    severity: Severity = detail.severity
    notes = ("First seen by regwatch: the status is current but may be old.",) if detail.baseline else ()
    return AlertContent(
        severity=severity,
        severity_label=SEVERITY_LABELS[severity],
        emoji=SEVERITY_EMOJI[severity],
        headline=f"{SEVERITY_LABELS[severity]}: {what}",
        summary=summary,
        facts=tuple(facts),
        next_steps=tuple(steps),
        reasons=(),
        flagged_fields=(),
        feedback=None,
        notes=notes,
        console_url=detail.console_url,
        registration_id=detail.resource_id or "",
        status=detail.status,
        event_id=detail.event_id,
    )
