"""The API-paced time of a scan: its calls replayed through regwatch's per-operation buckets."""

from __future__ import annotations

import pytest

from benchmarks.pacing import paced_seconds


def test_one_operation_waits_a_full_interval_between_calls() -> None:
    # The bucket starts full: the first call is free, each further one waits 1/rate.
    assert paced_seconds(["DescribeRegistrations"] * 5, rate=0.8, call_seconds=0.1) == pytest.approx(
        4 * 1.25 + 0.1
    )


def test_different_operations_do_not_wait_for_each_other() -> None:
    alternating = ["DescribeRegistrations", "DescribeRegistrationVersions"] * 10
    one_operation = ["DescribeRegistrations"] * 20
    paced = paced_seconds(alternating, rate=0.8, call_seconds=0.1)
    # Ten of each: bounded by one operation's ten calls, far from twenty calls in a row.
    assert 9 * 1.25 <= paced <= 10 * 1.25 + 0.2
    assert paced < paced_seconds(one_operation, rate=0.8, call_seconds=0.1) / 1.5


def test_no_calls_take_no_time() -> None:
    assert paced_seconds([], rate=0.8) == 0.0
