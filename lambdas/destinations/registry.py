"""The destination registry: everything infra, config, docs, the demo and tests know about a destination.

One `Destination` entry per destination. It is plain data (standard library only, no SDK
imports) so `infra/` can import it at synth time without side effects; the code that
delivers lives in `destinations/<name>/delivery.py` and is named here by dotted path,
imported only by the notifier function that runs it.

Deploy-time settings (cdk.json `regwatch`, validated by infra/config.py) are derived
from each entry: its own `settings` plus five routing keys per destination,
`<prefix>Severities`, `<prefix>Statuses`, `<prefix>Accounts`, `<prefix>Regions`,
`<prefix>RegistrationTypes`. Adding a destination is one entry here, one folder
`destinations/<name>/` (settings, render, delivery) and its local sink `local/sinks/<name>.py`;
infra, the digest routes, golden files, the demo, fault rows and the docs tables derive from
the entry (docs/destinations.md; tests/unit/test_destination_plugins.py fails otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SettingKind(StrEnum):
    SECRET = "secret"  # noqa: S105 - a kind of setting: name or ARN of an existing Secrets Manager secret
    CHOICE = "choice"  # one of `choices`
    TEXT = "text"  # a string matching `pattern` (if given)
    FLAG = "flag"  # true / false
    EMAILS = "emails"  # a list of email addresses


class Resource(StrEnum):
    """What infra creates or grants for a destination, besides its function, rule, DLQ and alarms."""

    IDEMPOTENCY_TABLE = "idempotency-table"  # eventId records; also the per-key state items
    NOTIFICATION_TOPIC = "notification-topic"  # the encrypted SNS topic (SNS destination)


@dataclass(frozen=True, slots=True)
class Setting:
    """One deploy-time key (`regwatch.<key>`) and the environment variable it becomes, if any."""

    key: str
    kind: SettingKind
    description: str
    default: Any = None
    env: str | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Routing:
    """Default routing of a destination; every field is a `regwatch.<prefix>...` key."""

    severities: tuple[str, ...]
    statuses: tuple[str, ...] = ()
    # Detail-types routed regardless of status (a second rule): reminders, target health.
    detail_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preview:
    """One rendering of an event as the destination receives it, as reviewable text.

    `render` is "module:function" taking (notification, raw detail) and returning the text the
    golden files under tests/golden/<name>/ hold (and the demo previews). A destination may
    have several (SNS: plain text and Amazon Q Developer JSON)."""

    name: str
    render: str
    suffix: str = "json"


Values = Mapping[str, Any]  # a destination's validated settings, by key
NOTIFIER_HANDLER = "notifier.handler.lambda_handler"  # every notifier; `DESTINATION` picks the entry


@dataclass(frozen=True, slots=True)
class Destination:
    name: str  # the `DESTINATION` value, metric dimension and log key
    label: str  # how docs and alarms name it
    prefix: str  # camelCase prefix of its keys: `slack` -> `slackSeverities`
    construct_id: str  # CDK id of its function (`NotifySlack`); rule, DLQ and alarms derive from it
    delivery: str  # "module:function" building the delivery (see notifier/runtime.py)
    previews: tuple[Preview, ...]  # golden files and demo previews
    description: str
    settings: tuple[Setting, ...]
    routing: Routing
    enabled: Callable[[Values], bool]
    # (secret key, env var) pairs: infra grants GetSecretValue on each configured one.
    secrets: tuple[tuple[str, str], ...] = ()
    resources: tuple[Resource, ...] = (Resource.IDEMPOTENCY_TABLE,)
    check: Callable[[Values], list[str]] = field(default=lambda values: [])
    duplicates: str = "none"  # what a retry after a timeout can do (docs/reliability.md)
    # Whether it renders the daily digest (`digestDestinations` may name it; infra adds a rule).
    digest: bool = False
    handler: str = NOTIFIER_HANDLER

    @property
    def package(self) -> str:
        """The folder holding its settings, rendering and delivery: lambdas/destinations/<name>/."""
        return f"destinations.{self.name}"

    def setting(self, key: str) -> Setting:
        return next(s for s in self.settings if s.key == key)

    def routing_keys(self) -> dict[str, str]:
        """Routing attribute -> config key."""
        return {
            "severities": f"{self.prefix}Severities",
            "statuses": f"{self.prefix}Statuses",
            "accounts": f"{self.prefix}Accounts",
            "regions": f"{self.prefix}Regions",
            "registration_types": f"{self.prefix}RegistrationTypes",
        }

    @property
    def idempotency_key_prefix(self) -> str:
        return f"regwatch-notify-{self.name}"


# --- the entries -----------------------------------------------------------------------------

_SECRET_HELP = "Name or full ARN of an existing Secrets Manager secret holding "  # noqa: S105
# An https URL without spaces or credentials in it (the host is what a typo would change).
_HTTPS_URL = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s@]*)?$"


def _slack_enabled(values: Values) -> bool:
    if values.get("slackMode") == "thread":
        return True
    return values.get("slackWebhookSecret") is not None


def _slack_check(values: Values) -> list[str]:
    if values.get("slackMode") != "thread":
        return []
    missing = [key for key in ("slackBotTokenSecret", "slackChannelId") if not values.get(key)]
    return [
        f"regwatch.{key} is required when regwatch.slackMode is 'thread' "
        "(a bot token secret and the channel id, e.g. C0123456789)"
        for key in missing
    ]


SLACK = Destination(
    name="slack",
    label="Slack",
    prefix="slack",
    construct_id="NotifySlack",
    delivery="destinations.slack.delivery:build_delivery",
    previews=(Preview("slack", "destinations.slack.render:preview"),),
    description="regwatch: posts registration transitions to Slack",
    settings=(
        Setting(
            "slackWebhookSecret",
            SettingKind.SECRET,
            _SECRET_HELP + "the Slack webhook URL (webhook mode). Unset and not in thread mode: no Slack "
            "notifier is deployed.",
            env="SLACK_WEBHOOK_SECRET_ARN",
        ),
        Setting(
            "slackMode",
            SettingKind.CHOICE,
            "`webhook` (one message per alert, incoming webhook) or `thread` (one thread per registration, "
            "bot token + channel).",
            default="webhook",
            env="SLACK_MODE",
            choices=("webhook", "thread"),
        ),
        Setting(
            "slackBotTokenSecret",
            SettingKind.SECRET,
            _SECRET_HELP + "a Slack bot token (`xoxb-…`, scope `chat:write`) for thread mode.",
            env="SLACK_BOT_TOKEN_SECRET_ARN",
        ),
        Setting(
            "slackChannelId",
            SettingKind.TEXT,
            "Channel id (e.g. `C0123456789`) the bot posts threads to (thread mode; invite the bot first).",
            env="SLACK_CHANNEL_ID",
            pattern=r"^[CG][A-Z0-9]{8,12}$",
        ),
        Setting(
            "slackApiUrl",
            SettingKind.TEXT,
            "Base URL of the Slack Web API the bot calls in thread mode (default `https://slack.com/api/`; "
            "e.g. an egress proxy in front of Slack), https only.",
            env="SLACK_API_URL",
            pattern=_HTTPS_URL,
        ),
    ),
    secrets=(
        ("slackWebhookSecret", "SLACK_WEBHOOK_SECRET_ARN"),
        ("slackBotTokenSecret", "SLACK_BOT_TOKEN_SECRET_ARN"),
    ),
    routing=Routing(severities=("ACTION_REQUIRED", "GOOD_NEWS")),
    enabled=_slack_enabled,
    check=_slack_check,
    duplicates="a webhook post accepted after the client timed out is posted again (no idempotency key)",
    digest=True,
)

SNS = Destination(
    name="sns",
    label="SNS",
    prefix="sns",
    construct_id="NotifySns",
    delivery="destinations.sns.delivery:build_delivery",
    previews=(
        Preview("sns", "destinations.sns.render:preview_text", "txt"),
        Preview("chatbot", "destinations.sns.render:preview_chatbot"),
    ),
    description="regwatch: publishes registration transitions to the notification topic",
    settings=(
        Setting("snsEnabled", SettingKind.FLAG, "Deploy the SNS notification topic and its notifier.", True),
        Setting(
            "snsEmails",
            SettingKind.EMAILS,
            "Email addresses subscribed to the notification topic (each confirms by email).",
            default=(),
        ),
        Setting(
            "snsMessageFormat",
            SettingKind.CHOICE,
            "`text` (email-friendly) or `chatbot` (Amazon Q Developer in chat applications custom "
            "notifications).",
            default="text",
            env="MESSAGE_FORMAT",
            choices=("text", "chatbot"),
        ),
    ),
    resources=(Resource.IDEMPOTENCY_TABLE, Resource.NOTIFICATION_TOPIC),
    routing=Routing(severities=("ACTION_REQUIRED",)),
    enabled=lambda values: bool(values.get("snsEnabled")),
    digest=True,
)

PAGERDUTY = Destination(
    name="pagerduty",
    label="PagerDuty",
    prefix="pagerduty",
    construct_id="NotifyPagerDuty",
    delivery="destinations.pagerduty.delivery:build_delivery",
    previews=(Preview("pagerduty", "destinations.pagerduty.render:preview"),),
    description="regwatch: opens and resolves PagerDuty incidents (Events API v2)",
    settings=(
        Setting(
            "pagerdutyRoutingKeySecret",
            SettingKind.SECRET,
            _SECRET_HELP + "the PagerDuty Events API v2 integration (routing) key. Unset: no PagerDuty "
            "notifier is deployed.",
            env="PAGERDUTY_ROUTING_KEY_SECRET_ARN",
        ),
        Setting(
            "pagerdutyEventsUrl",
            SettingKind.TEXT,
            "Events API v2 endpoint, https only. Unset: `https://events.pagerduty.com/v2/enqueue` (US "
            "service region); EU service region: `https://events.eu.pagerduty.com/v2/enqueue`.",
            env="PAGERDUTY_EVENTS_URL",
            pattern=_HTTPS_URL,
        ),
    ),
    secrets=(("pagerdutyRoutingKeySecret", "PAGERDUTY_ROUTING_KEY_SECRET_ARN"),),
    # GOOD_NEWS and DISCARDED close the loop: they resolve the incident an alert opened.
    routing=Routing(
        severities=("ACTION_REQUIRED", "GOOD_NEWS"),
        statuses=("DISCARDED", "DELETED"),
        detail_types=("Registration Reminder", "Target Unhealthy", "Target Recovered"),
    ),
    enabled=lambda values: values.get("pagerdutyRoutingKeySecret") is not None,
    duplicates="none: PagerDuty deduplicates on dedup_key",
)

TEAMS = Destination(
    name="teams",
    label="Microsoft Teams",
    prefix="teams",
    construct_id="NotifyTeams",
    delivery="destinations.teams.delivery:build_delivery",
    previews=(Preview("teams", "destinations.teams.render:preview"),),
    description="regwatch: posts registration transitions to a Microsoft Teams workflow",
    settings=(
        Setting(
            "teamsWebhookSecret",
            SettingKind.SECRET,
            _SECRET_HELP + 'the URL of a Teams Workflows "When a Teams webhook request is received" '
            "trigger (not a retired Office 365 connector). Unset: no Teams notifier is deployed.",
            env="TEAMS_WEBHOOK_SECRET_ARN",
        ),
    ),
    secrets=(("teamsWebhookSecret", "TEAMS_WEBHOOK_SECRET_ARN"),),
    routing=Routing(severities=("ACTION_REQUIRED", "GOOD_NEWS")),
    enabled=lambda values: values.get("teamsWebhookSecret") is not None,
    duplicates="a post accepted after the client timed out is posted again (no idempotency key)",
)

WEBHOOK = Destination(
    name="webhook",
    label="Signed webhook",
    prefix="webhook",
    construct_id="NotifyWebhook",
    delivery="destinations.webhook.delivery:build_delivery",
    previews=(Preview("webhook", "destinations.webhook.render:preview"),),
    description="regwatch: posts registration transitions to a signed webhook (Standard Webhooks)",
    settings=(
        Setting(
            "webhookSecret",
            SettingKind.SECRET,
            _SECRET_HELP + 'JSON `{"url": "https://…", "signingSecret": "whsec_…"}`: the receiver and the '
            "key regwatch signs each request with (HMAC-SHA256, Standard Webhooks). Unset: no webhook "
            "notifier is deployed.",
            env="WEBHOOK_SECRET_ARN",
        ),
    ),
    secrets=(("webhookSecret", "WEBHOOK_SECRET_ARN"),),
    routing=Routing(severities=("ACTION_REQUIRED", "GOOD_NEWS")),
    enabled=lambda values: values.get("webhookSecret") is not None,
    duplicates="a post accepted after the client timed out is posted again with the same `webhook-id` "
    "(receivers deduplicate on it)",
    digest=True,
)

DESTINATIONS: tuple[Destination, ...] = (SLACK, SNS, PAGERDUTY, TEAMS, WEBHOOK)
BY_NAME: dict[str, Destination] = {d.name: d for d in DESTINATIONS}


class UnknownDestination(LookupError):
    pass


def destination(name: str) -> Destination:
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(BY_NAME))
        raise UnknownDestination(f"DESTINATION {name!r} is not a known destination ({known})") from None
