"""The faults of a simulated day, drawn from a seed: which fault strikes at which scan.

Every kind is drawn independently per scan (so faults overlap), and each kind is placed at
least once at a random scan, so a short run cannot pass by drawing nothing. One notifier
(SNS) is down for a whole hour at a random moment, then its dead-letter queue is redriven.
The same seed gives the same plan, hence the same day.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SCANS_PER_HOUR = 12

# kind -> chance per scan. The shapes are those of tests/faults (one fault each there).
KINDS: dict[str, float] = {
    "sms-throttle-burst": 0.08,
    "sms-500-burst": 0.05,
    "sms-expired-next-token": 0.04,
    "scanner-killed-mid-scan": 0.03,
    "dynamodb-conflict": 0.04,
    "dynamodb-throttle-burst": 0.04,
    "putevents-partial-failure": 0.05,
    "eventbridge-throttle-burst": 0.03,
    "slack-429": 0.04,
    "slack-500": 0.04,
    "slack-timeout-not-accepted": 0.015,
    "slack-timeout-accepted-late": 0.015,
    "sns-500": 0.04,
    # Every listing of one scan comes back empty: the flood guard must hold, not delete.
    "listing-flood": 0.005,
}
NOTIFIER_DOWN = "sns-notifier-down-1h"


@dataclass(frozen=True)
class Fault:
    kind: str
    tick: int
    size: int = 1  # burst length, where the kind has one
    operation: str = ""  # SMS operation, where the kind has one


@dataclass
class DayPlan:
    seed: int
    ticks: int
    faults: dict[int, list[Fault]] = field(default_factory=dict)
    notifier_down: range = range(0)  # the ticks during which the SNS notifier is down

    def at(self, tick: int) -> list[Fault]:
        return self.faults.get(tick, [])

    def counts(self) -> Counter[str]:
        counted = Counter(fault.kind for faults in self.faults.values() for fault in faults)
        if self.notifier_down:
            counted[NOTIFIER_DOWN] = 1
        return counted

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "ticks": self.ticks, "planned": dict(sorted(self.counts().items()))}


_SMS_OPERATIONS = ("DescribeRegistrations", "DescribeRegistrationVersions")


def _fault(kind: str, tick: int, rng: random.Random) -> Fault:
    if kind in ("sms-throttle-burst", "sms-500-burst"):
        # Up to 15 in a row: longer than the SMS client's 9 attempts, sometimes.
        return Fault(kind, tick, rng.randint(3, 15), rng.choice(_SMS_OPERATIONS))
    if kind in ("dynamodb-throttle-burst", "eventbridge-throttle-burst"):
        return Fault(kind, tick, rng.randint(2, 8))
    if kind == "slack-500":
        return Fault(kind, tick, rng.randint(1, 4))
    if kind == "slack-429":
        return Fault(kind, tick, rng.randint(1, 2))
    if kind == "sns-500":
        return Fault(kind, tick, rng.randint(1, 7))
    return Fault(kind, tick)


def plan_day(seed: int, ticks: int, first_tick: int = 1) -> DayPlan:
    """Faults for scans first_tick..ticks (tick 0 is the baseline scan, never faulted)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible plan, not a secret
    plan = DayPlan(seed, ticks)
    for tick in range(first_tick, ticks + 1):
        for kind, chance in KINDS.items():
            if rng.random() < chance:
                plan.faults.setdefault(tick, []).append(_fault(kind, tick, rng))
    for kind in KINDS:
        if kind not in plan.counts():
            tick = rng.randint(first_tick, ticks)
            plan.faults.setdefault(tick, []).append(_fault(kind, tick, rng))
    hour = min(SCANS_PER_HOUR, max(1, ticks // 3))
    start = rng.randint(first_tick, max(first_tick, ticks - hour - 1))
    plan.notifier_down = range(start, start + hour)
    return plan
