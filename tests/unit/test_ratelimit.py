"""Token buckets in simulated time: the clock only moves when the limiter sleeps."""

from __future__ import annotations

import itertools

import pytest

from regwatch.ratelimit import RateLimiter, TokenBucket


class SimulatedTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_first_call_is_free_then_calls_are_spaced_by_the_rate() -> None:
    time = SimulatedTime()
    bucket = TokenBucket(0.8, time.clock, time.sleep)
    stamps = []
    for _ in range(5):
        bucket.acquire()
        stamps.append(time.now)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(stamps)]
    assert gaps == [1.25] * 4
    assert stamps[0] == 1000.0


def test_calls_over_a_long_run_never_exceed_the_rate() -> None:
    time = SimulatedTime()
    bucket = TokenBucket(0.8, time.clock, time.sleep)
    start = time.now
    for _ in range(81):
        bucket.acquire()
    # 81 calls: the first is free, 80 more need 80 / 0.8 = 100 s.
    assert time.now - start == pytest.approx(100.0)


def test_idle_time_refills_but_never_beyond_capacity() -> None:
    time = SimulatedTime()
    bucket = TokenBucket(1.0, time.clock, time.sleep, capacity=2)
    bucket.acquire()
    bucket.acquire()
    time.now += 60  # a long pause refills only up to the capacity of 2
    waits = [bucket.acquire() for _ in range(3)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(1.0)


def test_operations_have_separate_buckets() -> None:
    time = SimulatedTime()
    limiter = RateLimiter(0.5, time.clock, time.sleep)
    assert limiter.acquire("DescribeRegistrations") == 0.0
    assert limiter.acquire("DescribeRegistrationVersions") == 0.0
    assert limiter.acquire("DescribeRegistrations") == pytest.approx(2.0)
    assert limiter.bucket("DescribeRegistrations") is limiter.bucket("DescribeRegistrations")


@pytest.mark.parametrize("rate", [0, -1])
def test_rate_must_be_positive(rate: float) -> None:
    time = SimulatedTime()
    with pytest.raises(ValueError, match="rate must be positive"):
        TokenBucket(rate, time.clock, time.sleep)
    with pytest.raises(ValueError, match="rate must be positive"):
        RateLimiter(rate, time.clock, time.sleep)
