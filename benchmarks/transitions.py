"""The unit both scanners are judged on: one version-level status transition.

A transition is identified by what the API shows, not by who saw it, so the
injected truth, the naive scanner and regwatch's events can be compared as sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from regwatch.events import iso_utc
from regwatch.model import status_for_history_key


class VersionTransition(NamedTuple):
    registration_id: str
    version_number: int
    status: str
    # ISO-8601 UTC of the status's history entry; None for statuses the API gives no timestamp.
    status_timestamp: str | None


# What a scanner remembers of one version: its status and its history keys with timestamps.
VersionState = tuple[str, Mapping[str, str]]


def version_state(version: Mapping[str, Any]) -> VersionState:
    """The comparable state of one `RegistrationVersionInformation` (boto3 shape)."""
    history = version.get("RegistrationVersionStatusHistory") or {}
    return (
        str(version["RegistrationVersionStatus"]),
        {str(k): iso_utc(v) if isinstance(v, datetime) else str(v) for k, v in history.items()},
    )


def diff_version(
    registration_id: str, version_number: int, before: VersionState | None, after: VersionState
) -> list[VersionTransition]:
    """Transitions between two states of one version (before=None: a version first seen).

    Every new history entry is a transition; a status change without a new history
    entry for that status (REQUIRES_OFFLINE_REVIEW has none) is an untimed transition.
    """
    old_status, old_history = before if before is not None else ("", {})
    new_status, new_history = after
    found = [
        VersionTransition(registration_id, version_number, status_for_history_key(key), moment)
        for key, moment in new_history.items()
        if old_history.get(key) != moment
    ]
    if new_status != old_status and new_status not in {t.status for t in found}:
        found.append(VersionTransition(registration_id, version_number, new_status, None))
    return sorted(found, key=lambda t: (t.status_timestamp or "", t.status))
