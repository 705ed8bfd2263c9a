"""One scan: what to fetch, what to emit, what to store, within a call and time budget.

Per registration the order is fixed: read its versions, diff against the snapshot,
publish the events, and only then write the snapshot (conditionally, on its revision).
A crash in between re-emits the same event ids next time; nothing is lost. Stopping
early (time budget, API trouble) leaves unprocessed registrations looking exactly as
changed/new/due as before, and the listing position is kept in the region's scan state,
so the next scan carries on where this one stopped (docs/scanner.md, "Resume").

One registration whose answer cannot be read (MalformedRegistration) is skipped and
reported; its snapshot stays as it was, so every later scan tries it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts, RegistrationDiff, diff_deleted, diff_registration
from regwatch.errors import (
    InvalidNextToken,
    MalformedRegistration,
    PublishFailed,
    RegistrationNotFound,
    RegistryError,
    RegistryRejected,
    RegwatchError,
    SnapshotConflict,
)
from regwatch.events import EventContext, build_entry
from regwatch.model import RegistrationProfile, RegistrationSummary, RegistrationVersion, Transition
from regwatch.plan import FetchReason, fetch_reason, reconcile_targets
from regwatch.ports import (
    Clock,
    MalformedItem,
    ProfileSource,
    Publisher,
    RegistrationPage,
    Registry,
    SnapshotStore,
)
from regwatch.profile import ProfileReads, choose_name, flagged_fields, name_from_fields, reads_for
from regwatch.snapshot import ListingCursor, RegionKey, RegistrationSnapshot, ScanState

PAGE_SIZE = 100  # DescribeRegistrations' maximum; used to estimate the listing's calls
# Stands for a listed item whose RegistrationId was unreadable: while a cycle holds one,
# no deletion can be decided (that item may be any of the registrations not listed).
UNIDENTIFIED = "?unidentified"


@dataclass(frozen=True, slots=True)
class ScanOptions:
    account_id: str
    event_source: str
    event_bus_name: str
    baseline_alerts: BaselineAlerts = BaselineAlerts.ACTIONABLE
    reconcile_period: timedelta = timedelta(hours=24)
    # A snapshot write that loses a race is retried this often (re-read, re-diff).
    max_conflict_retries: int = 3
    # An unfinished listing cycle older than this starts over: the ids its earlier scans
    # saved expire (the store keeps them 3 days), and deletions need all of them.
    max_listing_cycle_age: timedelta = timedelta(days=2)


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
    # Registrations skipped because a value of their answer could not be read.
    malformed: list[MalformedItem] = field(default_factory=list)
    listing_cycle_id: str | None = None
    listing_pages: int = 0  # DescribeRegistrations pages of the cycle listed in this scan
    listing_complete: bool = False  # this scan listed the last page of its cycle
    listing_restarts: int = 0  # the NextToken was refused: the cycle restarted from page 1
    # The API (or STS) error that stopped the scan, for the target's health (regwatch.health).
    failure: RegwatchError | None = None
    # Names / associations / field feedback (regwatch/profile.py): reads made, reads failed.
    profile_reads: Counter[str] = field(default_factory=Counter)
    profile_read_failures: int = 0

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
            "malformed": len(self.malformed),
            "profileReads": dict(self.profile_reads),
            "profileReadFailures": self.profile_read_failures,
            "listing": {
                "cycleId": self.listing_cycle_id,
                "pages": self.listing_pages,
                "complete": self.listing_complete,
                "restarts": self.listing_restarts,
            },
        }

    def record_malformed(self, item: MalformedItem) -> None:
        self.malformed.append(item)
        self.errors.append(f"malformed registration {item.registration_id}: {item.field}: {item.problem}")


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

        A malformed answer is recorded and skipped (True: the scan goes on; the untouched
        snapshot makes the next scan try again). Other registry errors than "not found"
        propagate: the caller stops the scan.
        """
        try:
            return self._process(summary, snapshot)
        except MalformedRegistration as bad:
            registration_id = bad.registration_id or summary.registration_id
            self.report.record_malformed(MalformedItem(registration_id, bad.field, bad.problem))
            return True

    def _process(self, summary: RegistrationSummary, snapshot: RegistrationSnapshot | None) -> bool:
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
            diff = self._with_profile(summary, versions, snapshot, diff)
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

    def _with_profile(
        self,
        summary: RegistrationSummary,
        versions: Sequence[RegistrationVersion],
        snapshot: RegistrationSnapshot | None,
        diff: RegistrationDiff,
    ) -> RegistrationDiff:
        """Name, impact and field feedback on the transitions and in the new snapshot.

        Read only when the change calls for it (regwatch/profile.py). A read that fails
        (throttled beyond retries, not allowed) leaves the last known profile: the alert
        goes out with the id instead of the name rather than not at all.
        """
        previous = snapshot.profile if snapshot is not None and not snapshot.is_tombstone else None
        profile = previous
        source = self.registry if isinstance(self.registry, ProfileSource) else None
        current = next((v for v in versions if v.version_number == summary.current_version_number), None)
        reads = reads_for(previous, summary, current.status if current else None, diff.transitions)
        if source is not None and reads.any:
            try:
                profile = self._read_profile(source, summary, previous, reads)
            except RegistryError as exc:
                self.report.profile_read_failures += 1
                self.report.errors.append(f"{summary.registration_id}: name/impact not read: {exc}")
        if profile is None:
            return diff
        return RegistrationDiff(
            tuple(replace(t, profile=profile) for t in diff.transitions),
            replace(diff.snapshot, profile=profile),
        )

    def _read_profile(
        self,
        source: ProfileSource,
        summary: RegistrationSummary,
        previous: RegistrationProfile | None,
        reads: ProfileReads,
    ) -> RegistrationProfile:
        profile = previous or RegistrationProfile()
        registration_id = summary.registration_id
        values = None
        if reads.field_values_version is not None:
            values = source.field_values(registration_id, reads.field_values_version)
            self.report.profile_reads["DescribeRegistrationFieldValues"] += 1
        if reads.name_from_version is not None and values is not None:
            # The form's name costs nothing more (its values are read anyway); the Name tag
            # is one more call, made only when the form has no name.
            name: str | None
            name_source: str | None
            from_form = name_from_fields(summary.registration_type, values)
            if from_form is not None:
                name, name_source = from_form
            else:
                tag = source.name_tag(summary.registration_arn)
                self.report.profile_reads["ListTagsForResource"] += 1
                name, name_source = choose_name(tag, summary.registration_type, ())
            profile = replace(
                profile,
                name=name or profile.name,
                name_source=name_source if name else profile.name_source,
                fields_version=reads.name_from_version,
            )
        if reads.feedback_from_version is not None and values is not None:
            profile = replace(
                profile,
                field_feedback_version=reads.feedback_from_version,
                field_feedback=flagged_fields(values),
            )
        if reads.associations:
            listed = source.associations(registration_id)
            self.report.profile_reads["ListRegistrationAssociations"] += 1
            profile = replace(
                profile,
                associations=listed.associations,
                association_count=listed.count,
                association_count_at_least=not listed.complete,
                associations_read=True,
            )
        return profile

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


