"""Deadlines a registration version is waiting on, and the reminders they call for.

Pure: works from a snapshot and a clock alone (no API call). Each reminder belongs to one
threshold of one waiting period of one version, so its id is deterministic: the same
threshold crossed again (a retried or repeated evaluation) gives the same id, a new
waiting period (the version came back to the status later) a new one. A reminder is due
only while the version is still in the status it is about.

Clocks (AWS End User Messaging SMS user guide; docs/notifications.md "Reminders"):
- 10DLC brand authentication: the emailed link is valid for 7 days; it can be resent while
  the brand was submitted less than 30 days ago; after that the registration must be
  discarded and submitted again. regwatch counts from the version's
  RequiresAuthenticationTimestamp / SubmittedTimestamp, so the dates are estimates.
- Review: AWS publishes expected processing times per registration type; a version in
  review longer than that (from its SubmittedTimestamp) is overdue.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from regwatch.events import iso_utc
from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot

REQUIRES_AUTHENTICATION = "REQUIRES_AUTHENTICATION"
DRAFT = "DRAFT"
IN_REVIEW = frozenset({"SUBMITTED", "AWS_REVIEWING", "REVIEWING", "REQUIRES_OFFLINE_REVIEW"})
_REVIEW_KEYS = ("SubmittedTimestamp", "AwsReviewingTimestamp", "ReviewingTimestamp")

# Fixed namespace: reminder ids are stable across deployments (distinct from transition ids).
_REMINDER_ID_NAMESPACE = uuid.UUID("2b7e1f0c-8a4d-5c3e-9f61-0d2c4b6a8e17")


class ReminderKind(StrEnum):
    AUTHENTICATION_LINK_EXPIRING = "AUTHENTICATION_LINK_EXPIRING"
    AUTHENTICATION_LINK_EXPIRED = "AUTHENTICATION_LINK_EXPIRED"
    RESEND_WINDOW_CLOSING = "RESEND_WINDOW_CLOSING"
    RESEND_WINDOW_CLOSED = "RESEND_WINDOW_CLOSED"
    REVIEW_OVERDUE = "REVIEW_OVERDUE"
    DRAFT_FORGOTTEN = "DRAFT_FORGOTTEN"


# AWS's published estimates (docs/notifications.md cites them), with a margin for weekends:
# 10DLC brand 1-2 business days, brand vetting 1-2 business days, 10DLC campaign up to
# 4 weeks, toll-free up to 15 business days.
DEFAULT_REVIEW_EXPECTED: Mapping[str, timedelta] = {
    "US_TEN_DLC_BRAND_REGISTRATION": timedelta(days=4),
    "US_TEN_DLC_BRAND_VETTING": timedelta(days=4),
    "US_TEN_DLC_CAMPAIGN_REGISTRATION": timedelta(days=28),
    "US_TOLL_FREE_REGISTRATION": timedelta(days=21),
}
# A registration type without an entry (sender ids, short codes, types AWS adds later).
DEFAULT_REVIEW_EXPECTED_OTHERWISE = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """Thresholds (settings `reminder*` in cdk.json)."""

    auth_link_validity: timedelta = timedelta(days=7)
    resend_window: timedelta = timedelta(days=30)
    auth_link_warning: timedelta = timedelta(days=2)
    resend_window_warning: timedelta = timedelta(days=3)
    draft_forgotten_after: timedelta | None = None
    review_expected: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_REVIEW_EXPECTED))
    review_expected_default: timedelta = DEFAULT_REVIEW_EXPECTED_OTHERWISE

    def expected_review(self, registration_type: str) -> tuple[timedelta, bool]:
        """(expected review time, whether the type has its own entry)."""
        own = self.review_expected.get(registration_type)
        return (own, True) if own is not None else (self.review_expected_default, False)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One threshold crossed by one version's waiting period."""

    key: RegionKey
    snapshot: RegistrationSnapshot
    version: VersionSnapshot
    kind: ReminderKind
    since: datetime  # when the waiting period began (the status's own timestamp)
    deadline: datetime  # what the reminder is about: the link expiry, the window closing…
    threshold_at: datetime  # when this reminder became due
    estimated: bool
    basis: str  # where the dates come from, in words

    @property
    def reminder_id(self) -> str:
        parts = (
            "regwatch/reminder/v1",
            self.key.account_id,
            self.key.region,
            self.snapshot.registration_id,
            str(self.version.version_number),
            self.kind.value,
            iso_utc(self.since),
        )
        return str(uuid.uuid5(_REMINDER_ID_NAMESPACE, "|".join(parts)))


