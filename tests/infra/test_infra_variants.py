"""Configuration variants synthesize (cdk-nag clean) and leave out what is not configured."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from infra.config import load_config
from infra.nag import add_nag_checks
from infra.routing import ALERT_FILTER
from infra.stack import STACK_ID, RegwatchStack
from regwatch.severity import ACTION_REQUIRED_STATUSES


def _function_ids(synthesized: Any) -> set[str]:
    return {
        child.node.id
        for child in synthesized.stack.node.children
        if isinstance(child, cdk.aws_lambda.Function)
    }


def test_defaults_deploy_scanner_and_sns_only(synth) -> None:  # type: ignore[no-untyped-def]
    synthesized = synth()
    assert _function_ids(synthesized) == {"Scanner", "Dispatcher", "NotifySns", "Evaluator"}
    assert synthesized.stack.notifiers.by_name.get("slack") is None
    synthesized.template.resource_count_is("AWS::SNS::Subscription", 0)
    # Default monitored region = the deployment region; no MONITORED_REGIONS variable then.
    scanner = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.scanner.function)]
    assert "MONITORED_REGIONS" not in scanner["Properties"]["Environment"]["Variables"]


def test_no_destination_means_no_notifier_resources(synth) -> None:  # type: ignore[no-untyped-def]
    synthesized = synth({"snsEnabled": False})
    assert _function_ids(synthesized) == {"Scanner", "Dispatcher", "Evaluator"}
    assert len(synthesized.resources("AWS::DynamoDB::Table")) == 1, "no idempotency table without notifiers"
    assert len(synthesized.resources("AWS::SNS::Topic")) == 1, "only the alarm topic"
    rule_ids = set(synthesized.resources("AWS::Events::Rule"))
    scanner_rules = {synthesized.stack.fanout.schedule_rule, synthesized.stack.scanner.native_event_rule}
    # Reminders still go on the bus (automation may consume them): the evaluator stays.
    scheduled = {*scanner_rules, synthesized.stack.evaluator.schedule_rule}
    assert rule_ids == {synthesized.logical_id(rule) for rule in scheduled}
    assert len(synthesized.resources("AWS::SQS::Queue")) == 5, (
        "scanner, dispatcher and evaluator DLQs, scan queue + DLQ"
    )


def test_slack_by_arn_with_info_routing_and_cron_schedule(synth) -> None:  # type: ignore[no-untyped-def]
    secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:regwatch/slack-AbCdEf"
    synthesized = synth(
        {
            "slackWebhookSecret": secret_arn,
            "slackSeverities": ["INFO", "GOOD_NEWS"],
            "snsEnabled": False,
            "schedule": "cron(0/15 * * * ? *)",
            "heartbeatIntervalMinutes": 15,
        }
    )
    assert _function_ids(synthesized) == {"Scanner", "Dispatcher", "NotifySlack", "Evaluator"}
    rule = synthesized.json["Resources"][
        synthesized.logical_id(synthesized.stack.notifiers.by_name["slack"].rule)
    ]
    assert rule["Properties"]["EventPattern"] == {
        "source": ["regwatch"],
        "detail": {"$or": ALERT_FILTER, "status": [{"anything-but": sorted(ACTION_REQUIRED_STATUSES)}]},
    }
    slack = synthesized.json["Resources"][
        synthesized.logical_id(synthesized.stack.notifiers.by_name["slack"].function)
    ]
    assert slack["Properties"]["Environment"]["Variables"]["SLACK_WEBHOOK_SECRET_ARN"] == secret_arn
    role_policy = next(
        p
        for p in synthesized.resources("AWS::IAM::Policy").values()
        if any(
            s["Action"] == "secretsmanager:GetSecretValue"
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        )
    )
    assert {
        "Action": "secretsmanager:GetSecretValue",
        "Effect": "Allow",
        "Resource": secret_arn,
    } in role_policy["Properties"]["PolicyDocument"]["Statement"]
    heartbeat = next(
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "ScanHeartbeat"
    )
    assert heartbeat["Period"] == 900
    schedule = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.fanout.schedule_rule)]
    assert schedule["Properties"]["ScheduleExpression"] == "cron(0/15 * * * ? *)"


def test_all_severities_route_without_a_status_filter(synth) -> None:  # type: ignore[no-untyped-def]
    synthesized = synth(
        {"snsSeverities": ["ACTION_REQUIRED", "GOOD_NEWS", "INFO"], "archiveRetentionDays": 0}
    )
    rule = synthesized.json["Resources"][
        synthesized.logical_id(synthesized.stack.notifiers.by_name["sns"].rule)
    ]
    assert rule["Properties"]["EventPattern"] == {"source": ["regwatch"], "detail": {"$or": ALERT_FILTER}}
    archive = next(iter(synthesized.resources("AWS::Events::Archive").values()))
    assert "RetentionDays" not in archive["Properties"] or archive["Properties"]["RetentionDays"] == 0


def test_cdk_nag_rejects_an_unacknowledged_finding() -> None:
    """The nag wiring is live: a non-compliant resource makes synthesis fail."""
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = RegwatchStack(app, STACK_ID, config=load_config({}))
    sqs.Queue(stack, "UnencryptedQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    add_nag_checks(app)
    with pytest.raises(RuntimeError, match=r"Regwatch/UnencryptedQueue/Resource[\s\S]*AwsSolutions-SQS2"):
        app.synth()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"slackMode": "thread"},
            r"regwatch\.slackBotTokenSecret is required when regwatch\.slackMode is 'thread'",
        ),
        (
            {"slackMode": "thread", "slackBotTokenSecret": "s", "slackChannelId": "#alerts"},
            r"regwatch\.slackChannelId: '#alerts' does not match",
        ),
        (
            {"pagerdutyRoutingKeySecret": "arn:aws:s3:::x"},
            r"regwatch\.pagerdutyRoutingKeySecret: .* not a Secrets",
        ),
        ({"teamsAccounts": ["12345"]}, r"regwatch\.teamsAccounts: not account ids: \['12345'\]"),
        ({"pagerdutyRegions": ["mars-1"]}, r"regwatch\.pagerdutyRegions: not AWS region names"),
        (
            {"teamsWebhookSecret": "t", "teamsSeverities": [], "teamsStatuses": []},
            r"nothing would reach Microsoft Teams; unset regwatch\.teamsWebhookSecret",
        ),
    ],
)
def test_destination_settings_are_validated_with_their_key(settings: dict[str, Any], message: str) -> None:
    from infra.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_config({"regwatch": settings})


def test_disabled_destinations_get_nothing(synth) -> None:  # type: ignore[no-untyped-def]
    synthesized = synth({"snsEnabled": False, "pagerdutyRoutingKeySecret": "regwatch/pd"})
    assert _function_ids(synthesized) == {"Scanner", "Dispatcher", "Evaluator", "NotifyPagerDuty"}
    assert set(synthesized.stack.notifiers.by_name) == {"pagerduty"}
    assert len(synthesized.resources("AWS::SNS::Topic")) == 1, "only the alarm topic"
