"""Producer, written contract and consumer model agree.

Every event `regwatch.events.build_entry` produces (generated transitions with unknown
statuses, odd texts, trimmed huge ones) must validate against docs/events.schema.json
(JSON Schema draft-04, as the EventBridge schema registry takes it) and parse with the
consumers' pydantic model; docs/events.md must document the current SCHEMA_VERSION.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regwatch import events
from regwatch.event_models import parse_regwatch_event
from regwatch.model import (
    KNOWN_VERSION_STATUSES,
    DeniedReason,
    RegistrationChange,
    RegistrationSummary,
    RegistrationVersion,
    Scope,
    Transition,
    history_key_for_status,
)
from regwatch.severity import Severity
from tests.golden.sample_events import (
    REMINDER_SAMPLES,
    SAMPLES,
    SOURCE,
    as_delivered,
    event_for,
    huge_denial,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA: dict[str, Any] = json.loads((DOCS / "events.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
CONTEXT = events.EventContext(
    account_id="123456789012", region="eu-west-2", source=SOURCE, event_bus_name="b"
)

statuses = st.one_of(
    st.sampled_from(KNOWN_VERSION_STATUSES),
    st.from_regex(r"[A-Z][A-Z_]{2,30}", fullmatch=True),  # statuses AWS may add later
)
texts = st.text(min_size=1, max_size=300)
optional_texts = st.none() | texts
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))
reasons = st.builds(
    DeniedReason,
    reason=texts,
    short_description=texts,
    long_description=optional_texts,
    documentation_title=optional_texts,
    documentation_link=st.none() | st.just("https://docs.aws.amazon.com/sms-voice/latest/userguide/x.html"),
)


@st.composite
def transitions(draw: st.DrawFn) -> Transition:
    status = draw(statuses)
    registration = RegistrationSummary(
        registration_id="registration-" + draw(st.from_regex(r"[0-9a-f]{12}", fullmatch=True)),
        registration_arn="arn:aws:sms-voice:eu-west-2:123456789012:registration/r",
        registration_type=draw(
            st.sampled_from(["US_TEN_DLC_BRAND_REGISTRATION", "UK_SENDER_ID", "NEW_TYPE"])
        ),
        registration_status=draw(statuses),
        current_version_number=draw(st.integers(1, 50)),
    )
    observed = draw(moments)
    timed = draw(st.booleans())
    if draw(st.booleans()):
        version = RegistrationVersion(
            version_number=draw(st.integers(1, 50)),
            status=status,
            status_history={
                history_key_for_status(s): draw(moments) for s in draw(st.lists(statuses, max_size=5))
            },
            denied_reasons=tuple(draw(st.lists(reasons, max_size=4))),
            feedback=draw(optional_texts),
        )
        return Transition(
            scope=Scope.VERSION,
            registration=registration,
            status=status,
            previous_status=draw(st.none() | statuses),
            status_timestamp=observed - timedelta(minutes=5) if timed else None,
            observed_at=observed,
            version=version,
            dedup_key=draw(st.text(max_size=20)),
            baseline=draw(st.booleans()),
        )
    return Transition(
        scope=Scope.REGISTRATION,
        registration=registration,
        status=status,
        previous_status=draw(st.none() | statuses),
        status_timestamp=None,
        observed_at=observed,
        registration_change=draw(st.sampled_from(list(RegistrationChange))),
        baseline=draw(st.booleans()),
    )


def assert_contract(event: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(event), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    parsed = parse_regwatch_event(event, SOURCE)
    assert parsed.detail.event_id == event["detail"]["eventId"]
    assert parsed.detail.status == event["detail"]["status"]
    assert parsed.detail_type == event["detail-type"]
    assert len(parsed.detail.denied_reasons) == len(event["detail"]["deniedReasons"])


def test_schema_is_valid_draft4() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transitions())
def test_generated_events_match_schema_and_model(transition: Transition) -> None:
    assert_contract(as_delivered(events.build_entry(transition, CONTEXT)))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sample_events_match_schema_and_model(sample: str) -> None:
    assert_contract(event_for(SAMPLES[sample]()))


@pytest.mark.parametrize("sample", sorted(REMINDER_SAMPLES))
def test_reminder_events_match_schema_and_model(sample: str) -> None:
    event = REMINDER_SAMPLES[sample]()
    assert event["detail-type"] == events.REMINDER_DETAIL_TYPE
    assert_contract(event)
    assert parse_regwatch_event(event, SOURCE).detail.reminder is not None


def test_trimmed_huge_event_matches_schema_and_model() -> None:
    event = event_for(huge_denial(reason_count=200, text_chars=20000))
    assert event["detail"]["truncated"] is True
    assert event["detail"]["truncatedFields"]
    assert_contract(event)


def test_schema_lists_exactly_the_fields_the_producer_writes() -> None:
    transition = SAMPLES["version_denied_with_reasons"]()
    detail = events.build_detail(transition, CONTEXT)
    # 1.0's fields are required; fields added in a minor version are optional (a 1.0 event lacks them).
    added_in_1_1 = {
        "alert",
        "registrationPreviousStatus",
        "registrationName",
        "registrationNameSource",
        "associations",
        "associationCount",
        "fieldFeedback",
    }
    added_in_1_2 = {"associationCountAtLeast", "statusSince"}
    # Registration fields are required through the first `anyOf` branch (target health events of
    # 1.1 describe an account and Region instead).
    registration = SCHEMA["properties"]["detail"]["anyOf"][0]["required"]
    required = set(SCHEMA["properties"]["detail"]["required"]) | set(registration)
    assert required | added_in_1_1 | added_in_1_2 == set(detail)
    assert set(detail) <= set(SCHEMA["properties"]["detail"]["properties"])
    reason_schema = SCHEMA["properties"]["detail"]["properties"]["deniedReasons"]["items"]
    assert set(reason_schema["required"]) == set(detail["deniedReasons"][0])


def test_schema_enums_follow_the_code() -> None:
    properties = SCHEMA["properties"]["detail"]["properties"]
    assert properties["severity"]["enum"] == [s.value for s in Severity]
    assert properties["scope"]["enum"] == [s.value for s in Scope]
    major = events.SCHEMA_VERSION.split(".")[0]
    assert properties["schemaVersion"]["pattern"] == f"^{major}\\.[0-9]+$"


def test_schema_rejects_what_consumers_must_not_accept() -> None:
    event = event_for(SAMPLES["version_approved"]())
    for broken in (
        {**event, "detail": {**event["detail"], "severity": "PANIC"}},
        {**event, "detail": {**event["detail"], "schemaVersion": "2.0"}},
        {**event, "detail": {k: v for k, v in event["detail"].items() if k != "eventId"}},
    ):
        assert not VALIDATOR.is_valid(broken)


def test_events_md_documents_the_current_schema_version() -> None:
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    assert re.search(rf'"schemaVersion":\s*"{re.escape(events.SCHEMA_VERSION)}"', text), (
        f"events.SCHEMA_VERSION is {events.SCHEMA_VERSION} but docs/events.md does not show it: "
        "update the document (and its versioning history) with the change"
    )
    assert f"`{events.SCHEMA_VERSION}`" in text


def test_events_md_documents_every_field_and_detail_type() -> None:
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    detail = events.build_detail(SAMPLES["version_denied_with_reasons"](), CONTEXT)
    missing = [f for f in [*detail, *detail["deniedReasons"][0]] if f"`{f}`" not in text]
    missing += [t for t in events.ALL_DETAIL_TYPES if t not in text]
    assert not missing, f"docs/events.md does not document {missing}"
