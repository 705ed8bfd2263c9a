"""One scan of an account-region: list every registration within a call and time budget.

Stopping early (time budget, API trouble) leaves unprocessed registrations looking exactly
as changed/new/due as before, and the listing position is kept in the region's scan state,
so the next scan carries on where this one stopped (docs/scanner.md, "Resume"). What one
registration costs is regwatch/region_scan.py; what a complete cycle deletes (or holds) is
regwatch/deletions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import replace
from datetime import timedelta

from regwatch.budget import TimeBudget
from regwatch.deletions import (
    UNIDENTIFIED,
    DeletionState,
    ListingCycle,
    apply_confirmed,
    settle_deletions,
)
from regwatch.diff import BaselineAlerts
from regwatch.errors import (
    InvalidNextToken,
    MalformedRegistration,
    RegistrationNotFound,
    RegistryError,
    RegistryRejected,
    RegwatchError,
    SnapshotConflict,
)
from regwatch.listing_cycle import ListingCycleProgress, belongs_to, unprocessed
from regwatch.listing_policy import IN_FLIGHT_STATUSES, ListingMode, choose_listing
from regwatch.model import RegistrationSummary
from regwatch.plan import FetchReason, fetch_reason, reconcile_targets
from regwatch.ports import Clock, MalformedItem, Publisher, RegistrationPage, Registry, SnapshotStore
from regwatch.region_scan import RegionScan, ScanOptions
from regwatch.scan_report import RegionReport
from regwatch.snapshot import ListingCursor, PlanEntry, RegionKey, ScanState
from regwatch.triage import may_need_person, may_read_pending

# Importers name these from here (the scanner handler, target_scan, the tests).
__all__ = ["PAGE_SIZE", "UNIDENTIFIED", "RegionReport", "RegionScan", "ScanOptions", "Scanner"]

PAGE_SIZE = 100  # DescribeRegistrations' maximum; used to estimate the listing's calls


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

    def _work(self, region: str, has_baseline: bool, report: RegionReport) -> RegionScan:
        return RegionScan(
            key=RegionKey(self.options.account_id, region),
            registry=self.registry_for(region),
            store=self.store,
            publisher=self.publisher,
            clock=self.clock,
            options=self.options,
            has_baseline=has_baseline,
            report=report,
        )

    def scan_region(self, region: str, budget: TimeBudget, scan_id: str) -> RegionReport:
        """A scheduled scan of one account-region: a full listing, or only what is in flight.

        A full scan continues the region's listing cycle where the previous one stopped and
        completes when it lists the cycle's last page with every registration processed.
        While AWS's native events are known to flow for the target, the schedules between
        full listings list only registrations in flight (regwatch/listing_policy.py).
        """
        key = RegionKey(self.options.account_id, region)
        report = RegionReport(region=region, trigger="schedule")
        started = self.clock()
        lease_until = started + timedelta(seconds=min(budget.remaining(), 24 * 3600.0))
        state = self.store.acquire_lease(key, scan_id, started, lease_until)
        if state is None:
            report.skipped = "another full scan of this region holds the lease"
            return report
        decision = choose_listing(state, started, self.options.listing)
        report.listing_mode, report.listing_reason = decision.mode.value, decision.reason
        report.listing_fallback = decision.fallback
        if decision.mode is ListingMode.IN_FLIGHT:
            return self._scan_in_flight(key, state, budget, scan_id, report)
        report.resumed = state.incomplete or state.cursor is not None
        report.baseline = not state.has_baseline
        listing = ListingCycleProgress.continuing(
            state.cursor, scan_id, started, self.options.max_listing_cycle_age
        )
        report.listing_cycle_id = listing.cycle_id
        complete = False
        deletions = DeletionState(state.held)
        try:
            work = self._work(region, state.has_baseline, report)
            complete = self._guarded(
                report, lambda: self._list_fully(work, budget, state, listing, deletions)
            )
        finally:
            finished = self.clock()
            new_state = ScanState(
                baseline_completed_at=state.baseline_completed_at or (finished if complete else None),
                last_scan_started_at=started,
                last_scan_completed_at=finished if complete else state.last_scan_completed_at,
                last_scan_id=scan_id,
                incomplete=not complete,
                cursor=self._cursor_to_keep(key, scan_id, state, listing, report),
                held=deletions.held,
                unannounced_change_at=state.unannounced_change_at,
            )
            report.complete = complete
            self._release(key, scan_id, new_state, report)
        return report

    def _scan_in_flight(
        self, key: RegionKey, state: ScanState, budget: TimeBudget, scan_id: str, report: RegionReport
    ) -> RegionReport:
        """List only registrations in flight and read what changed; nothing else is touched.

        No deletions (the listing is partial by design), no reconciliation or first reads
        (the full listings pace those), and the full cycle's bookkeeping stays as it was.
        """
        complete = False
        try:
            complete = self._guarded(
                report, lambda: self._list_in_flight(self._work(key.region, True, report), budget)
            )
        finally:
            report.complete = complete
            self._release(key, scan_id, replace(state, last_scan_id=scan_id), report)
        return report

    def _list_in_flight(self, work: RegionScan, budget: TimeBudget) -> bool:
        report = work.report
        planning = self.store.load_plan(work.key)
        report.planning_full_items_because = planning.full_items_because
        snapshots = planning.entries
        listed: set[str] = set()
        token: str | None = None
        all_done = True
        while True:
            if not budget.allows():
                report.stop_reason = "time budget"
                return False
            page = work.registry.list_registrations(token, statuses=IN_FLIGHT_STATUSES)
            report.listing_pages += 1
            for bad in page.malformed:
                report.record_malformed(bad)
            for summary in page.registrations:
                if summary.registration_id in listed or not belongs_to(summary, work.key):
                    continue
                listed.add(summary.registration_id)
                report.registrations_listed += 1
                snapshot = snapshots.get(summary.registration_id)
                reason = fetch_reason(summary, snapshot, frozenset())
                done = self._read(work, budget, summary, snapshot, reason, reconcile=frozenset())
                if done is None:
                    report.stop_reason = "time budget"
                    return False
                all_done = all_done and done
            token = page.next_token
            if not token:
                return all_done

    def _release(self, key: RegionKey, scan_id: str, state: ScanState, report: RegionReport) -> None:
        """Store the scan state and give the lease up; a listing that found a status change no
        native event announced (full or in-flight) records when (regwatch/listing_policy.py)."""
        if report.unannounced_changes:
            state = replace(state, unannounced_change_at=self.clock())
        try:
            self.store.release_lease(key, scan_id, state)
        except SnapshotConflict:
            # Our lease expired and another scan took over: its state wins.
            report.complete = False
            report.errors.append("lease lost before the scan state was written")

    def _cursor_to_keep(
        self,
        key: RegionKey,
        scan_id: str,
        state: ScanState,
        listing: ListingCycleProgress,
        report: RegionReport,
    ) -> ListingCursor | None:
        """The cursor to store; an unfinished cycle first saves which ids this scan listed.

        Deletions are decided from those ids when the cycle ends. If they cannot be saved,
        the old cursor stays: the next scan lists these pages again rather than lose them.
        """
        cursor = listing.cursor()
        if cursor is None or not listing.listed:
            return cursor
        try:
            self.store.save_listed_ids(key, listing.cycle_id, scan_id, listing.listed)
        except RegwatchError as exc:
            report.errors.append(f"listing progress not saved: {exc}")
            return state.cursor
        return cursor

    def _guarded(self, report: RegionReport, run: Callable[[], bool]) -> bool:
        """`run()`; an API error stops the scan cleanly (recorded on the report), to resume next time."""
        try:
            return run()
        except RegistryRejected as exc:
            report.stop_reason = f"api rejected the request: {exc}"
            report.errors.append(report.stop_reason)
            report.failure = exc
            return False
        except RegistryError as exc:
            # Throttling or 5xx beyond the SDK's retries: stop cleanly, resume next time.
            report.stop_reason = f"api unavailable: {type(exc).__name__}: {exc}"
            report.failure = exc
            return False

    def _list_fully(
        self,
        work: RegionScan,
        budget: TimeBudget,
        state: ScanState,
        listing: ListingCycleProgress,
        deletions: DeletionState,
    ) -> bool:
        report = work.report
        planning = self.store.load_plan(work.key)
        report.planning_full_items_because = planning.full_items_because
        snapshots = planning.entries
        if deletions.held is not None and not apply_confirmed(work, snapshots, deletions):
            return False
        live = sum(1 for s in snapshots.values() if not s.is_tombstone)
        pending = sum(1 for s in snapshots.values() if s.first_read_pending and not s.is_tombstone)
        listing.expected_pages = -(-live // PAGE_SIZE)
        list_calls = max(1, listing.expected_pages - listing.pages)
        reconcile = set(
            reconcile_targets(
                snapshots,
                now=self.clock(),
                previous_scan_started_at=state.last_scan_started_at,
                reconcile_period=self.options.reconcile_period,
                # Never-read stubs come first: re-reading what was read a day ago waits.
                capacity=budget.call_capacity() - list_calls - pending,
            )
        )
        all_done = True
        while not listing.finished:
            if not budget.allows():
                report.stop_reason = "time budget"
                return False
            try:
                page = work.registry.list_registrations(listing.next_token)
            except InvalidNextToken:
                if listing.next_token is None or report.listing_restarts:
                    raise
                # Expired (or from an older API): list again from page 1 within the same
                # cycle. What this cycle already processed looks unchanged, so costs only
                # its list calls.
                report.listing_restarts += 1
                listing.next_token, listing.after_id = None, None
                continue
            listing.pages += 1
            report.listing_pages += 1
            page_done = self._process_page(
                work=work,
                budget=budget,
                page=page,
                listing=listing,
                snapshots=snapshots,
                reconcile=reconcile,
            )
            if page_done is None:
                report.stop_reason = "time budget"
                return False
            all_done = all_done and page_done
            listing.next_token, listing.after_id = page.next_token, None
            listing.finished = not page.next_token
        report.listing_complete = True
        listed = set(listing.listed)
        if listing.resumed:
            listed |= self.store.load_listed_ids(work.key, listing.cycle_id)
        cycle = ListingCycle(listing.cycle_id, listing.started_at, frozenset(listed))
        return settle_deletions(work, snapshots, cycle, deletions) and all_done

    def _process_page(
        self,
        *,
        work: RegionScan,
        budget: TimeBudget,
        page: RegistrationPage,
        listing: ListingCycleProgress,
        snapshots: dict[str, PlanEntry],
        reconcile: set[str],
    ) -> bool | None:
        """Process one listed page in page order; None if the time budget stopped it.

        `listing.after_id` follows the last registration fully processed, so a stop in the
        middle of the page resumes right after it.
        """
        report = work.report
        for bad in page.malformed:
            listing.listed.add(bad.registration_id or UNIDENTIFIED)
            report.record_malformed(bad)
        all_done = True
        for summary in unprocessed(page.registrations, listing.after_id):
            registration_id = summary.registration_id
            if registration_id in listing.listed:
                continue  # pages of a changing list can overlap: handle it once
            if not belongs_to(summary, work.key):
                # Another Region's or account's registration (a misdirected endpoint): not
                # ours to discover; what it hides from the listing the flood guard holds.
                report.foreign += 1
                listing.after_id = registration_id
                continue
            snapshot = snapshots.get(registration_id)
            reason = fetch_reason(summary, snapshot, reconcile)
            if reason is FetchReason.NEW and snapshot is None and self._defers(work, summary):
                work.defer_first_read(summary)
                reason = None
            elif reason is FetchReason.FIRST_READ and not may_read_pending(
                reads_this_scan=report.registrations_read,
                lists_this_scan=report.listing_pages,
                capacity=budget.call_capacity(),
                lists_left=max(0, listing.expected_pages - listing.pages),
            ):
                reason = None
            done = self._read(work, budget, summary, snapshot, reason, reconcile=reconcile)
            if done is None:
                return None
            all_done = all_done and done
            listing.listed.add(registration_id)
            report.registrations_listed += 1
            listing.after_id = registration_id
        return all_done

    def _read(
        self,
        work: RegionScan,
        budget: TimeBudget,
        summary: RegistrationSummary,
        entry: PlanEntry | None,
        reason: FetchReason | None,
        *,
        reconcile: Set[str],
    ) -> bool | None:
        """Read one listed registration if `reason` says so: True done, False retry later,
        None no time left (nothing done)."""
        if reason is None:
            return True
        if not budget.allows():
            return None
        return work.process_planned(summary, entry, reason, reconcile)

    def _defers(self, work: RegionScan, summary: RegistrationSummary) -> bool:
        """A new registration of the baseline whose summary shows it settled waits (triage.py).

        Only with `baselineAlerts: actionable`, where a settled registration has nothing to
        report: `all` reports every version of every registration, and with `none` a change
        the summary hides before the first read would pass unreported.
        """
        if not self.options.triage_baseline or self.options.baseline_alerts is not BaselineAlerts.ACTIONABLE:
            return False
        return not work.has_baseline and not may_need_person(summary)

    def scan_registration(self, region: str, registration_id: str) -> RegionReport:
        """Rescan one registration at once (AWS's native status-change event)."""
        key = RegionKey(self.options.account_id, region)
        report = RegionReport(region=region, trigger="registration-status-change")
        try:
            self.store.record_native_event(key, self.clock())
        except RegwatchError as exc:
            # Only adaptive listing misses it: the target lists fully a little longer.
            report.errors.append(f"native event not recorded: {exc}")
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
        except MalformedRegistration as bad:
            report.record_malformed(
                MalformedItem(bad.registration_id or registration_id, bad.field, bad.problem)
            )
        except RegistryError as exc:
            report.stop_reason = f"api unavailable: {type(exc).__name__}: {exc}"
            report.failure = exc
        return report
