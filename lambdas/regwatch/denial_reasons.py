"""AWS's documented registration denial reasons: what each means to fix, and whether to resubmit.

The table (regwatch.denial_reason_table) records AWS's "Rejection troubleshooting" guide
with its source and date: per ENUM value the console title, the fix and whether the
registration can be resubmitted.

Applies to US registrations (10DLC campaigns, toll-free, short codes); a reason AWS adds
later, or a free-text reason, has no entry and alerts show it as AWS wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from regwatch.denial_reason_table import (
    DOCUMENTED_CODES,
    RETRIEVED,
    SOURCE_TITLE,
    SOURCE_URL,
    SUPPORT_CASE_URL,
    TABLE,
    Resubmittable,
)

__all__ = [
    "DOCUMENTED_CODES",
    "REASONS",
    "RETRIEVED",
    "SOURCE_TITLE",
    "SOURCE_URL",
    "SUPPORT_CASE_URL",
    "DenialReason",
    "Resubmittable",
    "lookup",
    "verdict",
]


@dataclass(frozen=True, slots=True)
class DenialReason:
    code: str  # the ENUM value in DeniedReasons[].Reason
    title: str  # the console's title
    category: str
    fix: str
    resubmittable: Resubmittable


REASONS: dict[str, DenialReason] = {
    code: DenialReason(code, title, category, fix, resubmittable)
    for category, rows in TABLE.items()
    for code, title, resubmittable, fix in rows
}
_BY_TITLE = {reason.title.rstrip(".").casefold(): reason for reason in REASONS.values()}


def lookup(reason: str) -> DenialReason | None:
    """The documented reason for a `DeniedReasons[].Reason` (its ENUM value or console title)."""
    text = reason.strip()
    return REASONS.get(text.upper()) or _BY_TITLE.get(text.rstrip(".").casefold())


def verdict(reasons: Iterable[DenialReason]) -> Resubmittable | None:
    """For a whole denial: NO if any reason forbids resubmitting, DEPENDS if any depends, else YES."""
    found = {r.resubmittable for r in reasons}
    if not found:
        return None
    for worst in (Resubmittable.NO, Resubmittable.DEPENDS):
        if worst in found:
            return worst
    return Resubmittable.YES
