"""Contract 1.2: RCS launch and Notify configuration events agree with the written contract.

Every event `regwatch.messaging_events.build_messaging_entry` produces (generated launches and
configurations with unknown statuses and odd texts) validates against docs/events.schema.json
and parses with the consumer model; the schema lists exactly the fields the producer writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regwatch.event_models import parse_regwatch_event
from regwatch.events import ALL_DETAIL_TYPES, SCHEMA_VERSION
from regwatch.messaging_events import MESSAGING_DETAIL_TYPES, build_messaging_detail, build_messaging_entry
from regwatch.messaging_resources import (
    MessagingKind,
    MessagingSnapshot,
    MessagingTransition,
    NotifyConfiguration,
    RcsCountryLaunch,
    diff_messaging,
)
from regwatch.notification_errors import InvalidEvent
from tests.golden.sample_events import CONTEXT, MESSAGING_SAMPLES, SOURCE, as_delivered
from tests.unit.test_contract_schema import DOCS, SCHEMA

VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
statuses = st.one_of(
    st.sampled_from(["CREATED", "PENDING", "PARTIAL", "ACTIVE", "REJECTED", "REQUIRES_VERIFICATION"]),
    st.from_regex(r"[A-Z][A-Z_]{2,30}", fullmatch=True),  # statuses AWS may add later
)
texts = st.text(min_size=1, max_size=300)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))
launches = st.builds(
    RcsCountryLaunch,
    agent_id=st.from_regex(r"rcs-[a-z0-9]{4,12}", fullmatch=True),
    agent_arn=st.just("arn:aws:sms-voice:us-east-1:123456789012:rcs-agent/x") | st.just(""),
    iso_country_code=st.sampled_from(["US", "CA", "GB", "DE"]),
    status=statuses,
    registration_id=st.none() | st.just("registration-0a1b"),
    carriers=st.dictionaries(texts, statuses, max_size=4),
)
configurations = st.builds(
    NotifyConfiguration,
    configuration_id=st.from_regex(r"notify-[a-z0-9]{4,12}", fullmatch=True),
    configuration_arn=st.just("arn:aws:sms-voice:us-east-1:123456789012:notify-configuration/x"),
    display_name=texts,
    status=statuses,
    rejection_reason=st.none() | st.text(max_size=3000),
    tier=st.none() | st.just("BASIC"),
    tier_upgrade_status=st.none() | statuses,
)


def assert_contract(event: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(event), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    parsed = parse_regwatch_event(event, SOURCE)
    assert parsed.detail.event_id == event["detail"]["eventId"]
    assert parsed.detail.status == event["detail"]["status"]
    assert parsed.detail.resource_id == event["detail"]["resourceId"]
    assert parsed.detail_type in MESSAGING_DETAIL_TYPES


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(launches, max_size=3),
    st.lists(configurations, max_size=3),
    st.lists(launches, max_size=3),
    st.lists(configurations, max_size=3),
    moments,
)
def test_generated_changes_match_schema_and_model(
    before_launches: list[RcsCountryLaunch],
    before_configurations: list[NotifyConfiguration],
    now_launches: list[RcsCountryLaunch],
    now_configurations: list[NotifyConfiguration],
    observed: datetime,
) -> None:
    _, snapshot = diff_messaging(before_launches, before_configurations, MessagingSnapshot(), observed)
    transitions, _ = diff_messaging(now_launches, now_configurations, snapshot, observed)
    for transition in transitions:
        assert_contract(as_delivered(build_messaging_entry(transition, CONTEXT)))


@pytest.mark.parametrize("sample", sorted(MESSAGING_SAMPLES))
def test_sample_events_match_schema_and_model(sample: str) -> None:
    event = MESSAGING_SAMPLES[sample]()
    assert event["detail"]["schemaVersion"] == SCHEMA_VERSION
    assert_contract(event)


def test_schema_lists_exactly_the_fields_the_producer_writes() -> None:
    properties = set(SCHEMA["properties"]["detail"]["properties"])
    [branch] = [
        b for b in SCHEMA["properties"]["detail"]["anyOf"] if "RCS_LAUNCH" in b["properties"]["scope"]["enum"]
    ]
    required = set(SCHEMA["properties"]["detail"]["required"]) | set(branch["required"])
    for sample in MESSAGING_SAMPLES.values():
        detail = sample()["detail"]
        assert set(detail) <= properties
        assert required <= set(detail)
    written = {f for make in MESSAGING_SAMPLES.values() for f in make()["detail"]}
    text = (DOCS / "events.md").read_text(encoding="utf-8")
    assert not [f for f in written if f"`{f}`" not in text], "docs/events.md documents every field"
    assert all(t in text for t in MESSAGING_DETAIL_TYPES)
    assert set(MESSAGING_DETAIL_TYPES) <= set(ALL_DETAIL_TYPES)


def test_a_messaging_event_without_its_resource_is_refused_by_schema_and_model() -> None:
    event = MESSAGING_SAMPLES["notify_configuration_rejected"]()
    broken = {**event, "detail": {k: v for k, v in event["detail"].items() if k != "resourceId"}}
    assert not VALIDATOR.is_valid(broken)
    with pytest.raises(InvalidEvent, match="resourceId"):
        parse_regwatch_event(broken, SOURCE)


def test_the_same_change_has_the_same_event_id_and_a_carrier_change_a_new_one() -> None:
    def launch(**carriers: str) -> RcsCountryLaunch:
        return RcsCountryLaunch("rcs-a", "arn", "US", "PARTIAL", "registration-1", carriers)

    moment = datetime(2026, 12, 1, tzinfo=UTC)
    _, seen = diff_messaging([launch(A="PENDING", B="PENDING")], [], MessagingSnapshot(), moment)
    first, _ = diff_messaging([launch(A="ACTIVE", B="PENDING")], [], seen, moment)
    again, _ = diff_messaging([launch(A="ACTIVE", B="PENDING")], [], seen, moment.replace(hour=5))
    other, _ = diff_messaging([launch(A="PENDING", B="ACTIVE")], [], seen, moment)
    ids = [build_messaging_detail(t[0], CONTEXT)["eventId"] for t in (first, again, other)]
    assert ids[0] == ids[1] != ids[2]
    assert [c.carrier_name for c in first[0].carriers if c.changed] == ["A"]
    assert isinstance(first[0], MessagingTransition) and first[0].kind is MessagingKind.RCS_LAUNCH


def test_nothing_changed_means_no_transition_and_a_vanished_resource_is_dropped() -> None:
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    configuration = NotifyConfiguration("notify-1", "arn", "OTP", "PENDING")
    _, seen = diff_messaging([], [configuration], MessagingSnapshot(), moment)
    assert diff_messaging([], [configuration], seen, moment)[0] == []
    reason_only = NotifyConfiguration("notify-1", "arn", "OTP", "PENDING", rejection_reason="new text")
    [changed] = diff_messaging([], [reason_only], seen, moment)[0]
    assert (changed.previous_status, changed.status) == ("PENDING", "PENDING")
    transitions, after = diff_messaging([], [], seen, moment)
    assert transitions == [] and after.configurations == {}
