"""Issue 19: the PagerDuty endpoint and the Slack Web API base are deploy-time settings.

`pagerdutyEventsUrl` (EU service region) and `slackApiUrl` (thread mode) are validated at
synth (https only, a host, no spaces or credentials) and reach the function's environment,
so the next `cdk deploy` keeps them; left unset, nothing is passed and the function uses
its built-in default (the same one the docs state).
"""

from __future__ import annotations

from typing import Any

import pytest

from destinations.pagerduty.settings import DEFAULT_EVENTS_URL, PagerDutySettings
from destinations.registry import DESTINATIONS
from destinations.slack.settings import DEFAULT_API_URL
from infra.config import ConfigError, RegwatchConfig
from tests.infra.test_infra_stack import function_props

EU = "https://events.eu.pagerduty.com/v2/enqueue"
PROXY = "https://slack-proxy.example.com/api/"
SETTINGS = {
    "pagerdutyRoutingKeySecret": "regwatch/pagerduty",
    "pagerdutyEventsUrl": EU,
    "slackMode": "thread",
    "slackBotTokenSecret": "regwatch/slack-bot-token",
    "slackChannelId": "C0123456789",
    "slackApiUrl": PROXY,
}


@pytest.fixture(scope="module")
def synthesized(synth):  # type: ignore[no-untyped-def]
    return synth(SETTINGS)


def test_the_endpoints_reach_the_functions(synthesized: Any) -> None:
    pagerduty = function_props(synthesized, "NotifyPagerDuty")["Environment"]["Variables"]
    assert pagerduty["PAGERDUTY_EVENTS_URL"] == EU
    assert PagerDutySettings.from_mapping(pagerduty).events_url == EU  # what the function parses
    assert function_props(synthesized, "NotifySlack")["Environment"]["Variables"]["SLACK_API_URL"] == PROXY


def test_unset_endpoints_are_not_passed_and_the_defaults_are_documented() -> None:
    config = RegwatchConfig.from_mapping({"pagerdutyRoutingKeySecret": "regwatch/pagerduty"})
    assert config.destination("pagerduty").values["pagerdutyEventsUrl"] is None
    pagerduty_doc = config.destination("pagerduty").spec.setting("pagerdutyEventsUrl").description
    assert DEFAULT_EVENTS_URL in pagerduty_doc and EU in pagerduty_doc
    assert DEFAULT_API_URL in config.destination("slack").spec.setting("slackApiUrl").description


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pagerdutyEventsUrl", "http://events.eu.pagerduty.com/v2/enqueue"),  # not https
        ("pagerdutyEventsUrl", "events.eu.pagerduty.com/v2/enqueue"),  # no scheme
        ("pagerdutyEventsUrl", "https://user:pw@events.pagerduty.com/v2/enqueue"),  # credentials
        ("pagerdutyEventsUrl", "https://events.pagerduty.com/v2/enqueue please"),  # a space
        ("slackApiUrl", "http://slack.com/api/"),
        ("slackApiUrl", "https://"),
    ],
)
def test_a_bad_endpoint_is_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        RegwatchConfig.from_mapping({key: value})
    assert f"regwatch.{key}" in str(raised.value)
    assert "https://" in str(raised.value)  # the pattern names what is expected


def test_the_digest_reaches_any_destination_whose_entry_renders_it(synth) -> None:  # type: ignore[no-untyped-def]
    """digestDestinations is checked against the registry's `digest` flags, and each named,
    deployed destination gets a digest rule to its notifier (none of it names a destination)."""
    renders = [spec.name for spec in DESTINATIONS if spec.digest]
    assert len(renders) >= 3  # Slack, SNS and the webhook
    settings = {spec.secrets[0][0]: f"regwatch/{spec.name}" for spec in DESTINATIONS if spec.secrets}
    synthesized = synth({**settings, "digestDestinations": renders})
    rules = synthesized.resources("AWS::Events::Rule")
    digest_targets = {
        target["Arn"]["Fn::GetAtt"][0]
        for rule in rules.values()
        if rule["Properties"].get("EventPattern", {}).get("detail-type") == ["Registration Digest"]
        for target in rule["Properties"]["Targets"]
    }
    notifiers = synthesized.stack.notifiers.by_name
    assert digest_targets == {synthesized.logical_id(notifiers[name].function) for name in renders}
    refused = next(spec.name for spec in DESTINATIONS if not spec.digest)
    with pytest.raises(ConfigError, match="cannot take the digest"):
        RegwatchConfig.from_mapping({"digestDestinations": [refused]})
