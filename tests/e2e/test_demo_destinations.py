"""End to end: the demo stack with every opt-in destination (PagerDuty, Teams, the signed webhook)
and Slack threads enabled plays the scripted story.

Everything the registry derives is exercised for real: the synthesized template has the
two extra functions and rules, moto provisions them, the bundled generic notifier runs under
awslambdaric with DESTINATION from the template, and the local sinks receive. The story's
brand needs authentication and is later approved: its PagerDuty incident resolves itself.
The thread-mode copy of the Slack notifier gets the same events as the webhook one and keeps
one thread per registration on the local Slack Web API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.run import EVENT_ID_IN_TEXT, LocalStack, StackOptions
from local.sinks import opt_in_destinations
from local.sinks.pagerduty import PagerDutySink
from local.sinks.teams import TeamsSink
from local.sinks.webhook import WebhookSink
from local.slack_thread_demo import CHANNEL_ID, FUNCTION_ID


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, Path]]:
    output = tmp_path_factory.mktemp("demo-destinations")
    options = StackOptions(
        output_dir=output,
        destinations=(*opt_in_destinations(), "slack-thread"),
        context={"targetRetryAttempts": 2},
    )
    with LocalStack(options) as stack:
        stack.play()
        yield stack, output


def _incident(stack: LocalStack, registration_fragment: str) -> list[str]:
    pagerduty = stack.sinks.by_name["pagerduty"]
    assert isinstance(pagerduty, PagerDutySink)
    return [i.status for i in pagerduty.server.incidents if registration_fragment in i.dedup_key]


def test_incidents_open_on_action_required_and_resolve_themselves(story: tuple[LocalStack, Path]) -> None:
    stack, _ = story
    assert _incident(stack, "acmebrand") == ["resolved"]  # REQUIRES_AUTHENTICATION, then APPROVED
    assert _incident(stack, "acmemarketing") == ["resolved"]  # v2 DENIED, then v3 APPROVED
    assert _incident(stack, "acmepromo") == ["triggered"]  # denied, never fixed
    pagerduty = stack.sinks.by_name["pagerduty"].server
    revoked = [i for i in pagerduty.incidents if "tollfreewest" in i.dedup_key]
    assert [(i.status, i.severity) for i in revoked] == [("triggered", "critical")]
    # One incident per registration, however many events it had.
    keys = [i.dedup_key for i in pagerduty.incidents]
    assert len(keys) == len(set(keys))


def test_teams_receives_every_routed_alert_once(story: tuple[LocalStack, Path]) -> None:
    stack, _ = story
    sink = stack.sinks.by_name["teams"]
    assert isinstance(sink, TeamsSink)
    teams = sink.server
    assert teams.rejections == []
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
    for name in opt_in_destinations():
        assert dead.get(stack.sinks.by_name[name].spec.construct_id) == [], name
    assert dead.get(FUNCTION_ID) == []
    previews = stack.sinks.write_previews(output)
    assert {p.name for p in previews} == {f"{name}.html" for name in opt_in_destinations()} | {
        "slack-threads.html"
    }
    assert "resolved" in (output / "pagerduty.html").read_text(encoding="utf-8")


def test_the_signed_webhook_receives_every_routed_alert_verified_once(story: tuple[LocalStack, Path]) -> None:
    stack, output = story
    sink = stack.sinks.by_name["webhook"]
    assert isinstance(sink, WebhookSink)
    assert sink.server.rejections == []  # every request's signature and timestamp checked
    routed = {
        e["detail"]["eventId"]
        for e in stack.transitions
        if e["detail"]["severity"] in {"ACTION_REQUIRED", "GOOD_NEWS"} and e["detail"].get("alert", True)
    }
    received = [d.webhook_id for d in sink.server.deliveries if d.payload["type"] != "Registration Digest"]
    assert sorted(received) == sorted(routed)
    assert all(d.payload["data"]["eventId"] == d.webhook_id for d in sink.server.deliveries)
    assert "events verified" in sink.summary()
    assert "webhook-id" in sink.write_preview(output).read_text(encoding="utf-8")


def _event_ids(payload: object) -> list[str]:
    return [m.group(1) for m in re.finditer(EVENT_ID_IN_TEXT, json.dumps(payload))]


def test_slack_threads_carry_the_webhook_alerts_one_thread_per_registration(
    story: tuple[LocalStack, Path],
) -> None:
    stack, output = story
    assert stack.sinks.slack_thread is not None
    assert stack.slack.web_api.calls == []  # the webhook's server saw no Web API call
    threads = [t for t in stack.sinks.slack_thread.slack.web_api.threads() if t.channel == CHANNEL_ID]
    # An RCS launch / Notify configuration (contract 1.2) has its own thread, keyed by the resource.
    registration_of = {
        e["detail"]["eventId"]: e["detail"].get("resourceId") or e["detail"]["registrationId"]
        for e in stack.transitions
    }
    webhook_ids = sorted(n.event_id for n in stack.notifications if n.destination == "slack" and n.event_id)
    reply_ids = sorted(i for t in threads for reply in t.replies for i in set(_event_ids(reply.blocks)))
    assert webhook_ids and reply_ids == webhook_ids  # every Slack alert, once, in a thread
    threaded = [t for t in threads if t.replies]
    registrations = [{registration_of[i] for r in t.replies for i in _event_ids(r.blocks)} for t in threaded]
    assert all(len(r) == 1 for r in registrations), registrations
    assert len({next(iter(r)) for r in registrations}) == len(threaded)  # one thread each
    assert all(t.edits == len(t.replies) - 1 for t in threaded)  # parent rewritten after each later reply
    stack.sinks.write_previews(output)
    page = (output / "slack-threads.html").read_text(encoding="utf-8")
    assert page.count('<div class="thread">') == len(threads)
