"""Client-side rate limiting: one token bucket per API operation.

The SMS API's Describe* quota is 1 request per second per account and region, shared
with every other caller. The bucket keeps regwatch below a configured share of it.
Pure: the monotonic clock and the sleep function are injected, so tests run in
simulated time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class CallPacer(Protocol):
    """What the SMS API adapter asks before every attempt: wait for a slot of `key`'s budget."""

    def acquire(self, key: str) -> float:
        """Block until a call of `key` may go; returns the seconds waited."""
        ...


class TokenBucket:
    """Allows `rate` acquisitions per second on average, bursts up to `capacity`.

    The bucket starts full, so the first call never waits.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        capacity: float = 1.0,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._updated = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
        self._updated = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        # Holding the lock while sleeping is the point: callers queue up behind each other.
        with self._lock:
            self._refill(self._clock())
            waited = 0.0
            if self._tokens < 1:
                wait = (1 - self._tokens) / self._rate
                self._sleep(wait)
                waited = wait
                self._refill(self._clock())
                # A sleep may return early or the clock be coarse: never go below zero tokens.
                self._tokens = max(self._tokens, 1.0)
            self._tokens -= 1
            return waited


class RateLimiter:
    """One TokenBucket per key (an API operation name), created on first use."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        capacity: float = 1.0,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._capacity = capacity
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def bucket(self, key: str) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = TokenBucket(self._rate, self._clock, self._sleep, self._capacity)
                self._buckets[key] = bucket
            return bucket

    def acquire(self, key: str) -> float:
        return self.bucket(key).acquire()
