"""The time a scan may still spend before its Lambda invocation times out."""

from __future__ import annotations

import math
from collections.abc import Callable

# Stop this long before the timeout: 10% of the invocation's time, at most 15 s.
MAX_SAFETY_MARGIN_SECONDS = 15.0
SAFETY_MARGIN_SHARE = 0.10


class TimeBudget:
    """Answers "is there time for N more API calls?" from a remaining-time callable.

    `seconds_per_call` is what one rate-limited call may cost (1 / calls per second),
    so the scan stops before it starts a call the invocation cannot wait for.
    """

    def __init__(
        self, remaining_seconds: Callable[[], float], margin_seconds: float, seconds_per_call: float
    ) -> None:
        self._remaining = remaining_seconds
        self.margin_seconds = margin_seconds
        self.seconds_per_call = seconds_per_call

    @classmethod
    def for_invocation(cls, remaining_seconds: Callable[[], float], calls_per_second: float) -> TimeBudget:
        total = remaining_seconds()
        margin = min(MAX_SAFETY_MARGIN_SECONDS, SAFETY_MARGIN_SHARE * total)
        return cls(remaining_seconds, margin, 1.0 / calls_per_second)

    @classmethod
    def unlimited(cls) -> TimeBudget:
        return cls(lambda: math.inf, 0.0, 0.0)

    def remaining(self) -> float:
        return self._remaining()

    def usable_seconds(self) -> float:
        return max(0.0, self._remaining() - self.margin_seconds)

    def allows(self, calls: int = 1) -> bool:
        return self.usable_seconds() >= calls * self.seconds_per_call

    def call_capacity(self) -> int:
        """How many more rate-limited calls of one operation fit (large if unlimited)."""
        usable = self.usable_seconds()
        if self.seconds_per_call <= 0 or math.isinf(usable):
            return 1_000_000_000
        return math.floor(usable / self.seconds_per_call)
