"""Slack thread mode in the demo (`--destinations slack-thread`), beside the webhook messages.

A deployment runs its Slack notifier in one mode (`regwatch.slackMode`). To show both modes
from one run, the demo adds a second copy of the synthesized Slack notifier (same bundle,
handler and rules) configured as a `slackMode: "thread"` deployment would configure it:
`SLACK_MODE`, the bot token secret and the channel id (the environment variables the
registry names for those settings), plus `SLACK_API_URL` pointing at a local Slack server's
Web API (a server of its own, apart from the webhook's). Its own idempotency table (same
key schema) keeps the two copies from reading each other's "already delivered" records.
Each of the Slack notifier's event rules gets one more target (an SQS delivery queue, as
local/provision/rules.py does for every Lambda target) with its own dead-letter queue, so
EventBridge's routing, retries and duplicates apply to it exactly as to the webhook notifier.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from destinations.registry import BY_NAME
from local.provision import LambdaTarget, ProvisionedStack
from local.slack_threads_preview import write_threads_html
from local.slack_webhook import SlackWebhookServer

NAME = "slack-thread"  # the --destinations name
FUNCTION_ID = "NotifySlackThread"  # logical id and name of the thread-mode copy
BOT_TOKEN_SECRET_NAME = "regwatch/demo-slack-bot-token"  # noqa: S105 - a name; the value is local
IDEMPOTENCY_TABLE = "regwatch-demo-slack-thread-idempotency"
DEAD_LETTER_QUEUE = "local-slack-thread-dlq"
CHANNEL_ID = "C0REGWATCH1"  # a channel the local Slack Web API has the bot in
CHANNEL_LABEL = "#sms-registrations (thread mode)"
PREVIEW_FILE = "slack-threads.html"
TARGET_ID = "SlackThreadDemo"
_QUEUE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class SlackThreadDemo:
    """The thread-mode notifier's own local Slack server: the webhook server of the demo records
    every request it receives as a webhook message, so Web API calls must not reach it."""

    def __init__(self, slack: SlackWebhookServer) -> None:
        self.slack = slack

    @classmethod
    def start(cls) -> SlackThreadDemo:
        return cls(SlackWebhookServer.start(port=0))

    def stop(self) -> None:
        self.slack.stop()

    def add_to(self, stack: ProvisionedStack, clients: Mapping[str, Any]) -> None:
        """Add the thread-mode notifier and its rule targets to the provisioned stack."""
        slack = BY_NAME["slack"]
        webhook_notifier = stack.notifier_for(slack.name)
        environment = dict(webhook_notifier.environment)
        environment.pop(str(slack.setting("slackWebhookSecret").env), None)
        token_arn = clients["secretsmanager"].create_secret(
            Name=BOT_TOKEN_SECRET_NAME, SecretString=self.slack.web_api.bot_token
        )["ARN"]
        environment.update(
            {
                str(slack.setting("slackMode").env): "thread",
                str(slack.setting("slackBotTokenSecret").env): str(token_arn),
                str(slack.setting("slackChannelId").env): CHANNEL_ID,
                "SLACK_API_URL": self.slack.api_url,
                "IDEMPOTENCY_TABLE_NAME": _copy_table(
                    clients["dynamodb"], environment["IDEMPOTENCY_TABLE_NAME"], IDEMPOTENCY_TABLE
                ),
            }
        )
        stack.functions[FUNCTION_ID] = dataclasses.replace(
            webhook_notifier, name=FUNCTION_ID, logical_id=FUNCTION_ID, environment=environment
        )
        sqs, events = clients["sqs"], clients["events"]
        dead_letter_url = sqs.create_queue(QueueName=DEAD_LETTER_QUEUE)["QueueUrl"]
        for target in stack.targets_of(webhook_notifier.logical_id):
            if target.schedule_expression is None:
                stack.lambda_targets.append(_second_target(target, sqs, events, dead_letter_url))

    def write_preview(self, output: Path, severities: Mapping[str, str] | None = None) -> Path:
        threads = [m for m in self.slack.web_api.threads() if m.channel == CHANNEL_ID]
        return write_threads_html(threads, output / PREVIEW_FILE, CHANNEL_LABEL, severities)


def _copy_table(dynamodb: Any, source: str, name: str) -> str:
    table = dynamodb.describe_table(TableName=source)["Table"]
    dynamodb.create_table(
        TableName=name,
        KeySchema=table["KeySchema"],
        AttributeDefinitions=table["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _second_target(target: LambdaTarget, sqs: Any, events: Any, dead_letter_url: str) -> LambdaTarget:
    """One more target on the rule: its own delivery queue, the original target's other settings."""
    # arn:aws:events:<region>:<account>:rule/[<bus>/]<name>
    region, account, resource = target.rule_arn.split(":", 5)[3:6]
    bus = resource.removeprefix("rule/").rpartition("/")[0] or "default"
    queue_name = _QUEUE_NAME_UNSAFE.sub("-", f"delivery-{target.rule_name}-{TARGET_ID}")[:80]
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    original = next(
        t
        for t in events.list_targets_by_rule(Rule=target.rule_name, EventBusName=bus)["Targets"]
        if t["Id"] == target.target_id
    )
    events.put_targets(
        Rule=target.rule_name,
        EventBusName=bus,
        Targets=[{**original, "Id": TARGET_ID, "Arn": f"arn:aws:sqs:{region}:{account}:{queue_name}"}],
    )
    return dataclasses.replace(
        target,
        rule_logical_id=f"{target.rule_logical_id}{TARGET_ID}",
        target_id=TARGET_ID,
        function_logical_id=FUNCTION_ID,
        target_arn=f"arn:aws:lambda:{region}:{account}:function:{FUNCTION_ID}",
        delivery_queue_url=queue_url,
        dead_letter_queue_url=dead_letter_url,
    )
