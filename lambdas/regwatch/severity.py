"""How urgent a status is. The notifiers render from it and infra builds rule patterns from it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from regwatch.denial_reasons import Resubmittable, lookup, verdict


class Severity(StrEnum):
    ACTION_REQUIRED = "ACTION_REQUIRED"
    GOOD_NEWS = "GOOD_NEWS"
    INFO = "INFO"


# A human must act, or messaging stops: the authentication link expires in days,
# a denial needs a new version, a revocation stops traffic. REQUIRES_UPDATES is the
# registration-level face of a denial.
# TARGET_UNHEALTHY / TARGET_RECOVERED are the statuses of contract 1.1's target health
# events (regwatch.health_events): a broken target needs a human like a denial does.
# TARGET_DELETIONS_HELD (1.2): a person checks whether the deletions are real.
# REJECTED / REQUIRES_VERIFICATION / ACTIVE are the statuses of contract 1.2's RCS launches
# and Notify configurations (regwatch.messaging_events); registrations never use them.
ACTION_REQUIRED_STATUSES: frozenset[str] = frozenset(
    {
        "REQUIRES_AUTHENTICATION",
        "DENIED",
        "REVOKED",
        "REQUIRES_UPDATES",
        "TARGET_UNHEALTHY",
        "TARGET_DELETIONS_HELD",
        "REJECTED",
        "REQUIRES_VERIFICATION",
    }
)
GOOD_NEWS_STATUSES: frozenset[str] = frozenset({"APPROVED", "COMPLETE", "TARGET_RECOVERED", "ACTIVE"})


def severity_of(status: str) -> Severity:
    """Severity of a (version or registration) status; unknown statuses are INFO."""
    if status in ACTION_REQUIRED_STATUSES:
        return Severity.ACTION_REQUIRED
    if status in GOOD_NEWS_STATUSES:
        return Severity.GOOD_NEWS
    return Severity.INFO


def statuses_of(severity: Severity) -> frozenset[str]:
    """The known statuses of a severity class (INFO is open-ended and has none listed)."""
    if severity is Severity.ACTION_REQUIRED:
        return ACTION_REQUIRED_STATUSES
    if severity is Severity.GOOD_NEWS:
        return GOOD_NEWS_STATUSES
    return frozenset()


def denial_pages(reasons: Iterable[str]) -> bool | None:
    """Whether a denial should page someone, from its `DeniedReasons[].Reason` values.

    AWS's rejection troubleshooting guide (regwatch.denial_reasons) says per reason whether a
    new version can be submitted. A denial whose every reason is resubmittable is work for the
    team's chat (fix the fields, submit again): it does not page. One reason AWS does not
    accept a resubmission for, or one that depends on the content, pages: only a support case
    or a decision can move it. None when regwatch cannot tell (no reasons, or one the guide
    does not list): the destination keeps its usual urgency for an action-required status.
    """
    found = [lookup(reason) for reason in reasons]
    if not found or any(reason is None for reason in found):
        return None
    return verdict(r for r in found if r is not None) is not Resubmittable.YES
