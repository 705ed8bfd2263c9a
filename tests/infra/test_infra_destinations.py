"""Every destination of the registry enabled at once: one function, rule, DLQ and alarms each, IAM
exactly what each calls, routing filters in the patterns; cdk-nag clean (the synthesis runs it)."""

from __future__ import annotations

from typing import Any

import pytest

from destinations.registry import DESTINATIONS
from infra.routing import event_pattern
from regwatch.severity import ACTION_REQUIRED_STATUSES, GOOD_NEWS_STATUSES, Severity
from tests.infra.test_infra_stack import allow, arn_of, function_props, policy_statements, ref

EXPLICIT = {
    "slackMode": "thread",
    "slackBotTokenSecret": "regwatch/slack-bot-token",
    "slackChannelId": "C0123456789",
    "snsEnabled": True,
    "pagerdutyRoutingKeySecret": "arn:aws:secretsmanager:us-east-1:111122223333:secret:regwatch/pd-AbCdEf",
    "pagerdutyAccounts": ["111122223333", "444455556666"],
    "pagerdutyRegions": ["us-east-1"],
    "pagerdutyRegistrationTypes": ["US_TEN_DLC_BRAND_REGISTRATION"],
    "teamsWebhookSecret": "regwatch/teams-workflow",
    "teamsSeverities": ["ACTION_REQUIRED"],
    "eventSource": "regwatch",
}
# Every other registry entry enabled through its secret setting: a new destination is in here too.
SETTINGS = EXPLICIT | {
    spec.secrets[0][0]: f"regwatch/{spec.name}"
    for spec in DESTINATIONS
    if spec.secrets and not spec.enabled(EXPLICIT)
}


@pytest.fixture(scope="module")
def synthesized(synth):  # type: ignore[no-untyped-def]
    return synth(SETTINGS)


def test_one_function_rule_dlq_and_alarms_per_enabled_destination(synthesized: Any) -> None:
    notifiers = synthesized.stack.notifiers.by_name
    assert set(notifiers) == {spec.name for spec in DESTINATIONS}
    functions = synthesized.resources("AWS::Lambda::Function")
    assert len(functions) == 3 + len(DESTINATIONS)  # scanner, dispatcher, evaluator, one per destination
    # + scan schedule, native events, evaluator schedule, the daily digest rule (Slack by default)
    assert len(synthesized.resources("AWS::Events::Rule")) == 4 + len(DESTINATIONS)
    alarms = [a["Properties"] for a in synthesized.resources("AWS::CloudWatch::Alarm").values()]
    for spec in DESTINATIONS:
        notifier = notifiers[spec.name]
        assert notifier.function.node.id == spec.construct_id
        dlq_id = synthesized.logical_id(notifier.dead_letter_queue)
        rule = synthesized.json["Resources"][synthesized.logical_id(notifier.rule)]["Properties"]
        assert [t["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] for t in rule["Targets"]] == [dlq_id]
        dlq_alarms = [
            a
            for a in alarms
            if a.get("Dimensions", [{}])[0].get("Value") == {"Fn::GetAtt": [dlq_id, "QueueName"]}
        ]
        assert len(dlq_alarms) == 1, spec.name
        function_id = synthesized.logical_id(notifier.function)
        errors = [
            a
            for a in alarms
            if a.get("MetricName") == "Errors" and a["Dimensions"][0]["Value"] == {"Ref": function_id}
        ]
        assert len(errors) == 1, spec.name


def test_generic_notifier_gets_its_destination_and_settings(synthesized: Any) -> None:
    table = ref(synthesized, synthesized.stack.notifiers.idempotency_table)
    assert function_props(synthesized, "NotifyPagerDuty")["Handler"] == "notifier.handler.lambda_handler"
    assert function_props(synthesized, "NotifyPagerDuty")["Environment"]["Variables"] == {
        "DESTINATION": "pagerduty",
        "PAGERDUTY_ROUTING_KEY_SECRET_ARN": SETTINGS["pagerdutyRoutingKeySecret"],
        "IDEMPOTENCY_TABLE_NAME": table,
        "EVENT_SOURCE": "regwatch",
        "POWERTOOLS_SERVICE_NAME": "regwatch-notify-pagerduty",
        "POWERTOOLS_METRICS_NAMESPACE": "regwatch",
    }
    assert function_props(synthesized, "NotifyTeams")["Environment"]["Variables"]["DESTINATION"] == "teams"
    slack = function_props(synthesized, "NotifySlack")
    assert slack["Handler"] == "notifier.handler.lambda_handler"
    assert slack["Environment"]["Variables"] == {
        "DESTINATION": "slack",
        "SLACK_MODE": "thread",
        "SLACK_BOT_TOKEN_SECRET_ARN": "regwatch/slack-bot-token",
        "SLACK_CHANNEL_ID": "C0123456789",
        "IDEMPOTENCY_TABLE_NAME": table,
        "EVENT_SOURCE": "regwatch",
        "POWERTOOLS_SERVICE_NAME": "regwatch-notify-slack",
        "POWERTOOLS_METRICS_NAMESPACE": "regwatch",
    }


def _named_secret(name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":secretsmanager:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":secret:{name}-??????",
            ],
        ]
    }


