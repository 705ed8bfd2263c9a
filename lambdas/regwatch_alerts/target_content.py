"""The content of a target health alert (contract 1.1, scope TARGET): which account and Region, why."""

from __future__ import annotations

from regwatch.event_models import RegwatchEvent
from regwatch_alerts.content_model import SEVERITY_EMOJI, SEVERITY_LABELS, AlertContent, Fact
from regwatch_alerts.wording import format_time, humanize_status


def describe_target(event: RegwatchEvent) -> AlertContent:
    """A 1.1 target health event (scope TARGET): which account and Region, why, since when."""
    detail = event.detail
    if detail.status == "TARGET_DELETIONS_HELD":
        return _describe_held_deletions(event)
    target = f"account {detail.account_id} in {detail.region}"
    recovered = detail.status == "TARGET_RECOVERED"
    since = format_time(detail.since)
    summary = (
        f"regwatch can scan {target} again (failing since {since})."
        if recovered
        else f"regwatch cannot scan {target} since {since}: {detail.reason} ({detail.error_code}). "
        "Its registrations are not watched until this is fixed; other targets are unaffected."
    )
    steps = (
        () if recovered else ("Check the spoke role and the account's SMS access (docs/organizations.md).",)
    )
    facts = [Fact("Account", detail.account_id), Fact("Region", detail.region), Fact("Since", since)]
    if not recovered:
        facts += [Fact("Reason", humanize_status(detail.reason)), Fact("Error", detail.message or "")]
    what = "recovered" if recovered else "cannot be scanned"
    return _target_alert(event, f"{target} {what}", summary, tuple(facts), steps)


def _describe_held_deletions(event: RegwatchEvent) -> AlertContent:
    """1.2 "Target Deletions Held": how many deletions wait, and how they get settled."""
    detail = event.detail
    target = f"account {detail.account_id} in {detail.region}"
    count, known = detail.held_deletions or 0, detail.registrations_known or 0
    return _target_alert(
        event,
        f"{count} deletions held in {target}",
        (
            f"One complete listing of {target} did not show {count} of its {known} registrations. "
            "That many at once is more often a short answer (wrong Region, changed permissions) than "
            "real deletions, so regwatch deleted none of them and sent no deletion alerts. The next "
            "complete listing settles it: registrations still missing are deleted then."
        ),
        (
            Fact("Account", detail.account_id),
            Fact("Region", detail.region),
            Fact("Held deletions", f"{count} of {known}"),
            Fact("Since", format_time(detail.since)),
        ),
        (
            "Check the spoke role's permissions and the target's Region (docs/organizations.md).",
            f"If the registrations really are gone: regwatch deletions confirm --account "
            f"{detail.account_id} --region {detail.region}",
        ),
    )


def _target_alert(
    event: RegwatchEvent, what: str, summary: str, facts: tuple[Fact, ...], next_steps: tuple[str, ...]
) -> AlertContent:
    """The alert of a target event: `what` after the severity label heads it; no registration."""
    detail = event.detail
    return AlertContent(
        severity=detail.severity,
        severity_label=SEVERITY_LABELS[detail.severity],
        emoji=SEVERITY_EMOJI[detail.severity],
        headline=f"{SEVERITY_LABELS[detail.severity]}: {what}",
        summary=summary,
        facts=facts,
        next_steps=next_steps,
        reasons=(),
        feedback=None,
        notes=(),
        console_url=f"https://{detail.region}.console.aws.amazon.com/sms-voice/home?region={detail.region}",
        registration_id=f"{detail.account_id}/{detail.region}",
        flagged_fields=(),
        status=detail.status,
        event_id=detail.event_id,
    )
