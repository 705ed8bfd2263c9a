"""Which regwatch events reach a destination, as an EventBridge event pattern.

Routing is configured as severities plus individual statuses. The pattern filters on
`detail.status` only, expanding severities with `regwatch.severity`: ACTION_REQUIRED and
GOOD_NEWS are known status sets; INFO is "every other status", i.e. `anything-but` the two
known sets. The union of configured classes therefore always fits one of three forms that
both EventBridge and moto (the local demo) match: an exact list, a single `anything-but`
list, or no status filter at all. `detail.baseline` is not filtered: the scanner already
decides which baseline events exist (BASELINE_ALERTS).

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


def event_pattern(source: str, severities: Iterable[Severity], statuses: Iterable[str]) -> dict[str, Any]:
    """The full EventBridge pattern (CloudFormation shape) for one destination."""
    pattern: dict[str, Any] = {"source": [source]}
    detail: dict[str, Any] = {"$or": ALERT_FILTER}
    status = status_filter(severities, statuses)
    if status is not None:
        detail["status"] = status
    pattern["detail"] = detail
    return pattern
