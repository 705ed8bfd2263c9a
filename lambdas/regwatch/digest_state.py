"""A digest being folded over several evaluator invocations, as plain JSON-able data.

The evaluator persists it with its pass cursor (regwatch/evaluate.py) after trimming each
section to what the event can show (Digest.trim), so the stored state stays small whatever
the fleet's size: counts per target and status, at most MAX_LINES_IN_EVENT lines per section.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from regwatch.digest import Digest, DigestLine
from regwatch.snapshot import RegionKey

_SECTIONS = ("changes", "needs_human", "overdue_reviews")


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _required_moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _line_to_dict(line: DigestLine) -> dict[str, Any]:
    return {
        "a": line.account_id,
        "r": line.region,
        "id": line.registration_id,
        "n": line.name,
        "t": line.registration_type,
        "v": line.version_number,
        "s": line.status,
        "w": line.when.isoformat() if line.when else None,
        "d": line.deadline.isoformat() if line.deadline else None,
        "o": line.note,
    }


def _line_from_dict(item: dict[str, Any]) -> DigestLine:
    return DigestLine(
        account_id=str(item["a"]),
        region=str(item["r"]),
        registration_id=str(item["id"]),
        name=item.get("n"),
        registration_type=str(item["t"]),
        version_number=int(item["v"]),
        status=str(item["s"]),
        when=_moment(item.get("w")),
        deadline=_moment(item.get("d")),
        note=str(item.get("o", "")),
    )


def digest_to_state(digest: Digest) -> dict[str, Any]:
    return {
        "day": digest.day.isoformat(),
        "timezone": digest.timezone,
        "generatedAt": digest.generated_at.isoformat(),
        "byStatus": {key.partition: dict(counts) for key, counts in digest.by_status.items()},
        "lastCompleteScan": {
            key.partition: moment.isoformat() if moment else None
            for key, moment in digest.last_complete_scan.items()
        },
        "dropped": dict(digest.dropped),
        **{name: [_line_to_dict(line) for line in getattr(digest, name)] for name in _SECTIONS},
    }


def _key(partition: str) -> RegionKey:
    account_id, _, region = partition.partition("#")
    return RegionKey(account_id, region)


def digest_from_state(state: dict[str, Any]) -> Digest:
    digest = Digest(
        day=date.fromisoformat(state["day"]),
        timezone=state["timezone"],
        generated_at=_required_moment(state["generatedAt"]),
    )
    digest.by_status = {_key(p): Counter(counts) for p, counts in state.get("byStatus", {}).items()}
    digest.last_complete_scan = {_key(p): _moment(m) for p, m in state.get("lastCompleteScan", {}).items()}
    digest.dropped = Counter(state.get("dropped", {}))
    for name in _SECTIONS:
        setattr(digest, name, [_line_from_dict(item) for item in state.get(name, [])])
    return digest
