"""The consumer model rejects what is not contract v1, naming the problem, and keeps
what later minor versions may add."""

from __future__ import annotations

import re
from typing import Any

import pytest

from regwatch.event_models import parse_regwatch_event
from regwatch.model import Scope
from regwatch.notification_errors import InvalidEvent
from regwatch.severity import Severity
from tests.golden.sample_events import SAMPLES, SOURCE, event_for


def _event() -> dict[str, Any]:
    return event_for(SAMPLES["version_denied_with_reasons"]())


def test_parses_a_produced_event() -> None:
    event = _event()
    parsed = parse_regwatch_event(event, SOURCE)
    assert parsed.detail.severity is Severity.ACTION_REQUIRED
    assert parsed.detail.scope is Scope.VERSION
    assert (
        parsed.detail.denied_reasons[0].documentation_link
        == event["detail"]["deniedReasons"][0]["documentationLink"]
    )
    assert parsed.detail.status_timestamp is not None
    assert parsed.detail.status_timestamp.utcoffset() is not None


def test_later_minor_version_with_new_fields_still_parses() -> None:
    event = _event()
    event["detail"] = {**event["detail"], "schemaVersion": "1.7", "newField": {"x": 1}}
    assert parse_regwatch_event(event, SOURCE).detail.schema_version == "1.7"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: {**e, "source": "aws.sms-voice"}, "source 'aws.sms-voice' is not the configured source"),
        (lambda e: {**e, "detail": {**e["detail"], "schemaVersion": "2.0"}}, "major version 2"),
        (lambda e: {**e, "detail": {**e["detail"], "schemaVersion": "one"}}, "<major>.<minor>"),
        (lambda e: {**e, "detail": {**e["detail"], "scope": "ACCOUNT"}}, "detail.scope"),
        (lambda e: {**e, "detail": {**e["detail"], "observedAt": "yesterday"}}, "detail.observedAt"),
        (lambda e: {**e, "detail": {**e["detail"], "deniedReasons": [{"reason": "x"}]}}, "shortDescription"),
        (lambda e: {**e, "detail": "{}"}, "detail"),
        (lambda e: None, "got NoneType"),
    ],
)
def test_rejections_name_the_problem(mutate: Any, expected: str) -> None:
    with pytest.raises(InvalidEvent, match=re.escape(expected)):
        parse_regwatch_event(mutate(_event()), SOURCE)


def test_missing_fields_are_all_listed() -> None:
    event = _event()
    detail = {k: v for k, v in event["detail"].items() if k not in {"eventId", "registrationId"}}
    with pytest.raises(InvalidEvent) as failure:
        parse_regwatch_event({**event, "detail": detail}, SOURCE)
    assert "detail.eventId: Field required" in str(failure.value)
    # With the common fields valid, the missing registration fields are all named.
    detail = {k: v for k, v in event["detail"].items() if k not in {"registrationId", "consoleUrl"}}
    with pytest.raises(InvalidEvent) as failure:
        parse_regwatch_event({**event, "detail": detail}, SOURCE)
    assert "missing fields of a VERSION event: registrationId, consoleUrl" in str(failure.value)
