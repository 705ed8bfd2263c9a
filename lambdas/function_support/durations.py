"""Durations as people write them in settings: `2d`, `36h`, `90m`, `3w`.

Shared by the stack's config validation (infra/config.py) and the evaluator's settings,
so a value cdk.json accepts is a value the function accepts.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^(?P<value>\d+(\.\d+)?)\s*(?P<unit>m|h|d|w)$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
EXAMPLES = "e.g. '2d', '36h', '90m' or '3w'"


def parse_duration(name: str, value: object) -> timedelta:
    """A non-negative duration; ValueError naming `name` and showing the accepted form."""
    text = str(value).strip().lower() if isinstance(value, str | int | float) else ""
    match = _DURATION.match(text)
    if match is None:
        shown = str(value)[:40]
        prefix = f"{name}: " if name else ""
        raise ValueError(f"{prefix}{shown!r} is not a duration (a non-negative number and unit: {EXAMPLES})")
    return float(match["value"]) * _UNITS[match["unit"]]


def format_duration(duration: timedelta) -> str:
    """The inverse for whole units: 2 days -> `2d` (used in messages and docs)."""
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"
