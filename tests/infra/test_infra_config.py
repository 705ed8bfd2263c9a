"""The `regwatch` context: defaults, the two override styles, and errors that name the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra.config import ConfigError, RegwatchConfig, documented_keys, load_config

ROOT = Path(__file__).resolve().parents[2]


def cdk_json_settings() -> dict[str, object]:
    return json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]["regwatch"]


def test_defaults() -> None:
    config = load_config({})
    assert config.schedule == "rate(5 minutes)"
    assert config.heartbeat_minutes == 5
    assert config.monitored_regions == []
    assert config.api_calls_per_second == 0.8
    assert config.reconcile_hours == 24
    assert config.baseline_alerts == "actionable"
    assert config.event_bus_name == "regwatch"
    assert config.event_source == "regwatch"
    assert config.destination("slack").enabled is False
    assert config.sns_enabled is True
    assert config.scanner_timeout_seconds == 900
    assert config.scanner_memory_mb == 512


def test_cdk_json_states_every_setting_with_its_default() -> None:
    settings = cdk_json_settings()
    assert list(settings) == documented_keys()
    defaults = RegwatchConfig.model_validate({}).model_dump(by_alias=True)
    assert settings == defaults


def test_readme_lists_every_setting_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    defaults = RegwatchConfig.model_validate({}).model_dump(by_alias=True)
    cells = [line.split("|") for line in table.splitlines() if line.startswith("| `")]
    rows = {cell[1].strip(): cell[2].strip() for cell in cells}
    missing = [key for key in documented_keys() if f"`{key}`" not in rows]
    assert not missing, f"README.md's configuration table does not document {missing}"
    wrong = {
        key: rows[f"`{key}`"]
        for key in documented_keys()
        if rows[f"`{key}`"] != f"`{json.dumps(defaults[key])}`"
    }
    assert not wrong, f"README.md states defaults that differ from infra/config.py: {wrong}"


def test_dotted_overrides_are_converted_from_command_line_strings() -> None:
    context = {
        "regwatch": cdk_json_settings(),
        "regwatch.schedule": "rate(10 minutes)",
        "regwatch.apiCallsPerSecond": "0.5",
        "regwatch.reconcileHours": "12",
        "regwatch.snsEnabled": "false",
        "regwatch.monitoredRegions": "us-east-1, eu-west-1",
        "regwatch.slackSeverities": '["INFO"]',
        "regwatch.slackWebhookSecret": "team/slack-webhook",
        "regwatch.alarmEmail": "",
    }
    config = load_config(context)
    assert config.schedule == "rate(10 minutes)"
    assert config.heartbeat_minutes == 10
    assert config.api_calls_per_second == 0.5
    assert config.reconcile_hours == 12
    assert config.sns_enabled is False
    assert config.monitored_regions == ["us-east-1", "eu-west-1"]
    assert config.slack_severities == ["INFO"]
    assert config.slack_webhook_secret == "team/slack-webhook"
    assert config.alarm_email is None


def test_whole_object_as_json_string_replaces_cdk_json() -> None:
    config = load_config({"regwatch": '{"eventBusName": "ops-bus", "schedule": "rate(1 hour)"}'})
    assert config.event_bus_name == "ops-bus"
    assert config.heartbeat_minutes == 60
    # Everything not in the JSON object falls back to the defaults.
    assert config.event_source == "regwatch"


def test_dotted_override_wins_over_whole_object() -> None:
    config = load_config({"regwatch": '{"eventSource": "a"}', "regwatch.eventSource": "b"})
    assert config.event_source == "b"


def test_cron_schedule_needs_a_heartbeat_interval() -> None:
    with pytest.raises(ConfigError, match=r"regwatch\.heartbeatIntervalMinutes is required"):
        load_config({"regwatch.schedule": "cron(0 8 * * ? *)"})
    config = load_config(
        {"regwatch.schedule": "cron(0 8 * * ? *)", "regwatch.heartbeatIntervalMinutes": "1440"}
    )
    assert config.heartbeat_minutes == 1440


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "schedule",
            "every 5 minutes",
            r"regwatch\.schedule: 'every 5 minutes' is not an EventBridge schedule",
        ),
        (
            "monitoredRegions",
            ["us-east-1", "mars-1"],
            r"regwatch\.monitoredRegions: not AWS region names: \['mars-1'\]",
        ),
        ("apiCallsPerSecond", 0, r"regwatch\.apiCallsPerSecond: Input should be greater than 0"),
        (
            "baselineAlerts",
            "some",
            r"regwatch\.baselineAlerts: Input should be 'actionable', 'none' or 'all'",
        ),
        ("eventBusName", "default", r"regwatch\.eventBusName: 'default' is not a custom event bus name"),
        (
            "eventSource",
            "aws.sms-voice",
            r"regwatch\.eventSource: 'aws.sms-voice' is not a usable event source",
        ),
        (
            "slackWebhookSecret",
            "arn:aws:s3:::bucket",
            r"regwatch\.slackWebhookSecret: .* is not a Secrets Manager",
        ),
        ("slackSeverities", ["URGENT"], r"regwatch\.slackSeverities\.0: Input should be 'ACTION_REQUIRED'"),
        ("snsStatuses", ["APROVED"], r"regwatch\.snsStatuses: unknown statuses \['APROVED'\]"),
        ("snsEmails", ["not-an-email"], r"regwatch\.snsEmails: not email addresses"),
        ("snsMessageFormat", "html", r"regwatch\.snsMessageFormat: Input should be 'text' or 'chatbot'"),
        ("logRetentionDays", 10, r"regwatch\.logRetentionDays: 10 is not a CloudWatch Logs retention"),
        (
            "scannerTimeoutSeconds",
            1800,
            r"regwatch\.scannerTimeoutSeconds: Input should be less than or equal to 900",
        ),
        ("metricsNamespace", "AWS/Lambda", r"regwatch\.metricsNamespace: 'AWS/Lambda' is not a custom"),
        (
            "targetMaxEventAgeHours",
            48,
            r"regwatch\.targetMaxEventAgeHours: Input should be less than or equal to 24",
        ),
    ],
)
def test_bad_values_are_reported_with_their_key(key: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({"regwatch": {key: value}})


def test_unknown_keys_are_rejected_with_the_known_ones_listed() -> None:
    with pytest.raises(
        ConfigError, match=r"regwatch\.scheduleExpression: unknown setting \(known: schedule, "
    ):
        load_config({"regwatch": {"scheduleExpression": "rate(5 minutes)"}})
    with pytest.raises(ConfigError, match=r"regwatch\.slackChannel: unknown setting"):
        load_config({"regwatch.slackChannel": "#ops"})


def test_every_bad_key_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"regwatch": {"schedule": "x", "logRetentionDays": 2, "snsEmails": ["nope"]}})
    reported = set(re.findall(r"regwatch\.(\w+):", str(raised.value)))
    assert reported == {"schedule", "logRetentionDays", "snsEmails"}


def test_context_must_be_an_object() -> None:
    with pytest.raises(ConfigError, match=r"regwatch: not a JSON object"):
        load_config({"regwatch": "{not json"})
    with pytest.raises(ConfigError, match=r"regwatch: must be an object of settings, got list"):
        load_config({"regwatch": ["schedule"]})


def test_a_destination_routing_nothing_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"nothing would reach SNS; set regwatch\.snsEnabled to false"):
        load_config({"regwatch": {"snsSeverities": [], "snsStatuses": []}})
    with pytest.raises(ConfigError, match=r"nothing would reach Slack"):
        load_config({"regwatch": {"slackWebhookSecret": "s", "slackSeverities": []}})


def test_operations_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"regwatch\.removalPolicy"):
        RegwatchConfig.from_mapping({"removalPolicy": "keep"})
    assert RegwatchConfig.from_context({}, {"regwatch.removalPolicy": "destroy"}).removal_policy == "destroy"
