"""The diff rules, example by example (properties are in test_diff_properties.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regwatch.diff import BaselineAlerts, diff_deleted, diff_registration, diff_version
from regwatch.events import EventContext, build_detail
from regwatch.model import RegistrationChange, RegistrationSummary, RegistrationVersion, Scope
from regwatch.snapshot import VersionSnapshot

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=2)
CTX = EventContext(account_id="123456789012", region="us-east-1", source="regwatch", event_bus_name="bus")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def summary(status: str = "REVIEWING", current: int = 1, **kwargs: object) -> RegistrationSummary:
    return RegistrationSummary(
        registration_id="registration-abc",
        registration_arn="arn:aws:sms-voice:us-east-1:123456789012:registration/registration-abc",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status=status,
        current_version_number=current,
        **kwargs,  # type: ignore[arg-type]
    )


def version(number: int, status: str, **history: datetime) -> RegistrationVersion:
    return RegistrationVersion(version_number=number, status=status, status_history=history)


def stored(number: int, status: str, untimed: int = 0, **history: datetime) -> VersionSnapshot:
    return VersionSnapshot(number, status, history, untimed)


def steps(transitions: tuple[object, ...]) -> list[tuple[str, str | None, datetime | None]]:
    return [(t.status, t.previous_status, t.status_timestamp) for t in transitions]  # type: ignore[attr-defined]


def test_new_version_yields_every_status_of_its_history_in_time_order() -> None:
    current = version(
        1, "REVIEWING", ReviewingTimestamp=at(9), DraftTimestamp=at(0), SubmittedTimestamp=at(5)
    )
    result = diff_version(None, current, summary(), NOW)
    assert steps(result.transitions) == [
        ("DRAFT", None, at(0)),
        ("SUBMITTED", "DRAFT", at(5)),
        ("REVIEWING", "SUBMITTED", at(9)),
    ]
    assert result.snapshot == stored(
        1, "REVIEWING", DraftTimestamp=at(0), SubmittedTimestamp=at(5), ReviewingTimestamp=at(9)
    )


def test_several_transitions_between_two_scans_each_get_their_previous_status() -> None:
    previous = stored(1, "SUBMITTED", DraftTimestamp=at(0), SubmittedTimestamp=at(5))
    current = version(
        1,
        "DENIED",
        DraftTimestamp=at(0),
        SubmittedTimestamp=at(5),
        ReviewingTimestamp=at(7),
        DeniedTimestamp=at(8),
    )
    result = diff_version(previous, current, summary(), NOW)
    assert steps(result.transitions) == [("REVIEWING", "SUBMITTED", at(7)), ("DENIED", "REVIEWING", at(8))]
    assert all(t.observed_at == NOW and t.scope is Scope.VERSION for t in result.transitions)


def test_unchanged_version_yields_nothing() -> None:
    previous = stored(1, "SUBMITTED", DraftTimestamp=at(0), SubmittedTimestamp=at(5))
    current = version(1, "SUBMITTED", DraftTimestamp=at(0), SubmittedTimestamp=at(5))
    assert diff_version(previous, current, summary(), NOW).transitions == ()


def test_later_timestamp_of_a_known_key_is_a_new_transition() -> None:
    previous = stored(1, "REQUIRES_OFFLINE_REVIEW", 1, ReviewingTimestamp=at(3))
    current = version(1, "REVIEWING", ReviewingTimestamp=at(30))
    assert steps(diff_version(previous, current, summary(), NOW).transitions) == [
        ("REVIEWING", "REQUIRES_OFFLINE_REVIEW", at(30))
    ]


def test_status_without_timestamp_is_observed_at_scan_time() -> None:
    previous = stored(1, "REVIEWING", ReviewingTimestamp=at(3))
    current = version(1, "REQUIRES_OFFLINE_REVIEW", ReviewingTimestamp=at(3))
    result = diff_version(previous, current, summary(), NOW)
    assert steps(result.transitions) == [("REQUIRES_OFFLINE_REVIEW", "REVIEWING", None)]
    assert result.transitions[0].observed_at == NOW
    assert result.transitions[0].dedup_key
    assert result.snapshot.untimed_changes == 1


def test_untimed_status_after_new_timed_steps_follows_them() -> None:
    previous = stored(1, "SUBMITTED", SubmittedTimestamp=at(1))
    current = version(1, "REQUIRES_OFFLINE_REVIEW", SubmittedTimestamp=at(1), ReviewingTimestamp=at(4))
    assert steps(diff_version(previous, current, summary(), NOW).transitions) == [
        ("REVIEWING", "SUBMITTED", at(4)),
        ("REQUIRES_OFFLINE_REVIEW", "REVIEWING", None),
    ]


def test_untimed_transition_seen_again_after_a_crash_gets_the_same_event_id() -> None:
    previous = stored(1, "REVIEWING", ReviewingTimestamp=at(3))
    current = version(1, "REQUIRES_OFFLINE_REVIEW", ReviewingTimestamp=at(3))
    first = diff_version(previous, current, summary(), NOW).transitions[0]
    again = diff_version(previous, current, summary(), NOW + timedelta(minutes=5)).transitions[0]
    assert build_detail(first, CTX)["eventId"] == build_detail(again, CTX)["eventId"]


def test_a_genuine_repeat_of_an_untimed_status_gets_a_new_event_id() -> None:
    # REVIEWING -> OFFLINE, back to REVIEWING (no new stamp), then OFFLINE again.
    first = diff_version(
        stored(1, "REVIEWING", ReviewingTimestamp=at(3)),
        version(1, "REQUIRES_OFFLINE_REVIEW", ReviewingTimestamp=at(3)),
        summary(),
        NOW,
    )
    back = diff_version(first.snapshot, version(1, "REVIEWING", ReviewingTimestamp=at(3)), summary(), NOW)
    again = diff_version(
        back.snapshot, version(1, "REQUIRES_OFFLINE_REVIEW", ReviewingTimestamp=at(3)), summary(), NOW
    )
    assert steps(back.transitions) == [("REVIEWING", "REQUIRES_OFFLINE_REVIEW", None)]
    assert steps(again.transitions) == [("REQUIRES_OFFLINE_REVIEW", "REVIEWING", None)]
    ids = {
        build_detail(t, CTX)["eventId"] for t in (*first.transitions, *back.transitions, *again.transitions)
    }
    assert len(ids) == 3


def test_unknown_history_keys_and_statuses_flow_through() -> None:
    previous = stored(1, "REVIEWING", ReviewingTimestamp=at(3))
    current = version(1, "CARRIER_VETTING", ReviewingTimestamp=at(3), CarrierVettingTimestamp=at(6))
    result = diff_version(previous, current, summary(), NOW)
    assert steps(result.transitions) == [("CARRIER_VETTING", "REVIEWING", at(6))]
    assert result.snapshot.status_history["CarrierVettingTimestamp"] == at(6)
    unknown_untimed = diff_version(previous, version(1, "PAUSED", ReviewingTimestamp=at(3)), summary(), NOW)
    assert steps(unknown_untimed.transitions) == [("PAUSED", "REVIEWING", None)]


def test_same_second_statuses_follow_the_lifecycle_order() -> None:
    current = version(
        1, "AWS_REVIEWING", AwsReviewingTimestamp=at(1), SubmittedTimestamp=at(1), DraftTimestamp=at(0)
    )
    assert [t.status for t in diff_version(None, current, summary(), NOW).transitions] == [
        "DRAFT",
        "SUBMITTED",
        "AWS_REVIEWING",
    ]


def test_registration_seen_after_the_baseline_is_discovered_with_its_versions() -> None:
    result = diff_registration(
        None, summary(), [version(1, "SUBMITTED", DraftTimestamp=at(0), SubmittedTimestamp=at(2))], NOW
    )
    assert [(t.scope, t.status, t.registration_change) for t in result.transitions] == [
        (Scope.REGISTRATION, "REVIEWING", RegistrationChange.DISCOVERED),
        (Scope.VERSION, "DRAFT", None),
        (Scope.VERSION, "SUBMITTED", None),
    ]
    assert not any(t.baseline for t in result.transitions)
    assert result.snapshot.revision == 1
    assert result.snapshot.full_read_at == NOW


def test_registration_status_change_follows_the_version_transitions() -> None:
    first = diff_registration(
        None, summary("REVIEWING"), [version(1, "SUBMITTED", SubmittedTimestamp=at(2))], NOW
    )
    later = diff_registration(
        first.snapshot,
        summary("REQUIRES_UPDATES"),
        [version(1, "DENIED", SubmittedTimestamp=at(2), DeniedTimestamp=at(9))],
        NOW + timedelta(hours=1),
    )
    assert [(t.scope, t.status, t.previous_status) for t in later.transitions] == [
        (Scope.VERSION, "DENIED", "SUBMITTED"),
        (Scope.REGISTRATION, "REQUIRES_UPDATES", "REVIEWING"),
    ]
    assert later.transitions[1].registration_change is RegistrationChange.STATUS_CHANGED
    assert later.snapshot.revision == 2
    assert later.snapshot.registration_changes == 1


def test_new_version_after_a_denial_and_a_discarded_version() -> None:
    first = diff_registration(
        None,
        summary("REQUIRES_UPDATES"),
        [version(1, "DENIED", SubmittedTimestamp=at(1), DeniedTimestamp=at(5))],
        NOW,
    )
    later = diff_registration(
        first.snapshot,
        summary("REQUIRES_UPDATES", current=3),
        [
            version(1, "DENIED", SubmittedTimestamp=at(1), DeniedTimestamp=at(5)),
            version(2, "DISCARDED", DraftTimestamp=at(10), DiscardedTimestamp=at(12)),
            version(3, "DRAFT", DraftTimestamp=at(11)),
        ],
        NOW,
    )
    assert [(t.version.version_number, t.status) for t in later.transitions if t.version] == [
        (2, "DRAFT"),
        (3, "DRAFT"),
        (2, "DISCARDED"),
    ]


def test_baseline_none_stores_quietly() -> None:
    result = diff_registration(
        None, summary(), [version(1, "DENIED", DeniedTimestamp=at(1))], NOW, baseline=BaselineAlerts.NONE
    )
    assert result.transitions == ()
    assert result.snapshot.versions[1].status == "DENIED"


def test_baseline_actionable_reports_only_versions_waiting_on_a_human() -> None:
    versions = [
        version(1, "DENIED", SubmittedTimestamp=at(1), DeniedTimestamp=at(2)),  # superseded by v3
        version(2, "REVOKED", ApprovedTimestamp=at(3), RevokedTimestamp=at(4)),
        version(
            3, "REQUIRES_AUTHENTICATION", SubmittedTimestamp=at(5), RequiresAuthenticationTimestamp=at(6)
        ),
    ]
    result = diff_registration(None, summary(current=3), versions, NOW, baseline=BaselineAlerts.ACTIONABLE)
    assert [
        (t.version.version_number, t.status, t.previous_status, t.baseline)
        for t in result.transitions
        if t.version
    ] == [
        (2, "REVOKED", "APPROVED", True),
        (3, "REQUIRES_AUTHENTICATION", "SUBMITTED", True),
    ]
    assert len(result.transitions) == 2


def test_baseline_actionable_reports_denial_of_the_latest_version() -> None:
    result = diff_registration(
        None,
        summary("REQUIRES_UPDATES", current=2),
        [version(1, "APPROVED", ApprovedTimestamp=at(1)), version(2, "DENIED", DeniedTimestamp=at(3))],
        NOW,
        baseline=BaselineAlerts.ACTIONABLE,
    )
    assert steps(result.transitions) == [("DENIED", None, at(3))]
    assert result.transitions[0].baseline


def test_baseline_all_reports_everything_marked_as_baseline() -> None:
    result = diff_registration(
        None,
        summary(),
        [version(1, "APPROVED", DraftTimestamp=at(0), ApprovedTimestamp=at(1))],
        NOW,
        baseline=BaselineAlerts.ALL,
    )
    assert [t.status for t in result.transitions] == ["REVIEWING", "DRAFT", "APPROVED"]
    assert all(t.baseline for t in result.transitions)


def test_deleted_registration_is_reported_once_and_tombstoned() -> None:
    first = diff_registration(
        None, summary("COMPLETE"), [version(1, "APPROVED", ApprovedTimestamp=at(1))], NOW
    )
    gone = diff_deleted(first.snapshot, NOW)
    assert [(t.status, t.previous_status, t.registration_change) for t in gone.transitions] == [
        ("DELETED", "COMPLETE", RegistrationChange.DELETED)
    ]
    assert gone.snapshot.is_tombstone
    assert gone.snapshot.revision == first.snapshot.revision + 1


def test_disappearance_after_a_reported_deleted_status_is_not_reported_twice() -> None:
    first = diff_registration(
        None, summary("DELETED"), [version(1, "ARCHIVED", ArchivedTimestamp=at(1))], NOW
    )
    assert diff_deleted(first.snapshot, NOW).transitions == ()


def test_a_tombstoned_id_that_comes_back_is_discovered_and_keeps_its_revision() -> None:
    first = diff_registration(None, summary(), [version(1, "DRAFT", DraftTimestamp=at(1))], NOW)
    tombstone = diff_deleted(first.snapshot, NOW).snapshot
    back = diff_registration(tombstone, summary(), [version(1, "DRAFT", DraftTimestamp=at(1))], NOW)
    assert back.transitions[0].registration_change is RegistrationChange.DISCOVERED
    assert back.snapshot.revision == tombstone.revision + 1
    assert not back.snapshot.is_tombstone
