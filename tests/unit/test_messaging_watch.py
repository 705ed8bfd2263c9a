"""The RCS/Notify watch's order and conditions (regwatch.messaging_scan), on in-memory ports.

Read once per finished listing cycle; publish before storing; a failed publish keeps the old
snapshot (the next cycle publishes the same event ids again); baseline per BASELINE_ALERTS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.errors import PublishFailed
from regwatch.messaging_resources import MessagingSnapshot, NotifyConfiguration, RcsCountryLaunch
from regwatch.messaging_scan import MessagingWatch
from regwatch.scan import RegionReport
from regwatch.snapshot import RegionKey
from regwatch.targets import ScanTarget

TARGET = ScanTarget("123456789012", "us-east-1")
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


@dataclass
class Source:
    launches: list[RcsCountryLaunch] = field(default_factory=list)
    configurations: list[NotifyConfiguration] = field(default_factory=list)
    reads: int = 0

    def rcs_country_launches(self) -> list[RcsCountryLaunch]:
        self.reads += 1
        return list(self.launches)

    def notify_configurations(self) -> list[NotifyConfiguration]:
        return list(self.configurations)


@dataclass
class Store:
    saved: dict[RegionKey, MessagingSnapshot] = field(default_factory=dict)

    def load(self, key: RegionKey) -> MessagingSnapshot:
        return self.saved.get(key, MessagingSnapshot())

    def save(self, key: RegionKey, snapshot: MessagingSnapshot) -> None:
        self.saved[key] = MessagingSnapshot(
            snapshot.launches, snapshot.configurations, (snapshot.revision or 0) + 1
        )


@dataclass
class Bus:
    fail: bool = False
    entries: list[Mapping[str, Any]] = field(default_factory=list)

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        if self.fail:
            raise PublishFailed("bus down", len(entries))
        self.entries.extend(entries)
        return len(entries)


def _watch(source: Source, store: Store, bus: Bus, baseline: BaselineAlerts) -> MessagingWatch:
    return MessagingWatch(lambda _: source, store, bus, lambda: NOW, "regwatch", "bus", baseline)


def _report(complete: bool = True) -> RegionReport:
    report = RegionReport(region=TARGET.region, trigger="schedule")
    report.listing_complete = complete
    return report


def test_only_a_finished_listing_cycle_reads_the_resources() -> None:
    source, store, bus = Source(), Store(), Bus()
    watch = _watch(source, store, bus, BaselineAlerts.ALL)
    watch.after_scan(TARGET, _report(complete=False), TimeBudget.unlimited())
    assert source.reads == 0
    watch.after_scan(TARGET, _report(), TimeBudget.unlimited())
    assert source.reads == 1


def test_a_failed_publish_keeps_the_old_snapshot_and_the_next_cycle_publishes_the_same_ids() -> None:
    source = Source(configurations=[NotifyConfiguration("notify-1", "arn", "OTP", "PENDING")])
    store, bus = Store(), Bus()
    watch = _watch(source, store, bus, BaselineAlerts.NONE)
    watch.after_scan(TARGET, _report(), TimeBudget.unlimited())
    assert bus.entries == [] and store.load(TARGET.key).revision == 1, "baseline stored, not announced"
    source.configurations = [NotifyConfiguration("notify-1", "arn", "OTP", "REJECTED", "Website unclear")]
    bus.fail = True
    failed = _report()
    watch.after_scan(TARGET, failed, TimeBudget.unlimited())
    assert store.load(TARGET.key).revision == 1 and any("not published" in e for e in failed.errors)
    bus.fail = False
    published = _report()
    watch.after_scan(TARGET, published, TimeBudget.unlimited())
    [entry] = bus.entries
    assert entry["DetailType"] == "Notify Configuration Status Change"
    assert published.events_published == 1
    assert published.transitions == {"NOTIFY_CONFIGURATION:REJECTED": 1}
    assert store.load(TARGET.key).revision == 2


def test_actionable_baseline_announces_only_what_needs_a_human() -> None:
    source = Source(
        launches=[RcsCountryLaunch("rcs-a", "arn", "US", "PARTIAL", None, {"AT&T": "ACTIVE"})],
        configurations=[NotifyConfiguration("notify-1", "arn", "OTP", "REQUIRES_VERIFICATION")],
    )
    bus = Bus()
    _watch(source, Store(), bus, BaselineAlerts.ACTIONABLE).after_scan(
        TARGET, _report(), TimeBudget.unlimited()
    )
    assert [e["DetailType"] for e in bus.entries] == ["Notify Configuration Status Change"]
