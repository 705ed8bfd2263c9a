"""How urgent a status is. The notifiers render from it and infra builds rule patterns from it."""

from __future__ import annotations

from enum import StrEnum


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
ACTION_REQUIRED_STATUSES: frozenset[str] = frozenset(
    {
        "REQUIRES_AUTHENTICATION",
        "DENIED",
        "REVOKED",
        "REQUIRES_UPDATES",
        "TARGET_UNHEALTHY",
        "TARGET_DELETIONS_HELD",
    }
)
GOOD_NEWS_STATUSES: frozenset[str] = frozenset({"APPROVED", "COMPLETE", "TARGET_RECOVERED"})


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
