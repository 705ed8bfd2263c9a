"""Adaptive listing: how much a scheduled scan lists, given what AWS's native events say.

A full listing (every DescribeRegistrations page) is what finds a change nobody announced.
At 10,000 registrations it is 100 calls, a third of the operation's quota on a 5-minute
schedule. AWS's native "Registration Status Change" event already rescans a registration
within seconds (scan.Scanner.scan_registration), so while those events are known to flow
for a target, a full listing every `full_listing_interval` is enough, and the schedules in
between list only the registrations still in flight (a registration-status filter: one
page per 100 of them). Those are the ones a person may be waiting on, and the ones whose
next change is near.

Events are trusted only on evidence: one seen for the target within
`native_event_window`, and no listing since then finding a registration-status change that
no event announced (the rescan would have stored it before the listing saw it). Without
that evidence every schedule lists fully, as before, and says why: the scan report, the
`FullListingFallback` metric and a log line (docs/scanner.md, "Adaptive listing").

An unfinished listing cycle, held deletions and the baseline always list fully: they need
the complete listing to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from regwatch.model import RegistrationSummary
from regwatch.snapshot import RegistrationSnapshot, ScanState

# Registration statuses whose registration may still change without anyone creating a new
# version: the DescribeRegistrations filter of an in-flight listing (at most 20 values).
# COMPLETE, CLOSED and DELETED registrations change when someone acts, which AWS announces;
# a status AWS adds later is listed by the full listings, as every status is.
IN_FLIGHT_STATUSES = frozenset(
    {
        "CREATED",
        "SUBMITTED",
        "AWS_REVIEWING",
        "REVIEWING",
        "REQUIRES_AUTHENTICATION",
        "PROVISIONING",
        "REQUIRES_UPDATES",
    }
)


# How much earlier than the full-listing interval a schedule may list fully (see choose_listing).
SCHEDULE_SLACK = timedelta(minutes=1)


class ListingMode(StrEnum):
    FULL = "full"
    IN_FLIGHT = "in-flight"


@dataclass(frozen=True, slots=True)
class ListingPolicy:
    """`full_listing_interval` zero: list fully on every schedule (adaptive listing off)."""

    full_listing_interval: timedelta = timedelta(0)
    native_event_window: timedelta = timedelta(hours=24)

    @property
    def adaptive(self) -> bool:
        return self.full_listing_interval > timedelta(0)


@dataclass(frozen=True, slots=True)
class ListingDecision:
    mode: ListingMode
    reason: str
    # A full listing only because native events are not known to flow for the target.
    fallback: bool = False


def choose_listing(state: ScanState, now: datetime, policy: ListingPolicy) -> ListingDecision:
    """What this scheduled scan lists; the first rule that applies decides (its reason appears
    in the scan report verbatim)."""
    seen = state.native_event_at
    unannounced = state.unannounced_change_at
    # Counted from when the last full listing started, less a little slack: the schedule fires
    # every few minutes with seconds of jitter, and a full listing takes minutes, so either
    # "since it completed" or an exact comparison would slip to the schedule after.
    last_full = state.last_scan_started_at
    due_after = policy.full_listing_interval - SCHEDULE_SLACK
    # (applies, reason, fallback: native events not trusted)
    rules = (
        (not policy.adaptive, "adaptive listing off (fullListingMinutes 0)", False),
        (not state.has_baseline, "baseline not complete", False),
        (state.cursor is not None or state.incomplete, "the last full listing did not finish", False),
        (state.held is not None, "deletions held: a complete listing settles them", False),
        (seen is None, "no native event seen for this target yet", True),
        (
            seen is not None and now - seen > policy.native_event_window,
            f"no native event for {_span(now - seen) if seen else ''}",
            True,
        ),
        (
            seen is not None and unannounced is not None and unannounced >= seen,
            "a listing found a status change no native event announced",
            True,
        ),
        (
            last_full is None or now - last_full >= due_after,
            "full listing interval elapsed",
            False,
        ),
    )
    for applies, reason, fallback in rules:
        if applies:
            return ListingDecision(ListingMode.FULL, reason, fallback)
    return ListingDecision(ListingMode.IN_FLIGHT, "native events flowing")


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


def unannounced_change(
    summary: RegistrationSummary, snapshot: RegistrationSnapshot | None, has_baseline: bool
) -> bool:
    """A registration-status change the listing found before any rescan stored it.

    AWS's native event is about the registration's status, so only that counts: version
    numbers moving, or a change only the version history shows, come without one.
    """
    if not has_baseline or snapshot is None or snapshot.is_tombstone:
        return False
    return snapshot.registration_status != summary.registration_status
