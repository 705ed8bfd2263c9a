"""The shared API budget (regwatch_aws/api_budget.py) on moto's DynamoDB over a real socket.

Two pacers stand for two execution environments of the scanner (each its own memory): their
calls of one (target, operation) get slots at least 1/rate apart, interleaved in the order
they asked; other operations and targets have budgets of their own; a pacer whose idea of the
next slot is stale (the other environment moved it) reads it again instead of overlapping.
Time is simulated: each pacer's clock is shared, and `sleep` advances it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import boto3
import pytest

from regwatch_aws.api_budget import TableCallPacer
from tests.integration.snapshot_table import create_snapshot_table

TABLE = "regwatch-budget-test"
RATE = 0.8
TARGET = "111122223333/us-east-1"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def table(aws: str) -> Iterator[object]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_snapshot_table(client, TABLE)
    yield client


def pacer(client: object, clock: Clock, target: str = TARGET) -> TableCallPacer:
    return TableCallPacer(client, TABLE, target, RATE, clock=clock, sleep=clock.sleep)


def test_two_environments_share_one_operations_budget(table: object) -> None:
    clock = Clock()
    a, b = pacer(table, clock), pacer(table, clock)
    starts = []
    for environment in (a, b, a, a, b, b):
        environment.acquire("DescribeRegistrations")
        starts.append(clock.now)
    gaps = [round(later - earlier, 6) for earlier, later in itertools.pairwise(starts)]
    assert gaps == [1.25] * 5, "each call waits for the slot after the other environment's"


def test_operations_and_targets_do_not_wait_on_each_other(table: object) -> None:
    clock = Clock()
    a = pacer(table, clock)
    other_target = pacer(table, clock, "444455556666/us-east-1")
    assert a.acquire("DescribeRegistrations") == 0.0
    assert a.acquire("DescribeRegistrationVersions") == 0.0
    assert other_target.acquire("DescribeRegistrations") == 0.0
    assert a.acquire("DescribeRegistrations") == pytest.approx(1.25)


def test_an_idle_budget_does_not_bank_calls(table: object) -> None:
    clock = Clock()
    a = pacer(table, clock)
    a.acquire("DescribeRegistrations")
    clock.now += 60  # a minute of quiet gives no burst: the next two calls are still 1.25 s apart
    assert a.acquire("DescribeRegistrations") == 0.0
    assert a.acquire("DescribeRegistrations") == pytest.approx(1.25)
