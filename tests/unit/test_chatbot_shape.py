"""The no-secret route: SNS in Amazon Q Developer in chat applications (AWS Chatbot) format.

Chatbot posts a custom notification to Slack or Teams only if the SNS message has the
documented shape (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html); a message
it does not understand is dropped silently. This schema is that page's shape and limits,
checked for every sample event (the golden files show the content).
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from destinations.sns.render_chatbot import render_chatbot_notification
from regwatch.event_models import parse_regwatch_event
from tests.golden.sample_events import SAMPLES, SOURCE, event_for, huge_denial

_TEXT = {"type": "string", "minLength": 1}
CUSTOM_NOTIFICATION = {
    "type": "object",
    "required": ["version", "source", "content"],
    "properties": {
        "version": {"enum": ["1.0"]},
        "source": {"enum": ["custom"]},
        "id": {"type": "string"},
        "content": {
            "type": "object",
            "required": ["description"],
            "additionalProperties": False,
            "properties": {
                "textType": {"enum": ["client-markdown"]},
                "title": {"type": "string", "maxLength": 250},
                "description": {"type": "string", "minLength": 1, "maxLength": 8000},
                "nextSteps": {"type": "array", "items": _TEXT},
                "keywords": {"type": "array", "items": _TEXT},
            },
        },
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "threadId": {"type": "string", "maxLength": 128},
                "summary": {"type": "string"},
                "eventType": {"type": "string"},
                "relatedResources": {"type": "array", "items": {"type": "string"}},
                "additionalContext": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_sample_has_the_custom_notification_shape(sample: str) -> None:
    event = event_for(SAMPLES[sample]())
    message = render_chatbot_notification(parse_regwatch_event(event, SOURCE))
    jsonschema.validate(message, CUSTOM_NOTIFICATION)
    assert message["metadata"]["threadId"] == event["detail"]["registrationId"]
    assert message["id"] == event["detail"]["eventId"]
    assert len(json.dumps(message).encode("utf-8")) < 256 * 1024  # one SNS message


def test_a_huge_denial_stays_within_the_limits() -> None:
    message = render_chatbot_notification(parse_regwatch_event(event_for(huge_denial()), SOURCE))
    jsonschema.validate(message, CUSTOM_NOTIFICATION)
    assert len(message["content"]["description"]) <= 3500


def test_the_schema_rejects_a_wrong_shape() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"version": "1.0", "source": "custom", "content": {"text": "x"}}, CUSTOM_NOTIFICATION
        )
