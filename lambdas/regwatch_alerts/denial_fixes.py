"""AWS's documented fix under each denial reason, and whether a new version can be submitted.

The channel-independent content builder (alert_content.describe) calls this: every known
reason (regwatch.denial_reasons, recorded from AWS's rejection troubleshooting guide) gets
the fix and its resubmittability appended to the text shown under it, so every destination
renders them where it renders the reason; the next steps end with one verdict for the whole
denial. Reasons the guide does not list are shown as AWS wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence

from regwatch.denial_reasons import SUPPORT_CASE_URL, DenialReason, Resubmittable, lookup, verdict
from regwatch.event_models import DeniedReasonDetail

RESUBMIT_WORDS: dict[Resubmittable, str] = {
    Resubmittable.YES: "A new version can be submitted once this is fixed.",
    Resubmittable.NO: "Not resubmittable: a new version will not be approved; an AWS Support case is needed.",
    Resubmittable.DEPENDS: "Resubmittable if the content can change; if not, open an AWS Support case.",
}


def known_reasons(reasons: Sequence[DeniedReasonDetail]) -> list[DenialReason]:
    return [found for found in (lookup(r.reason) for r in reasons) if found is not None]


def with_fixes(reasons: Sequence[DeniedReasonDetail]) -> tuple[DeniedReasonDetail, ...]:
    """The reasons, each known one with `Fix: …` and its resubmittability under AWS's own text."""
    out = []
    for reason in reasons:
        known = lookup(reason.reason)
        if known is None:
            out.append(reason)
            continue
        label = "AWS's guide" if known.resubmittable is Resubmittable.NO else "Fix (AWS's guide)"
        note = f"{label}: {known.fix} {RESUBMIT_WORDS[known.resubmittable]}"
        text = f"{reason.long_description}\n{note}" if reason.long_description else note
        out.append(reason.model_copy(update={"long_description": text}))
    return tuple(out)


def denial_fix_lines(reasons: Sequence[DeniedReasonDetail]) -> list[str]:
    """`REASON: fix resubmittability` per documented reason, for destinations that list them apart."""
    return [f"{r.code}: {r.fix} {RESUBMIT_WORDS[r.resubmittable]}" for r in known_reasons(reasons)]


def resubmit_step(reasons: Sequence[DeniedReasonDetail], registration_id: str) -> str | None:
    """One next step for the whole denial; None when no reason is in AWS's guide."""
    known = known_reasons(reasons)
    decided = verdict(known)
    if decided is Resubmittable.YES:
        return (
            "Every reason can be fixed in a new version: create one with the fixes and submit it "
            f"(`regwatch resubmit-draft {registration_id}` drafts it from this version's values)."
        )
    titles = ", ".join(f"“{r.title.rstrip('.')}”" for r in known if r.resubmittable is decided)
    if decided is Resubmittable.NO:
        return (
            f"AWS does not accept a new version for {titles}: open an AWS Support case ({SUPPORT_CASE_URL}) "
            "if you think this is a mistake; otherwise this registration cannot be approved."
        )
    if decided is Resubmittable.DEPENDS:
        return (
            f"Whether a new version can pass depends on the content ({titles}): remove what is prohibited "
            f"and submit a new version, or open an AWS Support case ({SUPPORT_CASE_URL}) if not applicable."
        )
    return None
