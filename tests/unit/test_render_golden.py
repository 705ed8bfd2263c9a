"""Golden files of what people receive, reviewed by eye.

`REGWATCH_UPDATE_GOLDEN=1 pytest tests/unit/test_render_golden.py` rewrites them;
review the diff like code: it is the on-call engineer's 3 a.m. reading.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regwatch.event_models import parse_notification, parse_regwatch_event
from regwatch_alerts.render_chatbot import render_chatbot_notification
from regwatch_alerts.render_pagerduty import render_pagerduty_trigger
from regwatch_alerts.render_slack import render_slack_message
from regwatch_alerts.render_teams import render_teams_message
from regwatch_alerts.render_text import render_text_notification
from tests.golden.sample_events import DIGEST_SAMPLES, REMINDER_SAMPLES, SAMPLES, SOURCE, event_for

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("REGWATCH_UPDATE_GOLDEN") == "1"


def _slack(event: dict[str, Any]) -> str:
    return json.dumps(render_slack_message(parse_notification(event, SOURCE)), indent=2, ensure_ascii=False)


def _sns_text(event: dict[str, Any]) -> str:
    text = render_text_notification(parse_notification(event, SOURCE))
    attributes = ", ".join(f"{k}={v}" for k, v in text.attributes.items())
    return f"Subject: {text.subject}\nAttributes: {attributes}\n\n{text.body}"


def _chatbot(event: dict[str, Any]) -> str:
    return json.dumps(
        render_chatbot_notification(parse_notification(event, SOURCE)), indent=2, ensure_ascii=False
    )


def _teams(event: dict[str, Any]) -> str:
    return json.dumps(render_teams_message(parse_regwatch_event(event, SOURCE)), indent=2, ensure_ascii=False)


def _pagerduty(event: dict[str, Any]) -> str:
    trigger = render_pagerduty_trigger(parse_regwatch_event(event, SOURCE), event["detail"])
    return json.dumps(trigger, indent=2, ensure_ascii=False)


RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "slack": ("json", _slack),
    "sns": ("txt", _sns_text),
    "chatbot": ("json", _chatbot),
    "teams": ("json", _teams),
    "pagerduty": ("json", _pagerduty),
}


EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    **{name: (lambda make=make: event_for(make())) for name, make in SAMPLES.items()},
    **REMINDER_SAMPLES,
    **DIGEST_SAMPLES,
}


# The daily digest goes only to the destinations `digestDestinations` accepts (Slack, SNS).
DIGEST_CHANNELS = ("slack", "sns", "chatbot")
CASES = [
    (sample, channel)
    for sample in sorted(EVENTS)
    for channel in sorted(RENDERERS)
    if sample not in DIGEST_SAMPLES or channel in DIGEST_CHANNELS
]


@pytest.mark.parametrize(("sample", "channel"), CASES)
def test_rendering_matches_golden_file(sample: str, channel: str) -> None:
    suffix, render = RENDERERS[channel]
    rendered = render(EVENTS[sample]()) + "\n"
    path = GOLDEN / channel / f"{sample}.{suffix}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with REGWATCH_UPDATE_GOLDEN=1 and review it"
    assert rendered == path.read_text(encoding="utf-8"), (
        f"{channel} rendering of {sample} changed; if intended, regenerate with REGWATCH_UPDATE_GOLDEN=1 "
        "and review the diff"
    )


def test_every_golden_file_has_a_sample() -> None:
    # A renamed sample must not leave a stale golden file nobody reviews.
    names = {p.stem for channel in RENDERERS for p in (GOLDEN / channel).glob("*.*")}
    assert names, "no golden files found"
    assert names <= set(EVENTS), f"golden files without a sample: {sorted(names - set(EVENTS))}"
