"""End to end: the demo stack with PagerDuty and Teams enabled plays the scripted story.

Everything the registry derives is exercised for real: the synthesized template has the
two extra functions and rules, moto provisions them, the bundled generic notifier runs under
awslambdaric with DESTINATION from the template, and the local sinks receive. The story's
brand needs authentication and is later approved: its PagerDuty incident resolves itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.run import LocalStack, StackOptions


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, Path]]:
    output = tmp_path_factory.mktemp("demo-destinations")
    options = StackOptions(
        output_dir=output, destinations=("pagerduty", "teams"), context={"targetRetryAttempts": 2}
    )
    with LocalStack(options) as stack:
        stack.play()
        yield stack, output


def _incident(stack: LocalStack, registration_fragment: str) -> list[str]:
    pagerduty = stack.sinks.pagerduty
    assert pagerduty is not None
    return [i.status for i in pagerduty.incidents if registration_fragment in i.dedup_key]


def test_incidents_open_on_action_required_and_resolve_themselves(story: tuple[LocalStack, Path]) -> None:
    stack, _ = story
    assert _incident(stack, "acmebrand") == ["resolved"]  # REQUIRES_AUTHENTICATION, then APPROVED
    assert _incident(stack, "acmemarketing") == ["resolved"]  # v2 DENIED, then v3 APPROVED
    assert _incident(stack, "acmepromo") == ["triggered"]  # denied, never fixed
    pagerduty = stack.sinks.pagerduty
    assert pagerduty is not None
    revoked = [i for i in pagerduty.incidents if "tollfreewest" in i.dedup_key]
    assert [(i.status, i.severity) for i in revoked] == [("triggered", "critical")]
    # One incident per registration, however many events it had.
    keys = [i.dedup_key for i in pagerduty.incidents]
    assert len(keys) == len(set(keys))


def test_teams_receives_every_routed_alert_once(story: tuple[LocalStack, Path]) -> None:
    stack, _ = story
    teams = stack.sinks.teams
    assert teams is not None and teams.rejections == []
    routed = {
        e["detail"]["eventId"]
        for e in stack.transitions
        if e["detail"]["severity"] in {"ACTION_REQUIRED", "GOOD_NEWS"} and e["detail"].get("alert", True)
    }
    carried = [e for card in teams.cards for e in routed if f"regwatch event {e}" in json.dumps(card)]
    assert sorted(carried) == sorted(routed)


def test_nothing_dead_lettered_and_previews_written(story: tuple[LocalStack, Path]) -> None:
    stack, output = story
    dead = stack.dead_letters()
    assert dead.get("NotifyPagerDuty") == [] and dead.get("NotifyTeams") == []
    previews = stack.sinks.write_previews(output)
    assert {p.name for p in previews} == {"teams.html", "pagerduty.html"}
    assert "resolved" in (output / "pagerduty.html").read_text(encoding="utf-8")