def test_each_function_may_call_exactly_what_it_calls(synthesized: Any) -> None:
    stack = synthesized.stack
    xray = allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    table = allow(
        ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        arn_of(synthesized, stack.notifiers.idempotency_table),
    )

    def base(construct_id: str) -> list[dict[str, Any]]:
        return [
            allow(
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                arn_of(synthesized, stack.node.find_child(f"{construct_id}Logs")),
            ),
            allow("sqs:SendMessage", arn_of(synthesized, stack.node.find_child(f"{construct_id}Dlq"))),
            xray,
        ]

    expected = {
        "NotifyPagerDuty": [
            *base("NotifyPagerDuty"),
            allow("secretsmanager:GetSecretValue", SETTINGS["pagerdutyRoutingKeySecret"]),
            table,
        ],
        "NotifyTeams": [
            *base("NotifyTeams"),
            allow("secretsmanager:GetSecretValue", _named_secret("regwatch/teams-workflow")),
            table,
        ],
        # Thread mode: the bot token only (no webhook secret is configured).
        "NotifySlack": [
            *base("NotifySlack"),
            allow("secretsmanager:GetSecretValue", _named_secret("regwatch/slack-bot-token")),
            table,
        ],
    }
    for construct_id, statements in expected.items():
        assert policy_statements(synthesized, construct_id) == statements, construct_id


def test_routing_filters_and_extra_detail_types_are_in_the_patterns(synthesized: Any) -> None:
    rule = synthesized.stack.notifiers.by_name["pagerduty"].rule
    pattern = synthesized.json["Resources"][synthesized.logical_id(rule)]["Properties"]["EventPattern"]
    assert pattern == {
        "source": ["regwatch"],
        "detail": {
            "accountId": ["111122223333", "444455556666"],
            "region": ["us-east-1"],
            # One alert per change (contract 1.1); a 1.0 event without the field still counts.
            "$or": [{"alert": [True]}, {"alert": [{"exists": False}]}],
        },
        "$or": [
            {
                "detail": {
                    "status": sorted(
                        [*ACTION_REQUIRED_STATUSES, *GOOD_NEWS_STATUSES, "DELETED", "DISCARDED"]
                    ),
                    "registrationType": ["US_TEN_DLC_BRAND_REGISTRATION"],
                }
            },
            {"detail-type": ["Registration Reminder", "Target Recovered", "Target Unhealthy"]},
        ],
    }
    teams = synthesized.stack.notifiers.by_name["teams"].rule
    assert synthesized.json["Resources"][synthesized.logical_id(teams)]["Properties"][
        "EventPattern"
    ] == event_pattern("regwatch", [Severity.ACTION_REQUIRED], [])


def test_the_template_holds_secret_names_never_secret_values(synthesized: Any) -> None:
    """Routing keys, webhook URLs and bot tokens stay in Secrets Manager: the functions get names/ARNs."""
    import re

    secret_shapes = re.compile(r"https?://|xox[bp]-|^[A-Za-z0-9]{32}$")
    for function in synthesized.resources("AWS::Lambda::Function").values():
        for name, value in function["Properties"]["Environment"]["Variables"].items():
            if isinstance(value, str):
                assert not secret_shapes.search(value), f"{name}={value!r} looks like a secret value"