def _authentication(
    key: RegionKey,
    snapshot: RegistrationSnapshot,
    version: VersionSnapshot,
    policy: ReminderPolicy,
    now: datetime,
) -> list[Reminder]:
    history = version.status_history
    since = history.get("RequiresAuthenticationTimestamp")
    if since is None:
        return []  # no clock to count from: the alert already said "about 7 days"
    link_expires = since + policy.auth_link_validity
    submitted = history.get("SubmittedTimestamp", since)
    resend_closes = submitted + policy.resend_window
    basis = (
        f"link valid {policy.auth_link_validity.days} days from RequiresAuthenticationTimestamp "
        f"{iso_utc(since)}; resend possible until {policy.resend_window.days} days after "
        f"SubmittedTimestamp {iso_utc(submitted)} (AWS 10DLC brand authentication guide)"
    )

    def reminder(kind: ReminderKind, deadline: datetime, threshold: datetime) -> Reminder:
        return Reminder(key, snapshot, version, kind, since, deadline, threshold, True, basis)

    # (reminder, still worth sending at `now`): a warning after its deadline is noise.
    candidates = [
        (
            reminder(
                ReminderKind.AUTHENTICATION_LINK_EXPIRING,
                link_expires,
                link_expires - policy.auth_link_warning,
            ),
            now < link_expires,
        ),
        (
            reminder(ReminderKind.AUTHENTICATION_LINK_EXPIRED, resend_closes, link_expires),
            link_expires < resend_closes and now < resend_closes,
        ),
        (
            reminder(
                ReminderKind.RESEND_WINDOW_CLOSING,
                resend_closes,
                resend_closes - policy.resend_window_warning,
            ),
            now < resend_closes,
        ),
        (reminder(ReminderKind.RESEND_WINDOW_CLOSED, resend_closes, resend_closes), True),
    ]
    return [r for r, relevant in candidates if relevant and r.threshold_at <= now]


def _review(
    key: RegionKey,
    snapshot: RegistrationSnapshot,
    version: VersionSnapshot,
    policy: ReminderPolicy,
    now: datetime,
) -> list[Reminder]:
    history = version.status_history
    stamps = [history[k] for k in _REVIEW_KEYS if k in history]
    if not stamps:
        return []
    since = history.get("SubmittedTimestamp") or min(stamps)
    expected, own = policy.expected_review(snapshot.registration_type)
    deadline = since + expected
    if now < deadline:
        return []
    basis = f"in review since {iso_utc(since)}; expected within {expected.days} days for " + (
        snapshot.registration_type if own else "registration types without their own estimate (default)"
    )
    return [
        Reminder(key, snapshot, version, ReminderKind.REVIEW_OVERDUE, since, deadline, deadline, True, basis)
    ]


def _draft(
    key: RegionKey,
    snapshot: RegistrationSnapshot,
    version: VersionSnapshot,
    policy: ReminderPolicy,
    now: datetime,
) -> list[Reminder]:
    after = policy.draft_forgotten_after
    since = version.status_history.get("DraftTimestamp")
    if after is None or since is None or now < since + after:
        return []
    basis = f"draft since {iso_utc(since)}; reminder after {after.days} days (reminderDraftForgottenAfter)"
    return [
        Reminder(
            key,
            snapshot,
            version,
            ReminderKind.DRAFT_FORGOTTEN,
            since,
            since + after,
            since + after,
            False,
            basis,
        )
    ]


def due_reminders(
    key: RegionKey, snapshot: RegistrationSnapshot, policy: ReminderPolicy, now: datetime
) -> list[Reminder]:
    """Every reminder due now for the registration, sent or not (the caller filters)."""
    if snapshot.is_tombstone:
        return []
    due: list[Reminder] = []
    for version in sorted(snapshot.versions.values(), key=lambda v: v.version_number):
        if version.status == REQUIRES_AUTHENTICATION:
            due += _authentication(key, snapshot, version, policy, now)
        elif version.status in IN_REVIEW:
            due += _review(key, snapshot, version, policy, now)
        elif version.status == DRAFT and version.version_number == snapshot.current_version_number:
            due += _draft(key, snapshot, version, policy, now)
    return due


def relevant_sent(snapshot: RegistrationSnapshot, due_ids: frozenset[str]) -> frozenset[str]:
    """The sent-reminder ids worth keeping: those still due (older periods' ids can go)."""
    return frozenset(i for i in snapshot.reminders_sent if i in due_ids)
