"""Target events (health 1.1, held deletions 1.2): schema, consumer model and every renderer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest

from destinations.slack.render import render_slack_message
from destinations.sns.render_chatbot import render_chatbot_notification
from regwatch.event_models import parse_regwatch_event
from regwatch.events import EventContext
from regwatch.health import HealthChange, HealthTransition
from regwatch.health_events import build_deletions_held_entry, build_health_entry
from regwatch.model import Scope
from regwatch.snapshot import HeldDeletions
from regwatch_alerts.render_text import render_text_notification
from tests.unit.test_contract_schema import VALIDATOR

SINCE = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
CONTEXT = EventContext("111122223333", "eu-west-1", "regwatch", "regwatch")


def envelope(change: HealthChange) -> dict[str, Any]:
    transition = HealthTransition(
        change,
        "ASSUME_ROLE_FAILED",
        "AccessDenied",
        "AssumeRole refused",
        SINCE,
        SINCE + timedelta(hours=2),
        3,
    )
    entry = build_health_entry(transition, CONTEXT)
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000001",
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2026-11-30T11:15:00Z",
        "region": "us-east-1",
        "resources": entry["Resources"],
        "detail": json.loads(entry["Detail"]),
    }


@pytest.mark.parametrize("change", list(HealthChange))
def test_health_events_match_the_schema_and_the_consumer_model(change: HealthChange) -> None:
    event = envelope(change)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(event)]
    assert not errors
    parsed = parse_regwatch_event(event, "regwatch")
    assert parsed.detail.scope is Scope.TARGET
    assert parsed.detail.since == SINCE and parsed.detail.reason == "ASSUME_ROLE_FAILED"


def test_the_schema_still_requires_registration_fields_of_registration_events() -> None:
    event = envelope(HealthChange.UNHEALTHY)
    event["detail"]["scope"] = "VERSION"
    assert not VALIDATOR.is_valid(event)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, VALIDATOR.schema)


def test_every_renderer_says_which_target_why_and_since_when() -> None:
    unhealthy = parse_regwatch_event(envelope(HealthChange.UNHEALTHY), "regwatch")
    text = render_text_notification(unhealthy)
    assert "111122223333" in text.subject and "cannot be scanned" in text.subject
    assert "eu-west-1" in text.body and "2026-11-30 09:15 UTC" in text.body and "AccessDenied" in text.body
    slack = json.dumps(render_slack_message(unhealthy))
    assert "111122223333" in slack and "Assume role failed" in slack
    chatbot = render_chatbot_notification(unhealthy)
    assert chatbot["metadata"]["threadId"] == "111122223333/eu-west-1"
    assert chatbot["metadata"]["relatedResources"] == []
    recovered = parse_regwatch_event(envelope(HealthChange.RECOVERED), "regwatch")
    assert "recovered" in render_text_notification(recovered).subject


def held_envelope() -> dict[str, Any]:
    held = HeldDeletions("scan-7", SINCE, count=40, known=40)
    entry = build_deletions_held_entry(held, CONTEXT)
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000002",
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2026-11-30T09:15:00Z",
        "region": "us-east-1",
        "resources": entry["Resources"],
        "detail": json.loads(entry["Detail"]),
    }


def test_held_deletions_match_the_schema_and_the_consumer_model() -> None:
    event = held_envelope()
    assert event["detail-type"] == "Target Deletions Held"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(event)]
    assert not errors
    parsed = parse_regwatch_event(event, "regwatch")
    assert parsed.detail.scope is Scope.TARGET and parsed.detail.status == "TARGET_DELETIONS_HELD"
    assert parsed.detail.held_deletions == 40 and parsed.detail.registrations_known == 40
    assert parsed.detail.severity.value == "ACTION_REQUIRED"


def test_the_held_deletions_id_is_one_per_listing_cycle() -> None:
    first = held_envelope()["detail"]["eventId"]
    assert held_envelope()["detail"]["eventId"] == first
    other = build_deletions_held_entry(HeldDeletions("scan-8", SINCE, 40, 40), CONTEXT)
    assert json.loads(other["Detail"])["eventId"] != first


def test_every_renderer_says_how_many_deletions_are_held_and_how_to_confirm() -> None:
    held = parse_regwatch_event(held_envelope(), "regwatch")
    text = render_text_notification(held)
    assert "40 deletions held" in text.subject and "111122223333" in text.subject
    body = " ".join(text.body.split())
    assert "regwatch deletions confirm --account 111122223333 --region eu-west-1" in body
    assert "cannot be scanned" not in text.subject
    slack = json.dumps(render_slack_message(held))
    assert "40 of 40" in slack
    chatbot = render_chatbot_notification(held)
    assert chatbot["metadata"]["threadId"] == "111122223333/eu-west-1"