@dataclass
class _Listing:
    """Progress of the region's listing cycle within one scan (saved in the scan state)."""

    cycle_id: str
    started_at: datetime
    next_token: str | None
    after_id: str | None
    pages: int
    resumed: bool  # the cycle began in an earlier invocation
    finished: bool = False
    listed: set[str] = field(default_factory=set)

    @classmethod
    def continuing(
        cls, cursor: ListingCursor | None, scan_id: str, now: datetime, max_age: timedelta
    ) -> _Listing:
        if cursor is None or now - cursor.started_at > max_age:
            return cls(
                cycle_id=scan_id, started_at=now, next_token=None, after_id=None, pages=0, resumed=False
            )
        return cls(cursor.cycle_id, cursor.started_at, cursor.next_token, cursor.after_id, cursor.pages, True)

    def cursor(self) -> ListingCursor | None:
        if self.finished:
            return None
        return ListingCursor(self.cycle_id, self.started_at, self.next_token, self.after_id, self.pages)


def _unprocessed(
    registrations: Sequence[RegistrationSummary], after_id: str | None
) -> Sequence[RegistrationSummary]:
    """The part of a re-listed page after the last registration already processed."""
    if after_id is None:
        return registrations
    for position, summary in enumerate(registrations):
        if summary.registration_id == after_id:
            return registrations[position + 1 :]
    # The page changed since: process all of it. Processed ones look unchanged now (their
    # snapshots were written), so they cost nothing and emit nothing again.
    return registrations


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

    def scan_region(self, region: str, budget: TimeBudget, scan_id: str) -> RegionReport:
        """A full scan of one account-region (the scheduled trigger).

        Continues the region's listing cycle where the previous scan stopped; a scan
        completes when it lists the cycle's last page with every registration processed.
        """
        key = RegionKey(self.options.account_id, region)
        report = RegionReport(region=region, trigger="schedule")
        started = self.clock()
        lease_until = started + timedelta(seconds=min(budget.remaining(), 24 * 3600.0))
        state = self.store.acquire_lease(key, scan_id, started, lease_until)
        if state is None:
            report.skipped = "another full scan of this region holds the lease"
            return report
        report.resumed = state.incomplete or state.cursor is not None
        report.baseline = not state.has_baseline
        listing = _Listing.continuing(state.cursor, scan_id, started, self.options.max_listing_cycle_age)
        report.listing_cycle_id = listing.cycle_id
        complete = False
        try:
            complete = self._scan_leased(
                self._work(region, state.has_baseline, report), budget, state, listing
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
            )
            report.complete = complete
            try:
                self.store.release_lease(key, scan_id, new_state)
            except SnapshotConflict:
                # Our lease expired and another scan took over: its state wins.
                report.complete = False
                report.errors.append("lease lost before the scan state was written")
        return report

    def _cursor_to_keep(
        self, key: RegionKey, scan_id: str, state: ScanState, listing: _Listing, report: RegionReport
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

    def _scan_leased(
        self, work: _RegionScan, budget: TimeBudget, state: ScanState, listing: _Listing
    ) -> bool:
        report = work.report
        try:
            snapshots = self.store.load_registrations(work.key)
            live = sum(1 for s in snapshots.values() if not s.is_tombstone)
            list_calls = max(1, -(-live // PAGE_SIZE) - listing.pages)
            reconcile = set(
                reconcile_targets(
                    snapshots,
                    now=self.clock(),
                    previous_scan_started_at=state.last_scan_started_at,
                    reconcile_period=self.options.reconcile_period,
                    capacity=budget.call_capacity() - list_calls,
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
            return self._tombstone_unlisted(work, snapshots, listing) and all_done
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

    def _process_page(
        self,
        *,
        work: _RegionScan,
        budget: TimeBudget,
        page: RegistrationPage,
        listing: _Listing,
        snapshots: dict[str, RegistrationSnapshot],
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
        for summary in _unprocessed(page.registrations, listing.after_id):
            registration_id = summary.registration_id
            if registration_id in listing.listed:
                continue  # pages of a changing list can overlap: handle it once
            snapshot = snapshots.get(registration_id)
            reason = fetch_reason(summary, snapshot, reconcile)
            if reason is not None:
                if not budget.allows():
                    return None
                if work.process(summary, snapshot):
                    report.reads_by_reason[reason.value] += 1
                else:
                    all_done = False
            listing.listed.add(registration_id)
            report.registrations_listed += 1
            listing.after_id = registration_id
        return all_done

    def _tombstone_unlisted(
        self, work: _RegionScan, snapshots: dict[str, RegistrationSnapshot], listing: _Listing
    ) -> bool:
        """At the end of a listing cycle: every live snapshot not listed during the whole
        cycle is a deleted registration. Never decided from a partial listing."""
        listed = set(listing.listed)
        if listing.resumed:
            listed |= self.store.load_listed_ids(work.key, listing.cycle_id)
        if UNIDENTIFIED in listed:
            work.report.errors.append("deletions not checked: a listed item had no readable RegistrationId")
            return True
        done = True
        for snapshot in snapshots.values():
            if snapshot.registration_id in listed or snapshot.is_tombstone:
                continue
            if snapshot.full_read_at is not None and snapshot.full_read_at >= listing.started_at:
                # Read during this cycle (e.g. by a native-event rescan after its page was
                # listed): it existed then; the next cycle decides.
                continue
            done = work.tombstone(snapshot) and done
        return done

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
        except MalformedRegistration as bad:
            report.record_malformed(
                MalformedItem(bad.registration_id or registration_id, bad.field, bad.problem)
            )
        except RegistryError as exc:
            report.stop_reason = f"api unavailable: {type(exc).__name__}: {exc}"
            report.failure = exc
        return report
