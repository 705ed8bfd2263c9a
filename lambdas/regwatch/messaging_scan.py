"""Watch a target's RCS launches and Notify configurations, once per listing cycle.

Called by regwatch.target_scan after a full scan whose registration listing cycle finished
(so a target is read once per cycle, not once per invocation of a long first scan). The order
is the registrations' one: read everything, diff against the snapshot, publish, and only then
store the snapshot (conditionally on its revision); a crash in between re-publishes the same
event ids next time. Any API or table trouble is reported on the region's report and leaves
the snapshot as it was: the registration scan and the target's health are not affected (a
spoke role without the RCS/Notify read actions only loses this watch).

Call cost per cycle (docs/scanner.md): 1 DescribeRcsAgents per 100 agents, 1
DescribeRcsAgentCountryLaunchStatus per agent per 100 countries, 1 DescribeNotifyConfigurations
per 100 configurations; 2 calls for an account with neither; all under the same per-operation
rate limiter as the registration reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.errors import PublishFailed, RegwatchError, SnapshotConflict
from regwatch.events import EventContext
from regwatch.messaging_events import build_messaging_entry
from regwatch.messaging_resources import (
    MessagingSnapshot,
    MessagingTransition,
    NotifyConfiguration,
    RcsCountryLaunch,
    diff_messaging,
)
from regwatch.ports import Clock, Publisher
from regwatch.scan import RegionReport
from regwatch.severity import Severity, severity_of
from regwatch.snapshot import RegionKey
from regwatch.targets import ScanTarget


class MessagingSource(Protocol):
    """The target's RCS agents and Notify configurations; raises RegistryError subclasses."""

    def rcs_country_launches(self) -> list[RcsCountryLaunch]: ...

    def notify_configurations(self) -> list[NotifyConfiguration]: ...


class MessagingStore(Protocol):
    def load(self, key: RegionKey) -> MessagingSnapshot: ...

    def save(self, key: RegionKey, snapshot: MessagingSnapshot) -> None:
        """Write if the stored revision is `snapshot.revision`; else SnapshotConflict."""
        ...


def _reported(transition: MessagingTransition, baseline_alerts: BaselineAlerts) -> bool:
    if not transition.baseline or baseline_alerts is BaselineAlerts.ALL:
        return True
    if baseline_alerts is BaselineAlerts.NONE:
        return False
    return severity_of(transition.status) is Severity.ACTION_REQUIRED


@dataclass(frozen=True)
class MessagingWatch:
    """Everything one target's RCS/Notify watch needs; one instance serves every target."""

    source_for: Callable[[ScanTarget], MessagingSource]
    store: MessagingStore
    publisher: Publisher
    clock: Clock
    event_source: str
    event_bus_name: str
    baseline_alerts: BaselineAlerts = BaselineAlerts.ACTIONABLE

    def after_scan(self, target: ScanTarget, report: RegionReport, budget: TimeBudget) -> None:
        """Watch the target if this scan finished a listing cycle and time is left (for at least
        the 3 calls of a target with one agent; a larger one may overrun by a few calls)."""
        if not report.listing_complete or report.failure is not None or not budget.allows(3):
            return
        try:
            self.watch(target, report)
        except RegwatchError as exc:
            report.errors.append(f"RCS launches / Notify configurations not watched: {exc}")

    def watch(self, target: ScanTarget, report: RegionReport) -> list[MessagingTransition]:
        source = self.source_for(target)
        launches = source.rcs_country_launches()
        configurations = source.notify_configurations()
        snapshot = self.store.load(target.key)
        transitions, new = diff_messaging(launches, configurations, snapshot, self.clock())
        context = EventContext(target.account_id, target.region, self.event_source, self.event_bus_name)
        published = [t for t in transitions if _reported(t, self.baseline_alerts)]
        if published:
            try:
                self.publisher.publish([build_messaging_entry(t, context) for t in published])
            except PublishFailed as exc:
                report.errors.append(f"RCS/Notify events not published (retried next cycle): {exc}")
                return []
        for transition in published:
            report.transitions[f"{transition.kind.value}:{transition.status}"] += 1
        report.events_published += len(published)
        if (
            transitions
            or new.launches.keys() != snapshot.launches.keys()
            or (new.configurations.keys() != snapshot.configurations.keys())
        ):
            try:
                self.store.save(target.key, new)
            except SnapshotConflict:
                report.errors.append("RCS/Notify snapshot changed meanwhile; the next cycle decides again")
        return published
