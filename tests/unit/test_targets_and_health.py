"""Targets, per-target health and the target scanner, against the in-memory fakes of test_scan."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from regwatch.budget import TimeBudget
from regwatch.errors import RegistryRejected, RegistryThrottled, TargetUnreachable
from regwatch.health import HealthChange, HealthReason, HealthTransition, TargetHealth, classify
from regwatch.health_events import health_event_id
from regwatch.scan import ScanOptions
from regwatch.snapshot import RegionKey
from regwatch.target_scan import TargetScanner
from regwatch.targets import (
    DiscoveredAccount,
    OrganizationScope,
    ScanTarget,
    StaticAccount,
    TargetConfigError,
    TargetPlan,
    session_name_for,
)
from tests.unit.test_scan import ACCOUNT, T0, FakeRegistry, MemoryStore, RecordingPublisher

MEMBER = "111122223333"
OTHER = "222233334444"


def test_default_plan_is_the_deploying_account_with_its_own_role() -> None:
    plan = TargetPlan(own_account_id=ACCOUNT, default_regions=("us-east-1", "eu-west-2"))
    assert plan.targets() == [ScanTarget(ACCOUNT, "us-east-1"), ScanTarget(ACCOUNT, "eu-west-2")]


def test_static_and_discovered_accounts_with_roles_regions_and_exclusions() -> None:
    plan = TargetPlan(
        own_account_id=ACCOUNT,
        default_regions=("us-east-1",),
        static_accounts=(
            StaticAccount(MEMBER, f"arn:aws:iam::{MEMBER}:role/custom", ("eu-west-1", "us-west-2")),
        ),
        organization=OrganizationScope(enabled=True, exclude_accounts=frozenset({"333344445555"})),
        spoke_role_name="reader",
    )
    discovered = [
        DiscoveredAccount(OTHER, "ACTIVE"),
        DiscoveredAccount("333344445555", "ACTIVE"),
        DiscoveredAccount("444455556666", "SUSPENDED"),
        DiscoveredAccount(MEMBER, "ACTIVE"),
        DiscoveredAccount(ACCOUNT, "ACTIVE"),
    ]
    assert plan.targets(discovered) == [
        ScanTarget(ACCOUNT, "us-east-1", None),
        ScanTarget(MEMBER, "eu-west-1", f"arn:aws:iam::{MEMBER}:role/custom"),
        ScanTarget(MEMBER, "us-west-2", f"arn:aws:iam::{MEMBER}:role/custom"),
        ScanTarget(OTHER, "us-east-1", f"arn:aws:iam::{OTHER}:role/reader"),
    ]


def test_discovered_accounts_are_ignored_without_organization_mode() -> None:
    plan = TargetPlan(own_account_id=ACCOUNT, default_regions=("us-east-1",))
    assert plan.targets([DiscoveredAccount(OTHER, "ACTIVE")]) == [ScanTarget(ACCOUNT, "us-east-1")]


def test_session_names_fit_sts_limits() -> None:
    name = session_name_for(MEMBER, "ap-southeast-4")
    assert name == f"regwatch-{MEMBER}-ap-southeast-4"
    assert len(session_name_for(MEMBER, "x" * 80)) == 64


def test_static_account_from_settings_names_the_problem() -> None:
    with pytest.raises(TargetConfigError, match=r"regwatch\.accounts: .1234. is not a 12-digit"):
        StaticAccount.from_mapping({"id": "1234"})


def test_classification() -> None:
    denied = classify(TargetUnreachable("AssumeRole denied", "AccessDenied"))
    assert denied is not None and denied.reason is HealthReason.ASSUME_ROLE_FAILED
    assert denied.failures_before_unhealthy == 1
    region = classify(RegistryRejected("x", "UnrecognizedClientException"))
    assert region is not None and region.reason is HealthReason.REGION_NOT_ENABLED
    throttled = classify(RegistryThrottled("x", "ThrottlingException"))
    assert throttled is not None and throttled.failures_before_unhealthy == 3


class FlakyTargets:
    """Registries per target; accounts in `denied` cannot be reached (AssumeRole refused)."""

    def __init__(self) -> None:
        self.registries: dict[str, FakeRegistry] = {}
        self.denied: set[str] = set()
        self.throttled: set[str] = set()

    def registry_for(self, target: ScanTarget) -> FakeRegistry:
        if target.account_id in self.denied:
            raise TargetUnreachable(f"AssumeRole {target.role_arn}: AccessDenied", "AccessDenied")
        registry = self.registries.setdefault(target.label, FakeRegistry(target.account_id, target.region))
        registry.fail_versions_after = 0 if target.account_id in self.throttled else None
        return registry


class MemoryHealth:
    def __init__(self) -> None:
        self.items: dict[str, TargetHealth] = {}

    def load(self, key: RegionKey) -> TargetHealth:
        return self.items.get(key.partition, TargetHealth())

    def save(self, key: RegionKey, health: TargetHealth) -> None:
        self.items[key.partition] = replace(health, revision=(health.revision or 0) + 1)


class World:
    def __init__(self) -> None:
        self.targets = FlakyTargets()
        self.store = MemoryStore()
        self.health = MemoryHealth()
        self.publisher = RecordingPublisher()
        self.now = T0
        self.scanner = TargetScanner(
            registry_for=self.targets.registry_for,
            store=self.store,
            health=self.health,
            publisher=self.publisher,
            clock=lambda: self.now,
            options=ScanOptions(account_id=ACCOUNT, event_source="regwatch", event_bus_name="bus"),
        )
        self.runs = 0

    def schedule(self, targets: list[ScanTarget]) -> list[dict[str, object]]:
        self.now += timedelta(minutes=5)
        self.runs += 1
        before = len(self.publisher.entries)
        for target in targets:
            self.scanner.scan(target, TimeBudget.unlimited(), f"run-{self.runs}-{target.label}")
        return [
            {"type": e["DetailType"], **json.loads(str(e["Detail"]))} for e in self.publisher.entries[before:]
        ]


TARGETS = [
    ScanTarget(ACCOUNT, "us-east-1"),
    ScanTarget(MEMBER, "us-east-1", f"arn:aws:iam::{MEMBER}:role/r"),
    ScanTarget(OTHER, "us-east-1", f"arn:aws:iam::{OTHER}:role/r"),
]


def test_a_denied_target_is_announced_once_and_its_recovery_once_while_others_carry_on() -> None:
    world = World()
    for target in TARGETS:
        world.targets.registry_for(target).put("reg-1", (1, "DENIED", 1))
    world.targets.denied.add(MEMBER)
    first = world.schedule(TARGETS)
    unhealthy = [e for e in first if e["type"] == "Target Unhealthy"]
    assert len(unhealthy) == 1
    assert unhealthy[0]["accountId"] == MEMBER and unhealthy[0]["reason"] == "ASSUME_ROLE_FAILED"
    assert unhealthy[0]["severity"] == "ACTION_REQUIRED" and unhealthy[0]["status"] == "TARGET_UNHEALTHY"
    # The two reachable targets reported their registration (accountId = the target account).
    assert sorted(e["accountId"] for e in first if e["type"] != "Target Unhealthy") == sorted(
        [ACCOUNT, OTHER]
    )
    assert world.schedule(TARGETS) == [] and world.schedule(TARGETS) == []  # not once per schedule
    world.targets.denied.clear()
    recovered = world.schedule(TARGETS)
    # Its registration is found now, then the recovery is announced (after the scan succeeded).
    assert [(e["type"], e["accountId"]) for e in recovered] == [
        ("Registration Version Denied", MEMBER),
        ("Target Recovered", MEMBER),
    ]
    recovery = recovered[1]
    assert recovery["since"] == unhealthy[0]["since"] and recovery["severity"] == "GOOD_NEWS"
    assert recovery["eventId"] != unhealthy[0]["eventId"]
    assert world.schedule(TARGETS) == []


def test_throttling_is_unhealthy_only_when_persistent() -> None:
    world = World()
    target = TARGETS[0]
    world.targets.registry_for(target).put("reg-1", (1, "REVIEWING", 1))
    world.targets.throttled.add(ACCOUNT)
    assert world.schedule([target]) == [] and world.schedule([target]) == []
    third = world.schedule([target])
    assert [(e["type"], e["reason"], e["consecutiveFailures"]) for e in third] == [
        ("Target Unhealthy", "THROTTLED", 3)
    ]


def test_event_ids_are_deterministic_per_episode() -> None:
    world = World()
    world.targets.denied.add(MEMBER)
    event = world.schedule([TARGETS[1]])[0]
    # The same episode (same target, same start) always has the same id: a re-publish dedupes.
    since = datetime.fromisoformat(str(event["since"]).replace("Z", "+00:00"))
    transition = HealthTransition(HealthChange.UNHEALTHY, "x", "y", "z", since, since, 1)
    assert health_event_id(MEMBER, "us-east-1", HealthChange.UNHEALTHY, transition) == event["eventId"]
