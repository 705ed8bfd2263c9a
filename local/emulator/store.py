"""In-process state of the emulator: registrations per (account, region), behind one lock.

Each (account, region) keeps a dict by id plus a sorted id list, so a page of
DescribeRegistrations is a bisect and a slice (O(log n + page)) even with 100,000
registrations. Every change of a registration-level status made through the store is
reported to `status_listeners` (the native "Registration Status Change" events).
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

from local.emulator.clock import Clock
from local.emulator.lifecycle import (
    APPROVED,
    DRAFT,
    FieldValue,
    Registration,
    Version,
    archive_other_approved,
    refresh_summary,
)
from local.emulator.protocol import ACCOUNT_ID, not_found, validation_error

ID_PREFIX = "registration-"
DEFAULT_ACCOUNT = ACCOUNT_ID

# (registration, previous registration status, moment of the change in epoch seconds)
StatusListener = Callable[[Registration, str, float], None]


class RegionState:
    def __init__(self) -> None:
        self.registrations: dict[str, Registration] = {}
        self.sorted_ids: list[str] = []
        # RCS agents and Notify configurations (messaging_resources.MessagingResources), on first use.
        self.messaging: Any = None

    def add(self, registration: Registration) -> None:
        rid = registration.registration_id
        if rid not in self.registrations:
            bisect.insort(self.sorted_ids, rid)
        self.registrations[rid] = registration

    def add_many(self, registrations: list[Registration]) -> None:
        """Bulk insert: one sort instead of n insorts."""
        for registration in registrations:
            self.registrations[registration.registration_id] = registration
        self.sorted_ids = sorted(self.registrations)

    def remove(self, registration_id: str) -> None:
        if self.registrations.pop(registration_id, None) is not None:
            index = bisect.bisect_left(self.sorted_ids, registration_id)
            del self.sorted_ids[index]

    def ids_after(self, after: str | None) -> Iterator[str]:
        start = bisect.bisect_right(self.sorted_ids, after) if after is not None else 0
        ids = self.sorted_ids
        for index in range(start, len(ids)):
            yield ids[index]


class Store:
    def __init__(self, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.partitions: dict[tuple[str, str], RegionState] = {}
        self.client_tokens: dict[tuple[str, str, str], str] = {}
        # Scenario names ("refs") -> (account, region, registration id), for timeline steps.
        self.refs: dict[str, tuple[str, str, str]] = {}
        self.status_listeners: list[StatusListener] = []
        self._ids = random.Random()

    def reset(self) -> None:
        with self.lock:
            self.partitions.clear()
            self.client_tokens.clear()
            self.refs.clear()
            self.clock.reset()

    def now(self) -> float:
        # Millisecond precision, like the timestamps AWS returns.
        return round(self.clock.now(), 3)

    def region(self, name: str, account: str = DEFAULT_ACCOUNT) -> RegionState:
        """The registrations of one account (default: 123456789012) in one region."""
        key = (account, name)
        state = self.partitions.get(key)
        if state is None:
            state = self.partitions[key] = RegionState()
        return state

    @property
    def regions(self) -> dict[str, RegionState]:
        """The default account's regions (the single-account view)."""
        return {
            region: state for (account, region), state in self.partitions.items() if account == ACCOUNT_ID
        }

    def new_id(self, rng: random.Random | None = None) -> str:
        return f"{ID_PREFIX}{(rng or self._ids).getrandbits(128):032x}"

    # --- lookups -------------------------------------------------------------

    def resolve(self, region: str, id_or_arn: str, account: str = DEFAULT_ACCOUNT) -> Registration:
        """Find a registration of `account` by id or ARN in `region`, or answer ResourceNotFoundException.

        An ARN of another account or region is not found, like an unknown id.
        """
        registration_id = id_or_arn
        if id_or_arn.startswith("arn:"):
            parts = id_or_arn.split(":", 5)
            if len(parts) != 6 or parts[2] != "sms-voice" or not parts[5].startswith("registration/"):
                raise validation_error("INVALID_ARN", f"{id_or_arn} is not a registration ARN.")
            if parts[3] != region or parts[4] != account:
                raise not_found(id_or_arn)
            registration_id = parts[5].removeprefix("registration/")
        partition = self.partitions.get((account, region))
        registration = partition.registrations.get(registration_id) if partition is not None else None
        if registration is None:
            raise not_found(id_or_arn)
        return registration

    def lookup(self, region: str | None, registration: str, account: str | None = None) -> Registration:
        """Control-API lookup: a scenario ref or an id/ARN (region optional for refs and ARNs).

        A ref or an ARN names its account; a plain id is looked up in `account`
        (default: the default account).
        """
        if registration in self.refs:
            ref_account, ref_region, registration_id = self.refs[registration]
            return self.resolve(ref_region, registration_id, ref_account)
        if registration.startswith("arn:"):
            parts = registration.split(":")
            if len(parts) > 4:
                region = region or parts[3]
                account = account or parts[4]
        account = account or DEFAULT_ACCOUNT
        if region is None:
            for (owner, _), state in self.partitions.items():
                if owner == account and registration in state.registrations:
                    return state.registrations[registration]
            raise not_found(registration)
        return self.resolve(region, registration, account)

    # --- status changes ------------------------------------------------------------

    def _status_changed(self, registration: Registration, before: str, moment: float | None = None) -> None:
        if registration.status != before and self.status_listeners:
            when = self.now() if moment is None else moment
            for listener in list(self.status_listeners):
                listener(registration, before, when)

    def refresh(self, registration: Registration, moment: float | None = None) -> None:
        """Re-derive the summary from the versions (reporting a status change)."""
        before = registration.status
        refresh_summary(registration)
        self._status_changed(registration, before, moment)

    def set_registration_status(
        self, registration: Registration, status: str, moment: float | None = None
    ) -> None:
        """Overwrite the registration status only (e.g. PROVISIONING, CLOSED)."""
        before = registration.status
        registration.status = status
        self._status_changed(registration, before, moment)

    # --- mutations shared by the API, the control API and scenarios -------------

    def create_registration(
        self,
        region: str,
        registration_type: str,
        *,
        registration_id: str | None = None,
        created: float | None = None,
        tags: list[dict[str, str]] | None = None,
        additional_attributes: dict[str, str] | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> Registration:
        now = self.now() if created is None else created
        registration = Registration(
            region=region,
            registration_id=registration_id or self.new_id(),
            registration_type=registration_type,
            created=now,
            versions=[Version(number=1, status=DRAFT, history={"DraftTimestamp": now})],
            tags=list(tags or []),
            additional_attributes=dict(additional_attributes or {}),
            account=account,
        )
        refresh_summary(registration)  # a new registration is CREATED: no change to report
        self.region(region, account).add(registration)
        return registration

    def add_version(self, registration: Registration, created: float | None = None) -> Version:
        now = self.now() if created is None else created
        previous = registration.current
        version = Version(
            number=previous.number + 1,
            status=DRAFT,
            history={"DraftTimestamp": now},
            # The new version starts as an editable copy of the previous form.
            fields={
                path: FieldValue(value.select_choices, value.text_value, value.attachment_id)
                for path, value in previous.fields.items()
            },
        )
        registration.versions.append(version)
        self.refresh(registration, now)
        return version

    def delete(self, registration: Registration) -> None:
        self.set_registration_status(registration, "DELETED")
        self.region(registration.region, registration.account).remove(registration.registration_id)

    def set_version_status(
        self,
        registration: Registration,
        version_number: int,
        status: str,
        *,
        denied_reasons: list[dict[str, str]] | None = None,
        feedback: str | None = None,
        history_key: str | None = None,
        timestamp: float | None = None,
        registration_status: str | None = None,
        update_registration: bool = True,
    ) -> Version:
        """Move a version to any status, as carriers and reviewers do.

        Keeps the summary consistent (unless `update_registration` is False, which
        simulates a change the summary does not reveal) and archives the previously
        approved version when a newer one is approved.
        """
        version = self.version_of(registration, version_number)
        now = self.now() if timestamp is None else timestamp
        before = registration.status
        version.move_to(status, now, history_key)
        if denied_reasons is not None:
            version.denied_reasons = [dict(reason) for reason in denied_reasons]
        if feedback is not None:
            version.feedback = feedback
        if status == APPROVED:
            archive_other_approved(registration, version, now)
        if update_registration:
            refresh_summary(registration)
        if registration_status is not None:
            registration.status = registration_status
        self._status_changed(registration, before, now)
        return version

    def set_version_details(
        self,
        registration: Registration,
        version_number: int,
        *,
        history: dict[str, float | None] | None = None,
        denied_reasons: list[dict[str, str]] | None = None,
        feedback: str | None = None,
    ) -> Version:
        """Change a version's history/denied reasons/feedback only; the summary is untouched."""
        version = self.version_of(registration, version_number)
        for key, value in (history or {}).items():
            if value is None:
                version.history.pop(key, None)
            else:
                version.history[key] = float(value)
        if denied_reasons is not None:
            version.denied_reasons = [dict(reason) for reason in denied_reasons]
        if feedback is not None:
            version.feedback = feedback
        return version

    def set_field(
        self,
        registration: Registration,
        version_number: int,
        field_path: str,
        **values: Any,
    ) -> FieldValue:
        version = self.version_of(registration, version_number)
        value = version.fields.get(field_path) or FieldValue()
        for name in ("select_choices", "text_value", "attachment_id", "denied_reason", "feedback"):
            if name in values:
                setattr(value, name, values[name])
        version.fields[field_path] = value
        return value

    @staticmethod
    def version_of(registration: Registration, version_number: int) -> Version:
        version = registration.version(int(version_number))
        if version is None:
            raise validation_error(
                "UNKNOWN_REGISTRATION_VERSION",
                f"Version {version_number} of {registration.registration_id} does not exist.",
            )
        return version
