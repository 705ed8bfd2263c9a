"""SNS text and Chatbot rendering: subject limits, attributes, sizes, neutralised text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from destinations.sns.render_chatbot import render_chatbot_notification
from regwatch.event_models import parse_regwatch_event
from regwatch_alerts.render_text import BODY_BYTES_LIMIT, SUBJECT_LIMIT, render_text_notification
from tests.golden.sample_events import SAMPLES, SOURCE, event_for, huge_denial, version_transition


def _parse(event: dict[str, Any]) -> Any:
    return parse_regwatch_event(event, SOURCE)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_subject_fits_sns_rules(sample: str) -> None:
    subject = render_text_notification(_parse(event_for(SAMPLES[sample]()))).subject
    assert 0 < len(subject) <= SUBJECT_LIMIT
    assert subject.isascii()
    assert "\n" not in subject


def test_long_id_and_unicode_status_still_make_a_valid_subject() -> None:
    transition = version_transition(
        "NEW_STATUS_" + "X" * 120, "REVIEWING", registration_id="registration-" + "é" * 80
    )
    subject = render_text_notification(_parse(event_for(transition))).subject
    assert len(subject) <= SUBJECT_LIMIT
    assert subject.isascii()
    assert subject.endswith("...")


def test_attributes_for_filter_policies() -> None:
    attributes = render_text_notification(_parse(event_for(SAMPLES["version_revoked"]()))).attributes
    assert attributes["status"] == "REVOKED"
    assert attributes["severity"] == "ACTION_REQUIRED"
    assert attributes["registrationType"] == "US_TEN_DLC_CAMPAIGN_REGISTRATION"
    assert attributes["region"] == "us-east-1"


def test_huge_body_stays_under_sns_limit() -> None:
    body = render_text_notification(_parse(event_for(huge_denial(reason_count=200, text_chars=20000)))).body
    assert len(body.encode("utf-8")) <= BODY_BYTES_LIMIT


def test_chatbot_payload_shape_and_threading() -> None:
    event = event_for(SAMPLES["version_requires_authentication_10dlc_brand"]())
    payload = render_chatbot_notification(_parse(event))
    assert payload["version"] == "1.0"
    assert payload["source"] == "custom"
    assert payload["metadata"]["threadId"] == event["detail"]["registrationId"]
    assert set(payload["content"]) >= {"title", "description", "nextSteps", "keywords"}
    assert any("2025-03-10 09:15 UTC" in step for step in payload["content"]["nextSteps"])
    json.dumps(payload)  # serialisable as the SNS message


def test_chatbot_neutralises_mentions_and_links() -> None:
    payload = render_chatbot_notification(_parse(event_for(SAMPLES["denied_mrkdwn_injection"]())))
    text = json.dumps(payload, ensure_ascii=False)
    assert "<" not in text
    assert ">" not in text
    assert "@here" not in text
