"""The producer side of contract v1: detail-types, deterministic ids, size limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from regwatch.events import (
    MAX_ENTRY_BYTES,
    TRIM_MARKER,
    UNKNOWN_VERSION_STATUS_DETAIL_TYPE,
    VERSION_DETAIL_TYPES,
    EventContext,
    build_entry,
    iso_utc,
)
from regwatch.model import (
    DeniedReason,
    RegistrationChange,
    RegistrationSummary,
    RegistrationVersion,
    Scope,
    Transition,
    history_key_for_status,
    status_for_history_key,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CONTEXT = EventContext(account_id="123456789012", region="us-east-1", source="regwatch", event_bus_name="bus")
REGISTRATION = RegistrationSummary(
    registration_id="registration-0123456789abcdef0123456789abcdef",
    registration_arn="arn:aws:sms-voice:us-east-1:123456789012:registration/registration-0123456789abcdef0123456789abcdef",
    registration_type="US_TEN_DLC_CAMPAIGN_REGISTRATION",
    registration_status="REQUIRES_UPDATES",
    current_version_number=2,
    latest_denied_version_number=2,
)


def _version_transition(
    status: str,
    *,
    timestamp: datetime | None = T0,
    reasons: tuple[DeniedReason, ...] = (),
    feedback: str | None = None,
    dedup_key: str = "",
) -> Transition:
    history = {"DraftTimestamp": T0 - timedelta(days=1)}
    if timestamp is not None:
        history[history_key_for_status(status)] = timestamp
    version = RegistrationVersion(
        version_number=2, status=status, status_history=history, denied_reasons=reasons, feedback=feedback
    )
    return Transition(
        scope=Scope.VERSION,
        registration=REGISTRATION,
        status=status,
        previous_status="REVIEWING",
        status_timestamp=timestamp,
        observed_at=T0 + timedelta(minutes=5),
        version=version,
        dedup_key=dedup_key,
    )


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("DraftTimestamp", "DRAFT"),
        ("AwsReviewingTimestamp", "AWS_REVIEWING"),
        ("RequiresAuthenticationTimestamp", "REQUIRES_AUTHENTICATION"),
        ("SomethingAwsAddsLaterTimestamp", "SOMETHING_AWS_ADDS_LATER"),
    ],
)
def test_history_keys_map_to_statuses_and_back(key: str, status: str) -> None:
    assert status_for_history_key(key) == status
    assert history_key_for_status(status) == key


@pytest.mark.parametrize("status", sorted(VERSION_DETAIL_TYPES))
def test_each_known_status_has_its_detail_type(status: str) -> None:
    entry = build_entry(_version_transition(status), CONTEXT)
    assert entry["DetailType"] == VERSION_DETAIL_TYPES[status]
    detail = json.loads(entry["Detail"])
    assert detail["status"] == status
    assert detail["previousStatus"] == "REVIEWING"
    assert detail["statusTimestamp"] == "2026-11-01T12:00:00Z"


def test_unknown_status_flows_through_with_the_generic_detail_type() -> None:
    entry = build_entry(_version_transition("PENDING_CARRIER_MAGIC"), CONTEXT)
    detail = json.loads(entry["Detail"])
    assert entry["DetailType"] == UNKNOWN_VERSION_STATUS_DETAIL_TYPE
    assert detail["status"] == "PENDING_CARRIER_MAGIC"
    assert detail["statusHistory"]["PendingCarrierMagicTimestamp"] == "2026-11-01T12:00:00Z"
    assert detail["severity"] == "INFO"


def test_envelope_follows_the_contract() -> None:
    entry = build_entry(_version_transition("DENIED"), CONTEXT)
    assert entry["Source"] == "regwatch"
    assert entry["EventBusName"] == "bus"
    assert entry["Resources"] == [REGISTRATION.registration_arn]
    assert entry["Time"] == T0
    detail = json.loads(entry["Detail"])
    assert detail["schemaVersion"] == "1.2"
    assert detail["severity"] == "ACTION_REQUIRED"
    assert detail["accountId"] == "123456789012"
    assert detail["consoleUrl"].startswith("https://us-east-1.console.aws.amazon.com/")
    assert REGISTRATION.registration_id in detail["consoleUrl"]


def test_event_id_is_deterministic_and_distinguishes_transitions() -> None:
    first = json.loads(build_entry(_version_transition("DENIED"), CONTEXT)["Detail"])["eventId"]
    again = json.loads(build_entry(_version_transition("DENIED"), CONTEXT)["Detail"])["eventId"]
    later = json.loads(
        build_entry(_version_transition("DENIED", timestamp=T0 + timedelta(seconds=1)), CONTEXT)["Detail"]
    )["eventId"]
    other_region = json.loads(
        build_entry(
            _version_transition("DENIED"),
            EventContext(
                account_id="123456789012", region="us-west-2", source="regwatch", event_bus_name="bus"
            ),
        )["Detail"]
    )["eventId"]
    assert first == again
    assert len({first, later, other_region}) == 3


def test_untimed_transitions_are_told_apart_by_their_dedup_key() -> None:
    a = build_entry(_version_transition("REQUIRES_OFFLINE_REVIEW", timestamp=None, dedup_key="a"), CONTEXT)
    b = build_entry(_version_transition("REQUIRES_OFFLINE_REVIEW", timestamp=None, dedup_key="b"), CONTEXT)
    detail_a = json.loads(a["Detail"])
    assert detail_a["statusTimestamp"] is None
    assert a["Time"] == T0 + timedelta(minutes=5)  # observed time stands in
    assert detail_a["eventId"] != json.loads(b["Detail"])["eventId"]


def test_registration_level_detail_types() -> None:
    for change, detail_type in [
        (RegistrationChange.STATUS_CHANGED, "Registration Status Changed"),
        (RegistrationChange.DISCOVERED, "Registration Discovered"),
        (RegistrationChange.DELETED, "Registration Deleted"),
    ]:
        transition = Transition(
            scope=Scope.REGISTRATION,
            registration=REGISTRATION,
            status="COMPLETE",
            previous_status="REVIEWING",
            status_timestamp=None,
            observed_at=T0,
            registration_change=change,
        )
        entry = build_entry(transition, CONTEXT)
        detail = json.loads(entry["Detail"])
        assert entry["DetailType"] == detail_type
        assert detail["scope"] == "REGISTRATION"
        assert detail["versionNumber"] == REGISTRATION.current_version_number
        assert detail["deniedReasons"] == []


def test_huge_texts_are_trimmed_below_the_eventbridge_limit_and_flagged() -> None:
    reasons = tuple(
        DeniedReason(
            reason=f"REASON_{i}",
            short_description="short",
            long_description="x" * 60_000,
            documentation_link="https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations.html",
        )
        for i in range(10)
    )
    entry = build_entry(_version_transition("DENIED", reasons=reasons, feedback="f" * 300_000), CONTEXT)
    texts = (entry["Source"], entry["DetailType"], entry["Detail"], *entry["Resources"])
    size = sum(len(text.encode()) for text in texts)
    assert size <= MAX_ENTRY_BYTES
    detail = json.loads(entry["Detail"])
    assert detail["truncated"] is True
    assert "feedback" in detail["truncatedFields"]
    assert "deniedReasons.longDescription" in detail["truncatedFields"]
    assert detail["feedback"].endswith(TRIM_MARKER)
    assert len(detail["deniedReasons"]) == 10  # trimming texts was enough; no reason dropped
    assert detail["deniedReasons"][0]["documentationLink"].startswith("https://docs.aws.amazon.com/")


def test_small_events_are_not_marked_truncated() -> None:
    detail = json.loads(build_entry(_version_transition("APPROVED"), CONTEXT)["Detail"])
    assert detail["truncated"] is False
    assert detail["truncatedFields"] == []
    assert detail["severity"] == "GOOD_NEWS"


def test_iso_utc_normalises_offsets_and_naive_datetimes() -> None:
    assert iso_utc(datetime(2026, 1, 1, 13, 0, 0, 999, tzinfo=UTC)) == "2026-01-01T13:00:00Z"
    assert iso_utc(datetime(2026, 1, 1, 13, 0, 0)) == "2026-01-01T13:00:00Z"
