"""Property (issue 20): whatever the delivery order, every destination shows the newest status.

One registration's events and the evaluator's reminders (registration_story.py, built by
regwatch's own producers) are delivered in any permutation, with duplicates: redeliveries of
the same event (EventBridge's at-least-once, caught by the eventId record) and replays after
that record expired (a DLQ redrive or `regwatch replay` days later: the record is deleted
first, as its TTL would). They go through the real notifier (lambdas/notifier, one execution
environment per destination) to each destination's local sink over real sockets (moto for
DynamoDB, Secrets Manager, SNS and SQS). Afterwards:

- PagerDuty has an open incident exactly when the newest status needs a person, and no
  reminder delivered after a newer status triggered anything (no incident for an approved version);
- the Slack thread's parent is the rendering of a newest-status event; older alerts are replies
  marked as earlier updates;
- the Slack webhook's, Teams' and SNS's last message is about the newest status.

The oracle is the story's own order of steps (AWS's), not regwatch's ordering key.
Examples are few (each delivers ~80 events) and derandomized: the run is the same every time.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from destinations.registry import BY_NAME
from destinations.slack import threads
from local.pagerduty_events import PagerDutyServer
from local.slack_webhook import SlackWebhookServer
from local.teams_workflow import TeamsWorkflowServer
from notifier import handler as notifier_handler
from regwatch.event_models import parse_regwatch_event
from tests.integration.notifiers.conftest import create_secret, invoke_notifier
from tests.integration.notifiers.registration_story import NEEDS_A_PERSON, STEPS, StoryEvent, story

CHANNEL = "C0REGWATCH1"


@pytest.fixture(scope="module")
def teams_server() -> Iterator[TeamsWorkflowServer]:
    server = TeamsWorkflowServer.start(port=0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pagerduty_server() -> Iterator[PagerDutyServer]:
    server = PagerDutyServer.start(port=0)
    yield server
    server.stop()


@dataclass
class World:
    table: str
    slack: SlackWebhookServer
    teams: TeamsWorkflowServer
    pagerduty: PagerDutyServer
    queue_url: str
    environments: dict[str, dict[str, str]]

    def reset(self) -> None:
        for sink in (self.slack, self.teams, self.pagerduty):
            sink.clear()
        dynamodb = boto3.client("dynamodb")
        for item in dynamodb.scan(TableName=self.table, ConsistentRead=True)["Items"]:
            dynamodb.delete_item(TableName=self.table, Key={"id": item["id"]})
        self.sns_messages()

    def forget_deliveries(self) -> None:
        """What the eventId records' TTL does after a day: a replay is delivered again."""
        dynamodb = boto3.client("dynamodb")
        for item in dynamodb.scan(TableName=self.table, ConsistentRead=True)["Items"]:
            if item["id"]["S"].startswith("regwatch-notify-"):
                dynamodb.delete_item(TableName=self.table, Key={"id": item["id"]})

    def sns_messages(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        messages: list[dict[str, Any]] = []
        while batch := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages"):
            for message in batch:
                messages.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return messages


@pytest.fixture
def world(
    idempotency_table: str,
    slack_server: SlackWebhookServer,
    teams_server: TeamsWorkflowServer,
    pagerduty_server: PagerDutyServer,
) -> World:
    sns = boto3.client("sns")
    sqs = boto3.client("sqs")
    topic = sns.create_topic(Name="regwatch-notifications")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="all-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    common = {"IDEMPOTENCY_TABLE_NAME": idempotency_table}
    environments = {
        "slack-webhook": common
        | {
            "DESTINATION": "slack",
            "SLACK_WEBHOOK_SECRET_ARN": create_secret(
                slack_server.webhook_url, name="regwatch/slack-webhook"
            ),
        },
        "slack-thread": common
        | {
            "DESTINATION": "slack",
            "SLACK_MODE": "thread",
            "SLACK_BOT_TOKEN_SECRET_ARN": create_secret(
                slack_server.web_api.bot_token, name="regwatch/slack-bot"
            ),
            "SLACK_CHANNEL_ID": CHANNEL,
            "SLACK_API_URL": slack_server.api_url,
        },
        "teams": common
        | {
            "DESTINATION": "teams",
            "TEAMS_WEBHOOK_SECRET_ARN": create_secret(teams_server.webhook_url, name="regwatch/teams"),
        },
        "sns": common | {"DESTINATION": "sns", "NOTIFICATION_TOPIC_ARN": topic},
        "pagerduty": common
        | {
            "DESTINATION": "pagerduty",
            "PAGERDUTY_ROUTING_KEY_SECRET_ARN": create_secret(
                pagerduty_server.routing_key, name="regwatch/pd"
            ),
            "PAGERDUTY_EVENTS_URL": pagerduty_server.events_url,
        },
    }
    return World(idempotency_table, slack_server, teams_server, pagerduty_server, queue_url, environments)


@contextmanager
def notifier_for(environment: dict[str, str]) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    """A fresh execution environment of the generic notifier with this configuration."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("EVENT_SOURCE", "SLACK_MODE", "MESSAGE_FORMAT"):
            patch.delenv(name, raising=False)
        for name, value in environment.items():
            patch.setenv(name, value)
        notifier_handler.runtime.reset()
        parameters.clear_caches()
        yield invoke_notifier
        notifier_handler.runtime.reset()


def rendered(destination: str, event: dict[str, Any]) -> Any:
    """The destination's own rendering of an event: its first preview, named by the registry
    (the message as the destination receives it, as JSON)."""
    module, _, function = BY_NAME[destination].previews[0].render.partition(":")
    preview = getattr(importlib.import_module(module), function)
    return json.loads(preview(parse_regwatch_event(event, "regwatch"), event["detail"]))


@dataclass(frozen=True)
class Delivery:
    item: StoryEvent
    replay: bool  # delivered again after its eventId record expired


@st.composite
def deliveries(draw: st.DrawFn) -> list[Delivery]:
    upto = draw(st.sampled_from([*range(2, len(STEPS)), None]))
    events = draw(st.permutations(story(upto)))
    sequence = [Delivery(e, replay=False) for e in events]
    for _ in range(draw(st.integers(0, 4))):
        again = draw(st.sampled_from(events))
        position = draw(st.integers(0, len(sequence)))
        sequence.insert(position, Delivery(again, replay=draw(st.booleans())))
    return sequence


def _newer_seen_before(sequence: list[Delivery], index: int) -> bool:
    """Whether an event of a later step was delivered before the reminder at `index`."""
    step = sequence[index].item.step
    return any(d.item.step > step for d in sequence[:index])


def _deliver(world: World, environment: str, sequence: list[Delivery]) -> list[dict[str, Any]]:
    world.forget_deliveries()  # Slack's two modes share the eventId records of destination "slack"
    with notifier_for(world.environments[environment]) as invoke:
        results = []
        for delivery in sequence:
            if delivery.replay:
                world.forget_deliveries()
            results.append(invoke(delivery.item.event))
        return results


def _latest_events(sequence: list[Delivery]) -> tuple[str, list[dict[str, Any]]]:
    items = [d.item for d in sequence]
    top = max(item.step for item in items)
    latest = [item for item in items if item.step == top]
    return latest[0].status, [item.event for item in latest]


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=deliveries())
def test_every_destination_shows_the_newest_status_whatever_the_order(
    world: World, sequence: list[Delivery]
) -> None:
    world.reset()
    status, newest = _latest_events(sequence)

    results = _deliver(world, "pagerduty", sequence)
    open_incidents = world.pagerduty.open_incidents()
    assert bool(open_incidents) == (status in NEEDS_A_PERSON), (status, results)
    for index, (delivery, result) in enumerate(zip(sequence, results, strict=True)):
        # A redelivery caught by the eventId record answers with the first delivery's result.
        if delivery.item.reminder and _newer_seen_before(sequence, index) and result["result"] != "duplicate":
            assert result["eventAction"] == "none", (index, result)

    results = _deliver(world, "slack-webhook", sequence)
    assert world.slack.deliveries[-1] in [rendered("slack", e) for e in newest], status

    results = _deliver(world, "teams", sequence)
    assert world.teams.cards[-1] in [rendered("teams", e)["attachments"][0]["content"] for e in newest], (
        status
    )

    _deliver(world, "sns", sequence)
    assert world.sns_messages()[-1]["MessageAttributes"]["status"]["Value"] == status

    results = _deliver(world, "slack-thread", sequence)
    [thread] = world.slack.web_api.threads()
    assert thread.text in [
        threads.render_slack_thread_parent(parse_regwatch_event(e, "regwatch"))["text"] for e in newest
    ]
    replies = {reply.ts: reply for reply in thread.replies}
    for index, (delivery, result) in enumerate(zip(sequence, results, strict=True)):
        if result.get("result") != "sent":
            continue  # a redelivery caught by the eventId record
        if delivery.item.reminder and _newer_seen_before(sequence, index):
            assert result["parentUpdated"] is False, (index, result)
        marked = replies[result["replyTs"]].text.startswith("Earlier update, delivered late:")
        assert marked == (not result["parentUpdated"]), (index, result)
