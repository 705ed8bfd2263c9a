"""The org-scale benchmark's projection arithmetic (benchmarks/org_scale.py): no timing asserted."""

from __future__ import annotations

import pytest

from benchmarks.org_scale import makespan, projected_seconds


def test_makespan_assigns_each_item_to_the_first_free_worker() -> None:
    assert makespan([], 50) == 0
    assert makespan([10, 10, 10, 10], 2) == 20
    assert makespan([30, 10, 10, 10], 2) == 30
    assert makespan([5] * 100, 1) == 500
    assert makespan([5] * 100, 100) == 5


def test_projection_scales_only_the_paced_api_time() -> None:
    # 80 SMS calls paced at 0.8/s compressed x100 took 1 s; 0.5 s more was overhead.
    target = {
        "apiCalls": {"DescribeRegistrations": 10, "DescribeRegistrationVersions": 70},
        "wallSeconds": 1.5,
    }
    assert projected_seconds(target, compression=100) == pytest.approx(80 / 0.8 + 0.5)
    # Overhead never goes negative when the compressed run was faster than its pacing bound.
    fast = {"apiCalls": {"DescribeRegistrations": 8}, "wallSeconds": 0.01}
    assert projected_seconds(fast, compression=100) == pytest.approx(10)
