"""How long a scan's SMS calls take when paced as deployed: per-operation quotas, replayed.

The SMS API's quota is per operation (1 request/s per account and region for each
Describe*/List* action), and regwatch paces each operation with its own token bucket
(`regwatch.ratelimit.RateLimiter`, `apiCallsPerSecond`, 0.8 by default), making its calls
one at a time. So a scan's API-paced time is neither "all calls at 1 call/s" (that ignores
that a DescribeRegistrations page does not wait for a DescribeRegistrationVersions token)
nor the busiest operation alone (the calls are sequential): it depends on the order.

`paced_seconds` replays the order the scanner really made its calls in (recorded by
`benchmarks/instrument.py` in the scanner's process) through regwatch's own RateLimiter on
a virtual clock, each call taking `call_seconds` once its token is granted. Local work
between calls (diffing, DynamoDB, PutEvents) is not included: on AWS it is small next to
the waits, and here it is dominated by moto.
"""

from __future__ import annotations

from collections.abc import Iterable

from regwatch.ratelimit import RateLimiter

DEFAULT_RATE = 0.8  # calls/s per operation: the deployed default of apiCallsPerSecond
CALL_SECONDS = 0.1  # a nominal round trip to the SMS API once the token is granted


class _VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def paced_seconds(
    operations: Iterable[str], rate: float = DEFAULT_RATE, call_seconds: float = CALL_SECONDS
) -> float:
    """Seconds the calls take in this order, each operation paced by its own token bucket."""
    clock = _VirtualClock()
    limiter = RateLimiter(rate, clock, clock.sleep)
    for operation in operations:
        limiter.acquire(operation)
        clock.sleep(call_seconds)
    return clock.now
