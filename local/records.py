"""What the local stack records as it runs: notes for the timeline, notifications for the report.

Its own module so the runner, the timeline and the report share these types without
importing each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Note:
    """One thing that happened in the local stack, for the timeline and the report."""

    kind: str
    data: dict[str, Any]
    at: float = field(default_factory=time.time)


Observer = Callable[[Note], None]


@dataclass(slots=True)
class Notification:
    destination: str  # "slack" | "sns"
    event_id: str | None
    text: str
    payload: dict[str, Any]
