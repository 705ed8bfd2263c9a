"""Which regwatch events reach a destination, as an EventBridge event pattern.

Routing is configured as severities plus individual statuses. The pattern filters on
`detail.status` only, expanding severities with `regwatch.severity`: ACTION_REQUIRED and
GOOD_NEWS are known status sets; INFO is "every other status", i.e. `anything-but` the two
known sets. The union of configured classes therefore always fits one of three forms that
both EventBridge and moto (the local demo) match: an exact list, a single `anything-but`
list, or no status filter at all. `detail.baseline` is not filtered: the scanner already
decides which baseline events exist (BASELINE_ALERTS).

Filters by account (`detail.accountId`), region (`detail.region`) and registration type
(`detail.registrationType`) narrow a destination further; each is an exact list, empty
meaning "all". A destination that also takes detail-types regardless of status (PagerDuty:
reminders, target health) gets one `$or` of the status branch and the detail-type branch;
account and region filters apply to both, the registration-type filter to the status branch
(target health events have no registration). Both EventBridge and moto match `$or`.
One alert per change (contract 1.1): only events with `detail.alert` true reach a person.
A 1.0 event has no `alert` field and still counts as an alert, hence the `$or` with
`exists: false` (EventBridge and moto both match `$or` inside `detail`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from regwatch.severity import Severity, statuses_of

_KNOWN_CLASSES = (Severity.ACTION_REQUIRED, Severity.GOOD_NEWS)
# `detail.alert` is true, or absent (a 1.0 event).
ALERT_FILTER: list[dict[str, Any]] = [{"alert": [True]}, {"alert": [{"exists": False}]}]


def status_filter(severities: Iterable[Severity], statuses: Iterable[str]) -> list[Any] | None:
    """The `detail.status` filter for a destination; None means "every status"."""
    chosen = set(severities)
    extra = set(statuses)
    listed = set().union(*(statuses_of(severity) for severity in _KNOWN_CLASSES if severity in chosen))
    if Severity.INFO in chosen:
        # INFO = not in any known class. Everything except the known statuses nobody asked for.
        excluded = set().union(*(statuses_of(severity) for severity in _KNOWN_CLASSES)) - listed - extra
        return [{"anything-but": sorted(excluded)}] if excluded else None
    return sorted(listed | extra)


def event_pattern(
    source: str,
    severities: Iterable[Severity],
    statuses: Iterable[str],
    *,
    accounts: Iterable[str] = (),
    regions: Iterable[str] = (),
    registration_types: Iterable[str] = (),
    detail_types: Iterable[str] = (),
) -> dict[str, Any]:
    """The full EventBridge pattern (CloudFormation shape) for one destination."""
    pattern: dict[str, Any] = {"source": [source]}
    shared: dict[str, Any] = {
        key: sorted(values)
        for key, values in (("accountId", set(accounts)), ("region", set(regions)))
        if values
    }
    branch: dict[str, Any] = {}
    status = status_filter(severities, statuses)
    if status is not None:
        branch["status"] = status
    if types := sorted(set(registration_types)):
        branch["registrationType"] = types
    extra_types = sorted(set(detail_types))
    if extra_types and branch:
        pattern["$or"] = [{"detail": branch}, {"detail-type": extra_types}]
    else:
        shared |= branch
    # One alert per change: only alert events (or 1.0 events without the field) reach a person.
    shared["$or"] = ALERT_FILTER
    pattern["detail"] = shared
    return pattern
