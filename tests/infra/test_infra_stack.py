"""The synthesized template with both destinations configured: every resource, pattern and permission.

The synthesis itself runs cdk-nag (AwsSolutions): reaching these assertions means zero
unacknowledged findings. cfn-lint runs on the same template.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra.events import SCHEMA_FILE
from infra.routing import ALERT_FILTER, event_pattern
from regwatch.severity import ACTION_REQUIRED_STATUSES, GOOD_NEWS_STATUSES, Severity

SETTINGS = {
    "slackWebhookSecret": "regwatch/slack-webhook",
    "slackSeverities": ["ACTION_REQUIRED", "GOOD_NEWS"],
    "slackStatuses": ["SUBMITTED"],
    "snsEmails": ["alerts@example.com", "oncall@example.com"],
    "snsMessageFormat": "chatbot",
    "alarmEmail": "ops@example.com",
    "monitoredRegions": ["us-east-1", "eu-west-2"],
    "eventBusName": "regwatch-prod",
    "eventSource": "acme.regwatch",
    "logRetentionDays": 90,
    "metricsNamespace": "Acme/Regwatch",
    "apiCallsPerSecond": 0.5,
    "reconcileHours": 12,
    "baselineAlerts": "all",
}


@pytest.fixture(scope="module")
def synthesized(synth):  # type: ignore[no-untyped-def]
    return synth(SETTINGS)


def ref(synthesized: Any, construct: Any) -> dict[str, str]:
    return {"Ref": synthesized.logical_id(construct)}


def arn_of(synthesized: Any, construct: Any) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [synthesized.logical_id(construct), "Arn"]}


def function_props(synthesized: Any, construct_id: str) -> dict[str, Any]:
    function = synthesized.stack.node.find_child(construct_id)
    return synthesized.json["Resources"][synthesized.logical_id(function)]["Properties"]  # type: ignore[no-any-return]


def policy_statements(synthesized: Any, construct_id: str) -> list[dict[str, Any]]:
    role = synthesized.stack.node.find_child(f"{construct_id}Role")
    role_id = synthesized.logical_id(role)
    policies = [
        resource["Properties"]
        for resource in synthesized.resources("AWS::IAM::Policy").values()
        if resource["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    assert len(policies) == 1
    role_props = synthesized.json["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role_props and "Policies" not in role_props
    return policies[0]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def allow(actions: list[str] | str, resource: Any) -> dict[str, Any]:
    return {"Action": actions, "Effect": "Allow", "Resource": resource}


def test_every_function_has_the_shared_asset_and_lambda_settings(synthesized: Any) -> None:
    functions = synthesized.resources("AWS::Lambda::Function")
    assert len(functions) == 5
    handlers = {}
    for construct_id in ("Scanner", "Dispatcher", "NotifySlack", "NotifySns", "Evaluator"):
        props = function_props(synthesized, construct_id)
        handlers[construct_id] = props["Handler"]
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["x86_64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["LoggingConfig"]["ApplicationLogLevel"] == "INFO"
        log_group = synthesized.stack.node.find_child(f"{construct_id}Logs")
        assert props["LoggingConfig"]["LogGroup"] == ref(synthesized, log_group)
        assert props["DeadLetterConfig"]["TargetArn"] == arn_of(
            synthesized, synthesized.stack.node.find_child(f"{construct_id}Dlq")
        )
    assert handlers == {
        "Scanner": "scanner.handler.lambda_handler",
        "Dispatcher": "dispatcher.handler.lambda_handler",
        "NotifySlack": "notifier.handler.lambda_handler",
        "NotifySns": "notifier.handler.lambda_handler",
        "Evaluator": "evaluator.handler.lambda_handler",
    }
    codes = {json.dumps(f["Properties"]["Code"], sort_keys=True) for f in functions.values()}
    assert len(codes) == 1, "all functions share one bundle asset"
    for log_group in synthesized.resources("AWS::Logs::LogGroup").values():
        assert log_group["Properties"]["RetentionInDays"] == 90
    assert len(synthesized.resources("AWS::Logs::LogGroup")) == 5


def test_scanner_sizing_and_environment(synthesized: Any) -> None:
    props = function_props(synthesized, "Scanner")
    assert props["Timeout"] == 900
    assert props["MemorySize"] == 512
    # No reserved concurrency: the scan queue's MaximumConcurrency and the per-target lease.
    assert "ReservedConcurrentExecutions" not in props
    stack = synthesized.stack
    assert props["Environment"]["Variables"] == {
        "SNAPSHOT_TABLE_NAME": ref(synthesized, stack.scanner.table),
        "EVENT_BUS_NAME": ref(synthesized, stack.bus),
        "EVENT_SOURCE": "acme.regwatch",
        "MONITORED_REGIONS": "us-east-1,eu-west-2",
        "API_CALLS_PER_SECOND": "0.5",
        "RECONCILE_HOURS": "12",
        "FULL_LISTING_MINUTES": "15",
        "NATIVE_EVENT_WINDOW_HOURS": "24",
        "BASELINE_ALERTS": "all",
        "DELETION_GUARD_PERCENT": "20",
        "DELETION_GUARD_COUNT": "25",
        "POWERTOOLS_SERVICE_NAME": "regwatch-scanner",
        "POWERTOOLS_METRICS_NAMESPACE": "Acme/Regwatch",
    }


def test_notifier_environments(synthesized: Any) -> None:
    stack = synthesized.stack
    idempotency = ref(synthesized, stack.notifiers.idempotency_table)
    assert function_props(synthesized, "NotifySlack")["Environment"]["Variables"] == {
        "DESTINATION": "slack",
        "SLACK_WEBHOOK_SECRET_ARN": "regwatch/slack-webhook",
        "IDEMPOTENCY_TABLE_NAME": idempotency,
        "EVENT_SOURCE": "acme.regwatch",
        "POWERTOOLS_SERVICE_NAME": "regwatch-notify-slack",
        "POWERTOOLS_METRICS_NAMESPACE": "Acme/Regwatch",
    }
    assert function_props(synthesized, "NotifySns")["Environment"]["Variables"] == {
        "DESTINATION": "sns",
        "NOTIFICATION_TOPIC_ARN": ref(synthesized, stack.notifiers.topic),
        "MESSAGE_FORMAT": "chatbot",
        "IDEMPOTENCY_TABLE_NAME": idempotency,
        "EVENT_SOURCE": "acme.regwatch",
        "POWERTOOLS_SERVICE_NAME": "regwatch-notify-sns",
        "POWERTOOLS_METRICS_NAMESPACE": "Acme/Regwatch",
    }


def test_tables_are_on_demand_encrypted_recoverable_and_expire(synthesized: Any) -> None:
    tables = {
        synthesized.logical_id(synthesized.stack.scanner.table): (
            [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "expiresAt",
        ),
        synthesized.logical_id(synthesized.stack.notifiers.idempotency_table): (
            [{"AttributeName": "id", "KeyType": "HASH"}],
            "expiration",
        ),
    }
    found = synthesized.resources("AWS::DynamoDB::Table")
    assert set(found) == set(tables)
    for logical_id, (key_schema, ttl) in tables.items():
        props = found[logical_id]["Properties"]
        assert props["KeySchema"] == key_schema
        assert all(a["AttributeType"] == "S" for a in props["AttributeDefinitions"])
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}


def test_event_bus_archive_and_schema_registry(synthesized: Any) -> None:
    template = synthesized.template
    template.has_resource_properties("AWS::Events::EventBus", {"Name": "regwatch-prod"})
    template.has_resource_properties(
        "AWS::Events::Archive",
        {
            "SourceArn": arn_of(synthesized, synthesized.stack.bus),
            "EventPattern": {"source": ["acme.regwatch"]},
            "RetentionDays": 30,
        },
    )
    template.has_resource_properties("AWS::EventSchemas::Registry", {"RegistryName": "regwatch-prod-schemas"})
    schemas = list(synthesized.resources("AWS::EventSchemas::Schema").values())
    assert len(schemas) == 1
    props = schemas[0]["Properties"]
    assert props["Type"] == "JSONSchemaDraft4"
    assert props["SchemaName"] == "acme.regwatch@RegistrationTransition"
    assert json.loads(props["Content"]) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _rule(synthesized: Any, construct_id: str) -> dict[str, Any]:
    rule = synthesized.stack.node.find_child(construct_id)
    return synthesized.json["Resources"][synthesized.logical_id(rule)]["Properties"]  # type: ignore[no-any-return]


def test_schedule_triggers_the_dispatcher_and_native_events_the_scanner(synthesized: Any) -> None:
    schedule = _rule(synthesized, "ScanSchedule")
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert "EventBusName" not in schedule
    assert [t["Arn"] for t in schedule["Targets"]] == [
        arn_of(synthesized, synthesized.stack.fanout.dispatcher)
    ]
    native = _rule(synthesized, "NativeStatusChangeRule")
    assert native["EventPattern"] == {
        "source": ["aws.sms-voice"],
        "detail-type": ["Registration Status Change"],
    }
    assert "EventBusName" not in native, "AWS's own events arrive on the default bus"
    assert [t["Arn"] for t in native["Targets"]] == [arn_of(synthesized, synthesized.stack.scanner.function)]


def test_the_scanner_consumes_the_scan_queue_one_target_at_a_time(synthesized: Any) -> None:
    stack = synthesized.stack
    [mapping] = synthesized.resources("AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["FunctionName"] == ref(synthesized, stack.scanner.function)
    assert props["EventSourceArn"] == arn_of(synthesized, stack.fanout.scan_queue)
    assert props["BatchSize"] == 1
    assert props["ScalingConfig"] == {"MaximumConcurrency": 10}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = synthesized.json["Resources"][synthesized.logical_id(stack.fanout.scan_queue)]["Properties"]
    assert queue["VisibilityTimeout"] >= 900, "a work item must not reappear while its scan may still run"
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": arn_of(synthesized, stack.fanout.scan_dead_letter_queue),
        "maxReceiveCount": 3,
    }
    assert queue["SqsManagedSseEnabled"] is True
    dispatcher = function_props(synthesized, "Dispatcher")["Environment"]["Variables"]
    assert dispatcher["SCAN_QUEUE_URL"] == ref(synthesized, stack.fanout.scan_queue)
    assert dispatcher["MONITORED_REGIONS"] == "us-east-1,eu-west-2"
    assert "ORGANIZATION" not in dispatcher, "single-account mode sets no target variables"


def test_notifier_patterns_equal_the_configured_routing(synthesized: Any) -> None:
    slack = _rule(synthesized, "NotifySlackRule")
    assert slack["EventPattern"] == {
        "source": ["acme.regwatch"],
        "detail": {
            "$or": ALERT_FILTER,
            "status": sorted([*ACTION_REQUIRED_STATUSES, *GOOD_NEWS_STATUSES, "SUBMITTED"]),
        },
    }
    assert slack["EventPattern"] == event_pattern(
        "acme.regwatch", [Severity.ACTION_REQUIRED, Severity.GOOD_NEWS], ["SUBMITTED"]
    )
    sns = _rule(synthesized, "NotifySnsRule")
    assert sns["EventPattern"] == {
        "source": ["acme.regwatch"],
        "detail": {"$or": ALERT_FILTER, "status": sorted(ACTION_REQUIRED_STATUSES)},
    }
    for rule in (slack, sns):
        assert rule["EventBusName"] == ref(synthesized, synthesized.stack.bus)


def test_every_target_has_retry_policy_max_age_and_an_encrypted_ssl_only_dlq(synthesized: Any) -> None:
    rules = synthesized.resources("AWS::Events::Rule")
    assert len(rules) == 6  # scan schedule, native event, 2 notifiers, evaluator schedule, Slack digest
    queues = synthesized.resources("AWS::SQS::Queue")
    policies = synthesized.resources("AWS::SQS::QueuePolicy").values()
    for rule in rules.values():
        for target in rule["Properties"]["Targets"]:
            assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 50}
            dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            assert queues[dlq_id]["Properties"]["SqsManagedSseEnabled"] is True
            assert queues[dlq_id]["Properties"]["MessageRetentionPeriod"] == 1209600
            statements = [
                s
                for p in policies
                if p["Properties"]["Queues"] == [{"Ref": dlq_id}]
                for s in p["Properties"]["PolicyDocument"]["Statement"]
            ]
            assert {
                "Action": "sqs:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Resource": {"Fn::GetAtt": [dlq_id, "Arn"]},
            } in statements
            assert any(s.get("Principal") == {"Service": "events.amazonaws.com"} for s in statements)


def test_topics_are_encrypted_ssl_only_and_subscribed(synthesized: Any) -> None:
    key_id = synthesized.logical_id(synthesized.stack.node.find_child("TopicKey"))
    synthesized.template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    topics = synthesized.resources("AWS::SNS::Topic")
    assert len(topics) == 2
    for topic in topics.values():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    for topic_id in topics:
        synthesized.template.has_resource_properties(
            "AWS::SNS::TopicPolicy",
            {
                "Topics": [{"Ref": topic_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            )
                        ]
                    )
                },
            },
        )
    subscriptions = sorted(
        (s["Properties"]["Endpoint"], s["Properties"]["TopicArn"]["Ref"])
        for s in synthesized.resources("AWS::SNS::Subscription").values()
    )
    notification = synthesized.logical_id(synthesized.stack.notifiers.topic)
    alarm = synthesized.logical_id(synthesized.stack.monitoring.topic)
    assert subscriptions == sorted(
        [
            ("alerts@example.com", notification),
            ("oncall@example.com", notification),
            ("ops@example.com", alarm),
        ]
    )


def test_iam_statements_are_exactly_the_expected_ones(synthesized: Any) -> None:
    stack = synthesized.stack
    xray = allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")

    def logs(construct_id: str) -> dict[str, Any]:
        return allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            arn_of(synthesized, stack.node.find_child(f"{construct_id}Logs")),
        )

    def dlq(construct_id: str) -> dict[str, Any]:
        return allow("sqs:SendMessage", arn_of(synthesized, stack.node.find_child(f"{construct_id}Dlq")))

    def registrations(region: str) -> dict[str, Any]:
        return {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    f":sms-voice:{region}:",
                    {"Ref": "AWS::AccountId"},
                    ":registration/*",
                ],
            ]
        }

    idempotency = allow(
        ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        arn_of(synthesized, stack.notifiers.idempotency_table),
    )
    expected = {
        "Scanner": [
            logs("Scanner"),
            dlq("Scanner"),
            xray,
            allow(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                arn_of(synthesized, stack.scanner.table),
            ),
            allow("events:PutEvents", arn_of(synthesized, stack.bus)),
            allow(
                [
                    "sms-voice:DescribeRegistrations",
                    "sms-voice:DescribeRcsAgents",
                    "sms-voice:DescribeRcsAgentCountryLaunchStatus",
                    "sms-voice:DescribeNotifyConfigurations",
                ],
                "*",
            ),
            allow(
                [
                    "sms-voice:DescribeRegistrationVersions",
                    "sms-voice:DescribeRegistrationFieldValues",
                    "sms-voice:ListRegistrationAssociations",
                    "sms-voice:ListTagsForResource",
                ],
                [registrations("us-east-1"), registrations("eu-west-2")],
            ),
            allow(
                [
                    "sqs:ReceiveMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueUrl",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                arn_of(synthesized, stack.fanout.scan_queue),
            ),
        ],
        "Dispatcher": [
            logs("Dispatcher"),
            dlq("Dispatcher"),
            xray,
            allow("sqs:SendMessage", arn_of(synthesized, stack.fanout.scan_queue)),
            allow("dynamodb:Query", arn_of(synthesized, stack.scanner.table)),
        ],
        "NotifySlack": [
            logs("NotifySlack"),
            dlq("NotifySlack"),
            xray,
            allow(
                "secretsmanager:GetSecretValue",
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":secretsmanager:",
                            {"Ref": "AWS::Region"},
                            ":",
                            {"Ref": "AWS::AccountId"},
                            ":secret:regwatch/slack-webhook-??????",
                        ],
                    ]
                },
            ),
            idempotency,
        ],
        "NotifySns": [
            logs("NotifySns"),
            dlq("NotifySns"),
            xray,
            allow("sns:Publish", ref(synthesized, stack.notifiers.topic)),
            allow(
                ["kms:Decrypt", "kms:GenerateDataKey"], arn_of(synthesized, stack.node.find_child("TopicKey"))
            ),
            idempotency,
        ],
        # No sms-voice permission at all: reminders come from the snapshot alone.
        "Evaluator": [
            logs("Evaluator"),
            dlq("Evaluator"),
            xray,
            allow(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"],
                arn_of(synthesized, stack.scanner.table),
            ),
            allow("events:PutEvents", arn_of(synthesized, stack.bus)),
        ],
    }
    for construct_id, statements in expected.items():
        assert policy_statements(synthesized, construct_id) == statements, construct_id
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if "*" in a], f"wildcard action in {statement}"
    assert len(synthesized.resources("AWS::IAM::Role")) == 5
    # Single-account mode: no STS, no Organizations anywhere.
    everything = json.dumps(synthesized.resources("AWS::IAM::Policy"))
    assert "sts:AssumeRole" not in everything and "organizations:" not in everything


def test_alarms_publish_to_the_alarm_topic(synthesized: Any) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    alarm_topic = ref(synthesized, synthesized.stack.monitoring.topic)
    by_id = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [alarm_topic]
        by_id[props.get("MetricName"), json.dumps(props.get("Dimensions"), sort_keys=True)] = props
    for region in ("us-east-1", "eu-west-2"):
        dimensions = [{"Name": "region", "Value": region}, {"Name": "service", "Value": "regwatch-scanner"}]
        heartbeat = by_id["ScanHeartbeat", json.dumps(dimensions, sort_keys=True)]
        assert heartbeat["Namespace"] == "Acme/Regwatch"
        assert heartbeat["Period"] == 300 and heartbeat["EvaluationPeriods"] == 3
        assert heartbeat["ComparisonOperator"] == "LessThanThreshold" and heartbeat["Threshold"] == 1
        assert heartbeat["TreatMissingData"] == "breaching"
        assert region in heartbeat["AlarmDescription"]
    metrics = sorted(str(name) for name, _ in by_id)
    # heartbeat per region, errors x5, DLQ x5 + scan queue DLQ, Lambda throttles x5 + SMS API
    # throttles, malformed, scan errors, per-target health (unhealthy, stale), scan queue backlog
    assert metrics == sorted(
        [
            *["ScanHeartbeat"] * 2,
            *["Errors"] * 5,
            *["ApproximateNumberOfMessagesVisible"] * 6,
            *["Throttles"] * 6,
            "MalformedRegistrations",
            "ScanErrors",
            "UnhealthyTargets",
            "StaleTargets",
            "ApproximateAgeOfOldestMessage",
        ]
    )
    for name in ("UnhealthyTargets", "StaleTargets"):
        gauge = by_id[name, json.dumps([{"Name": "service", "Value": "regwatch-dispatcher"}])]
        assert gauge["Namespace"] == "Acme/Regwatch" and gauge["Threshold"] == 1
        assert gauge["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    api_throttles = by_id["Throttles", json.dumps([{"Name": "service", "Value": "regwatch-scanner"}])]
    assert api_throttles["Namespace"] == "Acme/Regwatch" and api_throttles["EvaluationPeriods"] == 3
    dlq_ids = {
        synthesized.logical_id(synthesized.stack.node.find_child(f"{f}Dlq"))
        for f in ("Scanner", "Dispatcher", "NotifySlack", "NotifySns", "Evaluator", "ScanQueue")
    }
    alarmed_queues = {
        props["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for (name, _), props in by_id.items()
        if name == "ApproximateNumberOfMessagesVisible"
    }
    assert alarmed_queues == dlq_ids
    synthesized.template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_cfn_lint_passes(synthesized: Any, tmp_path: Path) -> None:
    template = tmp_path / "Regwatch.template.json"
    template.write_text(json.dumps(synthesized.json), encoding="utf-8")
    # W3005 (redundant DependsOn) is generated by CDK itself for role -> function ordering.
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", "W3005", "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
