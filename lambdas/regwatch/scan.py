"""One scan: what to fetch, what to emit, what to store, within a call and time budget.

Per registration the order is fixed: read its versions, diff against the snapshot,
publish the events, and only then write the snapshot (conditionally, on its revision).
A crash in between re-emits the same event ids next time; nothing is lost. Stopping
early (time budget, API trouble) leaves unprocessed registrations looking exactly as
changed/new/due as before, so the next scan carries on where this one stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts, diff_deleted, diff_registration
from regwatch.errors import (
    PublishFailed,
    RegistrationNotFound,
    RegistryError,
    RegistryRejected,
    SnapshotConflict,
)
from regwatch.events import EventContext, build_entry
from regwatch.model import RegistrationSummary, Transition
from regwatch.plan import FetchReason, plan_fetches
from regwatch.ports import Clock, Publisher, Registry, SnapshotStore
from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    account_id: str
    event_source: str
    event_bus_name: str
    baseline_alerts: BaselineAlerts = BaselineAlerts.ACTIONABLE
    reconcile_period: timedelta = timedelta(hours=24)
    # A snapshot write that loses a race is retried this often (re-read, re-diff).
    max_conflict_retries: int = 3


@dataclass
class RegionReport:
    """What one scan did in one region; the handler turns it into metrics and a summary."""

    region: str
    trigger: str
    complete: bool = False
    resumed: bool = False
    baseline: bool = False
    skipped: str | None = None
    stop_reason: str | None = None
    registrations_listed: int = 0
    registrations_read: int = 0
    versions_read: int = 0
    reads_by_reason: Counter[str] = field(default_factory=Counter)
    deleted: int = 0
    transitions: Counter[str] = field(default_factory=Counter)
    events_published: int = 0
    snapshots_written: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def transition_count(self) -> int:
        return sum(self.transitions.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "trigger": self.trigger,
            "complete": self.complete,
            "resumed": self.resumed,
            "baseline": self.baseline,
            "skipped": self.skipped,
            "stopReason": self.stop_reason,
            "registrationsListed": self.registrations_listed,
            "registrationsRead": self.registrations_read,
            "versionsRead": self.versions_read,
            "readsByReason": dict(self.reads_by_reason),
            "deleted": self.deleted,
            "transitions": self.transition_count,
            "transitionsByStatus": dict(self.transitions),
            "eventsPublished": self.events_published,
            "snapshotsWritten": self.snapshots_written,
            "conflicts": self.conflicts,
            "errors": list(self.errors),
        }


def _transition_label(transition: Transition) -> str:
    # Registration-level statuses (COMPLETE, REQUIRES_UPDATES…) are a separate vocabulary.
    if transition.registration_change is not None:
        return f"REGISTRATION_{transition.registration_change.value}:{transition.status}"
    return transition.status


class _RegionScan:
    """The per-registration work of one scan of one account-region."""

    def __init__(
        self,
        *,
        key: RegionKey,
        registry: Registry,
        store: SnapshotStore,
        publisher: Publisher,
        clock: Clock,
        options: ScanOptions,
        has_baseline: bool,
        report: RegionReport,
    ) -> None:
        self.key = key
        self.registry = registry
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.options = options
        self.has_baseline = has_baseline
        self.report = report
        self.context = EventContext(
            account_id=key.account_id,
            region=key.region,
            source=options.event_source,
            event_bus_name=options.event_bus_name,
        )

    def _publish(self, transitions: Sequence[Transition]) -> bool:
        if not transitions:
            return True
        entries = [build_entry(t, self.context) for t in transitions]
        try:
            published = self.publisher.publish(entries)
        except PublishFailed as exc:
            self.report.errors.append(f"publish: {exc}")
            return False
        self.report.events_published += published
        self.report.transitions.update(_transition_label(t) for t in transitions)
        return True

    def process(self, summary: RegistrationSummary, snapshot: RegistrationSnapshot | None) -> bool:
        """Read, diff, publish, write one registration. False if it must be retried later.

        Registry errors other than "not found" propagate: the caller stops the scan.
        """
        registration_id = summary.registration_id
        for _ in range(self.options.max_conflict_retries + 1):
            try:
                versions = self.registry.list_versions(registration_id)
            except RegistrationNotFound:
                # Deleted between listing and now: the next full scan tombstones it.
                return True
            self.report.registrations_read += 1
            self.report.versions_read += len(versions)
            first_sighting = snapshot is None or snapshot.is_tombstone
            baseline = self.options.baseline_alerts if first_sighting and not self.has_baseline else None
            diff = diff_registration(snapshot, summary, versions, self.clock(), baseline=baseline)
            if not self._publish(diff.transitions):
                return False
            try:
                self.store.save_registration(
                    self.key, diff.snapshot, expected_revision=snapshot.revision if snapshot else None
                )
            except SnapshotConflict:
                # Another scan wrote this registration since we read it. Its data may be
                # newer than ours: re-read both sides and diff again. Events we already
                # published carry deterministic ids, so consumers drop repeats.
                self.report.conflicts += 1
                snapshot = self.store.load_registration(self.key, registration_id)
                fresh = self.registry.describe_registrations([registration_id])
                if not fresh:
                    return True
                summary = fresh[0]
                continue
            self.report.snapshots_written += 1
            return True
        self.report.errors.append(f"{registration_id}: snapshot kept conflicting")
        return False

    def tombstone(self, snapshot: RegistrationSnapshot) -> bool:
        current: RegistrationSnapshot | None = snapshot
        for _ in range(self.options.max_conflict_retries + 1):
            if current is None or current.is_tombstone:
                return True
            diff = diff_deleted(current, self.clock())
            if not self._publish(diff.transitions):
                return False
            try:
                self.store.save_registration(self.key, diff.snapshot, expected_revision=current.revision)
            except SnapshotConflict:
                self.report.conflicts += 1
                current = self.store.load_registration(self.key, current.registration_id)
                continue
            self.report.deleted += 1
            self.report.snapshots_written += 1
            return True
        self.report.errors.append(f"{snapshot.registration_id}: tombstone kept conflicting")
        return False


def _list_all(
    registry: Registry, budget: TimeBudget, report: RegionReport
) -> tuple[list[RegistrationSummary], bool]:
    summaries: list[RegistrationSummary] = []
    seen: set[str] = set()
    next_token: str | None = None
    while True:
        if not budget.allows():
            report.stop_reason = "time budget"
            return summaries, False
        page = registry.list_registrations(next_token)
        for summary in page.registrations:
            # Pages of a changing list can overlap; one registration is handled once.
            if summary.registration_id not in seen:
                seen.add(summary.registration_id)
                summaries.append(summary)
        next_token = page.next_token
        if not next_token:
            report.registrations_listed = len(summaries)
            return summaries, True


class Scanner:
    """Runs scans against the ports; one instance per invocation is fine, it holds no scan state."""

    def __init__(
        self,
        *,
        registry_for: Callable[[str], Registry],
        store: SnapshotStore,
        publisher: Publisher,
        clock: Clock,
        options: ScanOptions,
    ) -> None:
        self.registry_for = registry_for
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.options = options

    def _work(self, region: str, has_baseline: bool, report: RegionReport) -> _RegionScan:
        return _RegionScan(
            key=RegionKey(self.options.account_id, region),
            registry=self.registry_for(region),
            store=self.store,
            publisher=self.publisher,
            clock=self.clock,
            options=self.options,
            has_baseline=has_baseline,
            report=report,
        )

    def scan_regions(self, regions: Sequence[str], budget: TimeBudget, scan_id: str) -> list[RegionReport]:
        """Full scans of several regions, least recently scanned first, sharing one time budget.

        The ordering keeps a region from starving when the budget never covers them all.
        """
        account = self.options.account_id
        states = {region: self.store.load_state(RegionKey(account, region)) for region in regions}
        ordered = sorted(regions, key=lambda r: states[r].last_scan_started_at or _NEVER)
        reports: list[RegionReport] = []
        for region in ordered:
            if not budget.allows():
                skipped = RegionReport(region=region, trigger="schedule", skipped="time budget")
                skipped.stop_reason = "time budget"
                reports.append(skipped)
                continue
            reports.append(self.scan_region(region, budget, scan_id))
        return reports

    def scan_region(self, region: str, budget: TimeBudget, scan_id: str) -> RegionReport:
        """A full scan of one account-region (the scheduled trigger)."""
        key = RegionKey(self.options.account_id, region)
        report = RegionReport(region=region, trigger="schedule")
        started = self.clock()
        lease_until = started + timedelta(seconds=min(budget.remaining(), 24 * 3600.0))
        state = self.store.acquire_lease(key, scan_id, started, lease_until)
        if state is None:
            report.skipped = "another full scan of this region holds the lease"
            return report
        report.resumed = state.incomplete
        report.baseline = not state.has_baseline
        complete = False
        try:
            complete = self._scan_leased(self._work(region, state.has_baseline, report), budget, state)
        finally:
            finished = self.clock()
            new_state = ScanState(
                baseline_completed_at=state.baseline_completed_at or (finished if complete else None),
                last_scan_started_at=started,
                last_scan_completed_at=finished if complete else state.last_scan_completed_at,
                last_scan_id=scan_id,
                incomplete=not complete,
            )
            report.complete = complete
            try:
                self.store.release_lease(key, scan_id, new_state)
            except SnapshotConflict:
                # Our lease expired and another scan took over: its state wins.
                report.complete = False
                report.errors.append("lease lost before the scan state was written")
        return report

    def _scan_leased(self, work: _RegionScan, budget: TimeBudget, state: ScanState) -> bool:
        report = work.report
        try:
            snapshots = self.store.load_registrations(work.key)
            summaries, listed_all = _list_all(work.registry, budget, report)
            plan = plan_fetches(
                summaries,
                snapshots,
                now=self.clock(),
                previous_scan_started_at=state.last_scan_started_at,
                reconcile_period=self.options.reconcile_period,
                capacity=budget.call_capacity(),
            )
            all_done = listed_all
            for fetch in plan:
                if not budget.allows():
                    report.stop_reason = "time budget"
                    return False
                done = work.process(fetch.summary, fetch.snapshot)
                if done:
                    report.reads_by_reason[fetch.reason.value] += 1
                all_done = all_done and done
            if not listed_all:
                return False
            listed_ids = {s.registration_id for s in summaries}
            for snapshot in snapshots.values():
                if snapshot.registration_id not in listed_ids and not snapshot.is_tombstone:
                    all_done = work.tombstone(snapshot) and all_done
            return all_done
        except RegistryRejected as exc:
            report.stop_reason = f"api rejected the request: {exc}"
            report.errors.append(report.stop_reason)
            return False
        except RegistryError as exc:
            # Throttling or 5xx beyond the SDK's retries: stop cleanly, resume next time.
            report.stop_reason = f"api unavailable: {type(exc).__name__}: {exc}"
            return False

    def scan_registration(self, region: str, registration_id: str) -> RegionReport:
        """Rescan one registration at once (AWS's native status-change event)."""
        key = RegionKey(self.options.account_id, region)
        report = RegionReport(region=region, trigger="registration-status-change")
        state = self.store.load_state(key)
        report.baseline = not state.has_baseline
        work = self._work(region, state.has_baseline, report)
        not_found = "registration not found; the next full scan records a deletion"
        try:
            found = work.registry.describe_registrations([registration_id])
            if not found:
                report.skipped = not_found
                report.complete = True
                return report
            report.registrations_listed = len(found)
            done = work.process(found[0], self.store.load_registration(key, registration_id))
            if done:
                report.reads_by_reason[FetchReason.CHANGED.value] += 1
            report.complete = done
        except RegistrationNotFound:
            report.skipped = not_found
            report.complete = True
        except RegistryError as exc:
            report.stop_reason = f"api unavailable: {type(exc).__name__}: {exc}"
        return report
