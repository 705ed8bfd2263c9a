"""One target (account, region) per scan unit, with its health kept up to date.

The fan-out hands the scanner one target at a time. For each: get a Registry for the
target (assuming its role may fail: TargetUnreachable), run the full scan of that
account-region under its own lease, cursor, rate limiter and time budget
(regwatch.scan), then record what the outcome says about the target's health and
publish a "Target Unhealthy"/"Target Recovered" event on a change of health, before the
new health is stored (the same order as registration snapshots: nothing is lost, a
retry re-publishes the same eventId).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from regwatch.budget import TimeBudget
from regwatch.errors import PublishFailed, RegwatchError, SnapshotConflict, TargetUnreachable
from regwatch.events import EventContext
from regwatch.health import (
    HealthTransition,
    TargetHealth,
    classify,
    observe_failure,
    observe_success,
)
from regwatch.health_events import build_health_entry
from regwatch.messaging_scan import MessagingWatch
from regwatch.ports import Clock, Publisher, Registry, SnapshotStore
from regwatch.scan import RegionReport, Scanner, ScanOptions
from regwatch.snapshot import RegionKey
from regwatch.targets import ScanTarget


class HealthStore(Protocol):
    def load(self, key: RegionKey) -> TargetHealth: ...

    def save(self, key: RegionKey, health: TargetHealth) -> None:
        """Write if the stored revision is `health.revision`; else SnapshotConflict."""
        ...


@dataclass
class TargetReport:
    target: ScanTarget
    region_report: RegionReport
    health: TargetHealth | None = None
    health_event: dict[str, Any] | None = None  # the published entry's detail type + eventId

    @property
    def unreachable(self) -> bool:
        return isinstance(self.region_report.failure, TargetUnreachable)


def is_healthy(report: RegionReport) -> bool:
    """Completed, or cut short by the time budget after listing something (it resumes next time)."""
    if report.complete:
        return True
    return report.stop_reason == "time budget" and report.skipped is None and report.registrations_listed > 0


class TargetScanner:
    """Scans targets; one instance per invocation is fine (no scan state of its own)."""

    def __init__(
        self,
        *,
        registry_for: Callable[[ScanTarget], Registry],
        store: SnapshotStore,
        health: HealthStore,
        publisher: Publisher,
        clock: Clock,
        options: ScanOptions,
        messaging: MessagingWatch | None = None,
    ) -> None:
        self.registry_for = registry_for
        self.store = store
        self.health = health
        self.publisher = publisher
        self.clock = clock
        self.options = options
        self.messaging = messaging  # RCS launches / Notify configurations, once per listing cycle

    def _scanner(self, target: ScanTarget) -> Scanner:
        registry = self.registry_for(target)  # may raise TargetUnreachable
        return Scanner(
            registry_for=lambda _region: registry,
            store=self.store,
            publisher=self.publisher,
            clock=self.clock,
            options=replace(self.options, account_id=target.account_id),
        )

    def scan(self, target: ScanTarget, budget: TimeBudget, scan_id: str) -> TargetReport:
        """A full scan of one target (the scheduled work item), then its health."""
        try:
            report = self._scanner(target).scan_region(target.region, budget, scan_id)
        except TargetUnreachable as unreachable:
            report = RegionReport(region=target.region, trigger="schedule")
            report.failure = unreachable
            report.stop_reason = f"target unreachable: {unreachable}"
            report.errors.append(report.stop_reason)
        if self.messaging is not None:
            self.messaging.after_scan(target, report, budget)
        result = TargetReport(target, report)
        self.record_health(result)
        return result

    def rescan_registration(self, target: ScanTarget, registration_id: str) -> TargetReport:
        """AWS's native status-change event: rescan one registration of the target at once."""
        try:
            report = self._scanner(target).scan_registration(target.region, registration_id)
        except TargetUnreachable as unreachable:
            report = RegionReport(region=target.region, trigger="registration-status-change")
            report.failure = unreachable
            report.stop_reason = f"target unreachable: {unreachable}"
            report.errors.append(report.stop_reason)
        # Health is decided by full scans only (they hold the target's lease).
        return TargetReport(target, report)

    def _next_health(
        self, report: RegionReport, current: TargetHealth
    ) -> tuple[TargetHealth, HealthTransition | None] | None:
        """The target's new health after this scan; None if the scan says nothing about it."""
        now = self.clock()
        if report.failure is not None:
            failure = classify(report.failure)
            return None if failure is None else observe_failure(current, failure, now)
        if is_healthy(report):
            return observe_success(current, now)
        return None  # e.g. a publish failure: regwatch's problem, not the target's

    def _publish_transition(self, result: TargetReport, transition: HealthTransition) -> bool:
        context = EventContext(
            account_id=result.target.account_id,
            region=result.target.region,
            source=self.options.event_source,
            event_bus_name=self.options.event_bus_name,
        )
        entry = build_health_entry(transition, context)
        try:
            self.publisher.publish([entry])
        except PublishFailed as exc:
            # Keep the old health: the next scan decides (and publishes) again.
            result.region_report.errors.append(f"target health event not published: {exc}")
            return False
        result.health_event = {"detailType": entry["DetailType"], "detail": entry["Detail"]}
        return True

    def record_health(self, result: TargetReport) -> None:
        report = result.region_report
        if report.skipped is not None:
            return  # another scan holds the lease, or no time: says nothing about the target
        try:
            decided = self._next_health(report, self.health.load(result.target.key))
            if decided is None:
                return
            new, transition = decided
            if transition is not None and not self._publish_transition(result, transition):
                return
            self.health.save(result.target.key, new)
        except SnapshotConflict:
            report.errors.append("target health changed meanwhile; the next scan decides again")
            return
        except RegwatchError as exc:
            report.errors.append(f"target health not stored: {exc}")
            return
        result.health = new
