"""The per-registration work of a scan: read, diff, publish, write — and tombstone.

Per registration the order is fixed: read its versions, diff against the snapshot,
publish the events, and only then write the snapshot (conditionally, on its revision).
A crash in between re-emits the same event ids next time; nothing is lost.

One registration whose answer cannot be read (MalformedRegistration) is skipped and
reported; its snapshot stays as it was, so every later scan tries it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from regwatch.deletion_guard import DeletionGuard
from regwatch.diff import (
    BaselineAlerts,
    RegistrationDiff,
    diff_deleted,
    diff_first_read,
    diff_registration,
)
from regwatch.errors import (
    MalformedRegistration,
    PublishFailed,
    RegistrationNotFound,
    RegistryError,
    SnapshotConflict,
)
from regwatch.events import EventContext, build_entry
from regwatch.listing_policy import ListingPolicy
from regwatch.model import RegistrationProfile, RegistrationSummary, RegistrationVersion, Transition
from regwatch.ports import Clock, MalformedItem, ProfileSource, Publisher, Registry, SnapshotStore
from regwatch.profile import ProfileReads, choose_name, flagged_fields, name_from_fields, reads_for
from regwatch.scan_report import RegionReport
from regwatch.snapshot import RegionKey, RegistrationSnapshot
from regwatch.triage import listed_stub


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
    # Too many deletions in one cycle are held until confirmed (regwatch/deletions.py).
    deletion_guard: DeletionGuard = field(default_factory=DeletionGuard)
    # The baseline reads settled registrations last (regwatch/triage.py).
    triage_baseline: bool = True
    # How often a scheduled scan lists everything (regwatch/listing_policy.py).
    listing: ListingPolicy = field(default_factory=ListingPolicy)


def _transition_label(transition: Transition) -> str:
    # Registration-level statuses (COMPLETE, REQUIRES_UPDATES…) are a separate vocabulary.
    if transition.registration_change is not None:
        return f"REGISTRATION_{transition.registration_change.value}:{transition.status}"
    return transition.status


class RegionScan:
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
            if snapshot is not None and snapshot.first_read_pending and not snapshot.is_tombstone:
                # Listed during the baseline, read only now (regwatch/triage.py).
                alerts = self.options.baseline_alerts
                diff = diff_first_read(snapshot, summary, versions, self.clock(), alerts)
            else:
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

    def defer_first_read(self, summary: RegistrationSummary) -> bool:
        """Store a settled registration as listed, not read (False: another scan stored it first)."""
        try:
            self.store.save_registration(self.key, listed_stub(summary), expected_revision=None)
        except SnapshotConflict:
            return False
        self.report.first_reads_deferred += 1
        self.report.snapshots_written += 1
        return True

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
