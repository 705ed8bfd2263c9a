"""The `regwatch` command, run as a user runs it (a subprocess), against the local stack.

The local stack is the demo's (synthesized template on moto server, bundled functions under
awslambdaric, the registration emulator, a local Slack webhook). It writes the outputs file
the command reads (`--outputs-file`, as `cdk deploy --outputs-file` would) and serves the
Lambda Invoke API; the command reaches everything through boto3's standard
`AWS_ENDPOINT_URL_<SERVICE>` variables. Nothing is mocked: tables, queues, the archive
stand-in and the functions are the real local ones, over sockets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.run import LocalStack, StackOptions

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
BRAND = "registration-clibrand00000000000000000000001"
CAMPAIGN = "registration-clicampaign000000000000000000002"
SENDER = "registration-clisender0000000000000000000003"
TOLLFREE = "registration-clitollfree00000000000000000004"
START = "2026-05-04T09:00:00Z"
SCENARIO = {
    "clock": {"start": START},
    "scan_interval_seconds": 300,
    "registrations": [
        {
            "ref": "brand",
            "id": BRAND,
            "type": "US_TEN_DLC_BRAND_REGISTRATION",
            "region": "us-east-1",
            "versions": [{"status": "REVIEWING"}],
        },
        {
            "ref": "campaign",
            "id": CAMPAIGN,
            "type": "US_TEN_DLC_CAMPAIGN_REGISTRATION",
            "region": "us-east-1",
            "versions": [
                {
                    "status": "DENIED",
                    "denied_reasons": [
                        {"Reason": "Website unreachable", "ShortDescription": "The URL did not load."}
                    ],
                    "feedback": "Please publish the opt-in page.",
                    "fields": {
                        "campaignInfo.website": {
                            "text_value": "https://example.invalid",
                            "denied_reason": "The URL did not load.",
                        }
                    },
                }
            ],
        },
        {
            "ref": "sender",
            "id": SENDER,
            "type": "SG_SENDER_ID_REGISTRATION",
            "region": "us-west-2",
            "versions": [{"status": "APPROVED"}],
        },
        {
            "ref": "tollfree",
            "id": TOLLFREE,
            "type": "US_TOLL_FREE_REGISTRATION",
            "region": "us-west-2",
            "versions": [{"status": "REVIEWING"}],
        },
    ],
}
EVENT_ID_IN_TEXT = re.compile(r"regwatch event ([0-9a-f-]{36})")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    folder = tmp_path_factory.mktemp("regwatch-command")
    scenario = folder / "scenario.json"
    scenario.write_text(json.dumps(SCENARIO))
    options = StackOptions(
        scenario_path=scenario,
        output_dir=folder / "out",
        context={"targetRetryAttempts": 1},
    )
    with LocalStack(options) as local:
        local.scan()  # baseline
        local.advance(300)
        local.control.set_version_status("us-east-1", BRAND, 1, "REQUIRES_AUTHENTICATION")
        local.scan()
        yield local


def _env(stack: LocalStack, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(stack.command_env)
    env["PYTHONPATH"] = f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}"
    env.update(overrides)
    return env


def regwatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regwatch_cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("regwatch")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _empty(stack: LocalStack, queue_url: str) -> None:
    while messages := stack.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            stack.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _slack_posts(stack: LocalStack, event_id: str) -> int:
    return sum(1 for payload in stack.slack.deliveries if event_id in json.dumps(payload))


# ---- status / history / explain -------------------------------------------------------------


def test_status_table_lists_every_registration_with_its_state(stack: LocalStack) -> None:
    result = regwatch(_env(stack), "status")
    out = _ok(result)
    assert "reading" in result.stderr and "page" in result.stderr, "progress goes to stderr"
    header = out.splitlines()[0]
    for heading in ("ACCOUNT", "REGION", "REGISTRATION", "TYPE", "STATUS", "AGE", "NEXT DEADLINE"):
        assert heading in header
    for registration in (BRAND, CAMPAIGN, SENDER, TOLLFREE):
        assert registration in out
    brand_line = next(line for line in out.splitlines() if BRAND in line)
    # The emulator's clock is in the past: the 7-day link expired, the 30-day resend window too.
    assert "REQUIRES_AUTHENTICATION" in brand_line, brand_line
    assert "2026-05-11 09:05Z link expired; resend window closed" in brand_line, brand_line
    assert "4 registration(s), 2 need action" in out


def test_resources_resolve_from_cloudformation_outputs_too(stack: LocalStack) -> None:
    """The other side of the seam: a CloudFormation stack (on moto) whose outputs are the local ones."""
    outputs = json.loads(stack.outputs_file.read_text())["Regwatch"]
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    cloudformation = boto3.client("cloudformation", endpoint_url=stack.moto_url, region_name="us-east-1")
    cloudformation.create_stack(StackName="RegwatchViaCfn", TemplateBody=json.dumps(template))
    env = _env(stack)
    env.pop("REGWATCH_OUTPUTS_FILE")
    rows = json.loads(_ok(regwatch(env, "status", "--json", "--stack-name", "RegwatchViaCfn")))
    assert {r["registrationId"] for r in rows} == {BRAND, CAMPAIGN, SENDER, TOLLFREE}


def test_status_json_and_filters(stack: LocalStack) -> None:
    rows = json.loads(_ok(regwatch(_env(stack), "status", "--json")))
    by_id = {row["registrationId"]: row for row in rows}
    assert set(by_id) == {BRAND, CAMPAIGN, SENDER, TOLLFREE}
    assert by_id[CAMPAIGN]["currentVersionStatus"] == "DENIED" and by_id[CAMPAIGN]["needsAction"]
    assert by_id[SENDER] | {"account": ACCOUNT, "region": "us-west-2", "approvedVersion": 1} == by_id[SENDER]
    assert by_id[BRAND]["nextDeadline"].startswith("2026-05-11T09:05"), by_id[BRAND]

    def ids(*filters: str) -> set[str]:
        return {
            r["registrationId"] for r in json.loads(_ok(regwatch(_env(stack), "status", "--json", *filters)))
        }

    assert ids("--region", "us-west-2") == {SENDER, TOLLFREE}
    assert ids("--needs-action") == {BRAND, CAMPAIGN}
    assert ids("--type", "TEN_DLC_CAMPAIGN") == {CAMPAIGN}
    assert ids("--status", "reviewing") == {TOLLFREE}
    assert ids("--account", "999999999999") == set()


def test_history_lists_stored_changes_in_time_order(stack: LocalStack) -> None:
    out = _ok(regwatch(_env(stack), "history", BRAND))
    assert out.index("REVIEWING") < out.index("REQUIRES_AUTHENTICATION")
    rows = json.loads(_ok(regwatch(_env(stack), "history", BRAND, "--json")))
    assert [(r["previousStatus"], r["status"]) for r in rows][-1] == ("REVIEWING", "REQUIRES_AUTHENTICATION")
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)


def test_explain_shows_what_an_alert_shows_plus_field_feedback(stack: LocalStack) -> None:
    before = stack.control.counters()
    result = regwatch(_env(stack), "explain", CAMPAIGN, "--calls-per-second", "20")
    out = _ok(result)
    assert "ACTION REQUIRED" in out and "was denied" in out
    assert "Website unreachable: The URL did not load." in out
    assert "Please publish the opt-in page." in out
    assert "FIELD-LEVEL FEEDBACK" in out and "campaignInfo.website: The URL did not load." in out
    assert "WHAT TO DO NEXT" in out
    after = stack.control.counters()
    called = {op for op in after if after.get(op, 0) != before.get(op, 0)}
    assert called <= {
        "DescribeRegistrations",
        "DescribeRegistrationVersions",
        "DescribeRegistrationFieldValues",
    }
    assert "reading" in result.stderr, "progress goes to stderr"
    (version,) = json.loads(
        _ok(regwatch(_env(stack), "explain", CAMPAIGN, "--json", "--calls-per-second", "20"))
    )
    assert version["status"] == "DENIED" and version["severity"] == "ACTION_REQUIRED"
    assert version["deniedReasons"][0]["reason"] == "Website unreachable"
    assert version["fieldFeedback"] == [
        {"field_path": "campaignInfo.website", "denied_reason": "The URL did not load.", "feedback": None}
    ]


def test_explain_of_an_unknown_registration_exits_5(stack: LocalStack) -> None:
    result = regwatch(
        _env(stack), "explain", "registration-nope0000000000000000000000000009", "--region", "us-east-1"
    )
    _one_line_error(result, 5, "does not exist in us-east-1")
    _one_line_error(
        regwatch(_env(stack), "history", "registration-nope"), 5, "not in regwatch's snapshot table"
    )


# ---- dead-letter queues -------------------------------------------------------------------------


def test_dlq_list_show_and_redrive_twice_posts_once(stack: LocalStack) -> None:
    env = _env(stack)
    stack.slack.script([{"status": 404}] * 10)  # the webhook was revoked: every attempt fails
    stack.advance(300)
    stack.control.set_version_status("us-west-2", TOLLFREE, 1, "DENIED")
    events = stack.scan()["events"]  # the version's denial and the registration's REQUIRES_UPDATES
    (event,) = [e for e in events if e["detail"]["scope"] == "VERSION"]
    event_id = event["detail"]["eventId"]
    # One alert per change (contract 1.1): the version's denial carries it; the registration's
    # REQUIRES_UPDATES stays on the bus for automation and is not routed to Slack.
    all_ids = {e["detail"]["eventId"] for e in events if e["detail"].get("alert", True)}
    assert all_ids == {event_id}
    stack.slack.clear()  # Slack is fixed
    assert _slack_posts(stack, event_id) == 0

    listed = _ok(regwatch(env, "dlq", "list"))
    line = next(line for line in listed.splitlines() if TOLLFREE in line)
    assert line.startswith("slack") and "REVIEWING → DENIED" in line and "no_service" in line
    rows = json.loads(_ok(regwatch(env, "dlq", "list", "--json", "--destination", "slack")))
    assert {r["eventId"] for r in rows} == all_ids
    assert all(r["why"].startswith("SDK_CLIENT_ERROR: ") for r in rows)
    shown = json.loads(_ok(regwatch(env, "dlq", "show", event_id, "--json")))
    assert shown[0]["attributes"]["RETRY_ATTEMPTS"] == "1"
    assert shown[0]["event"]["detail"]["eventId"] == event_id

    # The same alert twice in the queue (e.g. dead-lettered by EventBridge and by Lambda).
    queue_url = json.loads(stack.outputs_file.read_text())["Regwatch"]["DestinationSlackDlqUrl"]
    stack.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(shown[0]["event"]))
    redriven = json.loads(_ok(regwatch(env, "dlq", "redrive", "--destination", "slack", "--json")))
    assert redriven["delivered"] == len(all_ids) + 1 and redriven["failed"] == 0
    stack.slack.wait_idle()
    for each in all_ids:
        assert _slack_posts(stack, each) == 1, "the idempotency record decides: posted once"
    again = json.loads(_ok(regwatch(env, "dlq", "redrive", "--json")))
    assert again == {"delivered": 0, "failed": 0, "outcomes": []}
    assert "0 message(s)" in _ok(regwatch(env, "dlq", "list"))


def test_a_redrive_that_fails_again_keeps_the_message_and_exits_1(stack: LocalStack) -> None:
    env = _env(stack)
    queue_url = json.loads(stack.outputs_file.read_text())["Regwatch"]["DestinationSlackDlqUrl"]
    poison = {"version": "0", "id": "x", "source": "not-regwatch", "detail-type": "x", "detail": {}}
    stack.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(poison))
    result = regwatch(env, "dlq", "redrive", "--destination", "slack")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 delivered, 1 failed again" in result.stdout and "not a regwatch event" in result.stdout
    rows = json.loads(_ok(regwatch(env, "dlq", "list", "--json", "--destination", "slack")))
    assert len(rows) == 1
    _empty(stack, queue_url)


# ---- replay ------------------------------------------------------------------------------------


def test_replay_from_the_archive_reaches_only_the_chosen_destination_once(stack: LocalStack) -> None:
    env = _env(stack)
    stack.slack.script([{"status": 404}] * 10)
    stack.advance(300)
    stack.control.set_version_status("us-east-1", BRAND, 1, "APPROVED")
    # Version approved carries the alert; registration complete goes to the bus only (contract 1.1).
    lost = {e["detail"]["eventId"] for e in stack.scan()["events"] if e["detail"].get("alert", True)}
    assert len(lost) == 1
    stack.slack.clear()
    outputs = json.loads(stack.outputs_file.read_text())["Regwatch"]
    _empty(stack, outputs["DestinationSlackDlqUrl"])  # the dead letters are gone
    sns_before = len([n for n in stack.notifications if n.destination == "sns"])

    empty = json.loads(
        _ok(regwatch(env, "replay", "--since", "2026-05-01", "--until", "2026-05-02", "--json"))
    )
    assert empty["events"] == 0

    result = json.loads(
        _ok(regwatch(env, "replay", "--since", "2026-05-04T00:00Z", "--destination", "slack", "--json"))
    )
    assert result["state"] == "COMPLETED" and result["destinations"] == ["slack"]
    # At least the lost alert; other tests of this module may have archived more Slack-routed events.
    assert result["events"] >= len(lost), "every archived event routed to Slack in the window"
    posts_before = len(stack.slack.deliveries)
    stack.deliver()  # what EventBridge does with the rule's target
    stack.slack.wait_idle()
    for event_id in lost:
        assert _slack_posts(stack, event_id) == 1, "each lost alert arrives, once"
    assert len(stack.slack.deliveries) == posts_before + len(lost), "delivered alerts are not posted again"
    assert len([n for n in stack.notifications if n.destination == "sns"]) == sns_before


# ---- errors: one line, an exit code ------------------------------------------------------------


def test_bad_flag_exits_2_with_one_line(stack: LocalStack) -> None:
    result = regwatch(_env(stack), "status", "--bogus")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "regwatch: unrecognized arguments: --bogus" in result.stderr
    result = regwatch(_env(stack), "replay", "--since", "yesterday-ish")
    assert result.returncode == 2 and "is not a time" in result.stderr


def test_missing_stack_exits_3(stack: LocalStack, tmp_path: Path) -> None:
    _one_line_error(regwatch(_env(stack), "status", "--stack-name", "Other"), 3, "has no stack Other")
    _one_line_error(
        regwatch(_env(stack), "status", "--outputs-file", str(tmp_path / "none.json")), 3, "does not exist"
    )
    # Without an outputs file the command asks CloudFormation (moto here): no such stack.
    env = _env(stack)
    env.pop("REGWATCH_OUTPUTS_FILE")
    _one_line_error(
        regwatch(env, "status", "--stack-region", "eu-central-1"),
        3,
        "stack Regwatch not found in eu-central-1",
    )


def test_missing_credentials_exit_4(stack: LocalStack) -> None:
    env = _env(stack, AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)
    _one_line_error(regwatch(env, "status"), 4, "no usable AWS credentials", "aws configure")
    _one_line_error(
        regwatch(env, "scan", "--dry-run", "--regions", "us-east-1"), 4, "no usable AWS credentials"
    )


class _DeniedHandler(BaseHTTPRequestHandler):
    """DynamoDB answering as AWS does to a principal without dynamodb:Scan."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(
            {
                "__type": "com.amazon.coral.service#AccessDeniedException",
                "Message": "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: "
                "dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:123456789012:table/x",
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_access_denied_names_the_missing_action_and_exits_4(stack: LocalStack) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DeniedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = _env(stack, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{server.server_address[1]}")
        _one_line_error(regwatch(env, "status"), 4, "access denied", "dynamodb:Scan")
    finally:
        server.shutdown()
        server.server_close()
