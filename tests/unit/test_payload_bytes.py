"""Rendering hygiene: every destination's size limit is counted in bytes of the payload it sends,
and Slack shows AWS's text as written.

The worst case is long CJK text with emoji (3 and 4 bytes a character; 6 and 12 in Slack's
ASCII-escaped JSON): ten denial reasons of 1,000 characters and ten flagged fields. Each test
first shows the case really is over the limit when nothing is cut (so it can fail), then that
what is sent is within it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from destinations.pagerduty.render import EVENT_BYTES_LIMIT, event_bytes, render_pagerduty_trigger
from destinations.slack import render as slack
from destinations.slack.mrkdwn import plain_notification
from destinations.sns.render_chatbot import render_chatbot_notification
from destinations.teams import render as teams
from regwatch.event_models import parse_regwatch_event
from regwatch_alerts.render_text import BODY_BYTES_LIMIT, render_text_notification
from tests.golden.sample_events import SAMPLES, SOURCE, event_for

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CJK = "同意の取得方法とオプトインの画面を説明してください。🚫📵"  # 27 characters, 2 of them emoji
SNS_MESSAGE_BYTES = 256 * 1024


def worst_case() -> dict[str, Any]:
    event = event_for(SAMPLES["named_version_denied_with_field_feedback"]())
    detail = event["detail"]
    detail["registrationName"] = "株式会社アクメ 🚀 マーケティング"
    reason = detail["deniedReasons"][0]
    detail["deniedReasons"] = [
        {**reason, "reason": f"理由_{n}", "shortDescription": CJK * 3, "longDescription": CJK * 37}
        for n in range(10)
    ]
    detail["fieldFeedback"] = [
        {"fieldPath": f"companyInfo.field{n}", "deniedReason": CJK * 5, "feedback": CJK * 30}
        for n in range(10)
    ]
    return event


def test_the_worst_case_is_large() -> None:
    detail = worst_case()["detail"]
    assert len(json.dumps(detail, ensure_ascii=False).encode()) > 28_000


def test_teams_counts_bytes_and_stays_under_28_kb() -> None:
    parsed = parse_regwatch_event(worst_case(), SOURCE)
    content = teams.describe(parsed)
    uncut = teams._message(
        teams._card(content, parsed.detail.event_id, teams.TEXT_LIMIT, teams.MAX_REASONS_SHOWN)
    )
    assert teams.message_bytes(uncut) > teams.MESSAGE_BYTES_LIMIT  # what a character budget sent (~35 KB)
    message = teams.render_teams_message(parsed)
    assert teams.message_bytes(message) <= teams.MESSAGE_BYTES_LIMIT
    texts = json.dumps(message, ensure_ascii=False)
    assert "Fields the reviewer flagged" in texts and "Why AWS denied it" in texts
    assert "同意" in texts  # the reasons and fields are shown, shortened, not dropped


def test_teams_shows_each_flagged_field_like_slack() -> None:
    parsed = parse_regwatch_event(event_for(SAMPLES["named_version_denied_with_field_feedback"]()), SOURCE)
    card = json.dumps(teams.render_teams_message(parsed), ensure_ascii=False)
    for field in teams.describe(parsed).flagged_fields:
        assert teams.escape_card_text(field.field) in card
        if field.feedback:
            assert teams.escape_card_text(field.feedback) in card


def test_slack_counts_the_bytes_slack_sdk_sends() -> None:
    event = worst_case()
    event["detail"]["deniedReasons"] *= 3  # 30 reasons of CJK: Block Kit's per-block limits alone allow ~1 MB
    parsed = parse_regwatch_event(event, SOURCE)
    message = slack.render_slack_message(parsed)
    assert slack.message_bytes(message) <= slack.MESSAGE_BYTES_LIMIT
    assert len(message["blocks"]) <= slack.MAX_BLOCKS
    assert "open the registration in the console" in json.dumps(message)
    reasons = [b for b in slack._reason_blocks(slack.describe(parsed))]
    assert len(json.dumps(reasons).encode()) > slack.MESSAGE_BYTES_LIMIT  # the uncut blocks would not fit


def test_pagerduty_counts_bytes_of_the_event() -> None:
    event = worst_case()
    # A detail far over what EventBridge carries (a hand-made or replayed event): still under 512 KB.
    event["detail"]["deniedReasons"] *= 20
    parsed = parse_regwatch_event(event, SOURCE)
    assert len(json.dumps(event["detail"], ensure_ascii=False).encode()) > EVENT_BYTES_LIMIT
    body = render_pagerduty_trigger(parsed, event["detail"])
    assert event_bytes(body) <= EVENT_BYTES_LIMIT
    assert len(body["payload"]["summary"]) <= 1024
    assert body["payload"]["custom_details"]["shortenedForPagerDuty"]
    assert body["payload"]["custom_details"]["eventId"] == event["detail"]["eventId"]


def test_sns_text_and_chatbot_messages_count_bytes() -> None:
    event = worst_case()
    event["detail"]["deniedReasons"] *= 5
    parsed = parse_regwatch_event(event, SOURCE)
    text = render_text_notification(parsed)
    assert len(text.body.encode()) <= BODY_BYTES_LIMIT
    chatbot = json.dumps(render_chatbot_notification(parsed), ensure_ascii=False).encode()
    assert len(chatbot) <= SNS_MESSAGE_BYTES


def _mrkdwn_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node
        for value in node.values():
            yield from _mrkdwn_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mrkdwn_objects(value)


@pytest.mark.parametrize("path", sorted((GOLDEN / "slack").glob("*.json")), ids=lambda p: p.stem)
def test_every_slack_mrkdwn_object_is_verbatim(path: Path) -> None:
    message = json.loads(path.read_text(encoding="utf-8"))
    objects = list(_mrkdwn_objects(message["blocks"]))
    assert objects and all(o.get("verbatim") is True for o in objects), path.name


def test_api_text_cannot_go_live_in_slack() -> None:
    parsed = parse_regwatch_event(event_for(SAMPLES["denied_mrkdwn_injection"]()), SOURCE)
    message = slack.render_slack_message(parsed)
    for block in _mrkdwn_objects(message["blocks"]):
        assert "<!channel>" not in block["text"] and "<https://evil" not in block["text"]
    assert "://" not in plain_notification("see https://evil.example now")
    assert "@here" not in plain_notification("hello @here")
    assert "@Channel" not in plain_notification("hello @Channel")
