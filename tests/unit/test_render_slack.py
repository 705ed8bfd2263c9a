"""Slack rendering: Block Kit limits hold, API text cannot ping or forge links."""

from __future__ import annotations

import re
from typing import Any

import pytest

from destinations.slack.mrkdwn import escape_mrkdwn, fit
from destinations.slack.render import HEADER_TEXT_LIMIT, MAX_BLOCKS, render_slack_message
from local.slack_webhook import block_kit_problem
from regwatch.event_models import parse_regwatch_event
from tests.golden.sample_events import INJECTION, SAMPLES, SOURCE, event_for, huge_denial


def _render(event: dict[str, Any]) -> dict[str, Any]:
    return render_slack_message(parse_regwatch_event(event, SOURCE))


def _mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    texts = [message["text"]]
    for block in message["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
        texts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return texts


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_sample_is_valid_block_kit(sample: str) -> None:
    message = _render(event_for(SAMPLES[sample]()))
    assert block_kit_problem(message) is None
    assert message["text"]


def test_injection_attempts_are_neutralised() -> None:
    message = _render(event_for(SAMPLES["denied_mrkdwn_injection"]()))
    for text in _mrkdwn_texts(message):
        assert "<!" not in text
        assert "<@" not in text
        # The only links left are ones regwatch made; none points at the attacker's host.
        assert not re.search(r"<https?://evil", text)
    assert "&lt;!channel&gt;" in " ".join(_mrkdwn_texts(message))


def test_huge_texts_are_cut_to_block_kit_limits() -> None:
    message = _render(event_for(huge_denial()))
    assert block_kit_problem(message) is None
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert len(message["blocks"][0]["text"]["text"]) <= HEADER_TEXT_LIMIT
    assert any("more reasons: open the registration in the console" in t for t in _mrkdwn_texts(message))


def test_reason_text_keeps_its_documentation_link_when_cut() -> None:
    message = _render(event_for(huge_denial(reason_count=3, text_chars=9000)))
    reason_blocks = [t for t in _mrkdwn_texts(message) if t.startswith("*REASON_")]
    assert len(reason_blocks) == 3
    for text in reason_blocks:
        assert len(text) <= 3000
        assert re.search(r"<https://docs\.aws\.amazon\.com/\S+#section-\d+\|Doc \d+>$", text)


def test_authentication_alert_states_the_deadline() -> None:
    message = _render(event_for(SAMPLES["version_requires_authentication_10dlc_brand"]()))
    text = " ".join(_mrkdwn_texts(message))
    assert "until about 2025-03-10 09:15 UTC" in text
    assert "noreply@auth.campaignregistry.com" in text


def test_escape_and_fit_never_split_an_entity() -> None:
    escaped = escape_mrkdwn("a&b<c>d" * 10)
    assert escaped.startswith("a&amp;b&lt;c&gt;d")
    for limit in range(1, 40):
        cut = fit(escaped, limit)
        assert len(cut) <= limit
        assert not re.search(r"&[a-z]*…$", cut)
    assert escape_mrkdwn(INJECTION).count("<") == 0
