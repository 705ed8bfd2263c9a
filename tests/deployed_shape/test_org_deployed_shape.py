"""The deployed shape: the demo's stack in organization mode, with IAM enforced as AWS would.

What deploys is what runs: the hub template on moto, the bundled functions under
awslambdaric, two member accounts (one found by discovery, one listed) read through the
RegwatchSpoke role of their account, and every AWS call of every function checked by the
IAM gate (local/iam) against its role in the synthesized templates. The local world is
otherwise more permissive than AWS (neither moto nor the emulator checks IAM): this suite
is where a role that lacks an action the code needs fails.

The story is played once per module (`shape`), then one experiment: the spoke role with one
action removed must be caught by the gate (denied and counted). Its figures are taken
apart, so the tests read fixed results whatever their order or worker.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.iam.gate import Denial, IamGate
from local.org_demo import ACME_LABS, EU_FIELD_FEEDBACK, SPOKE_ROLE_NAME, TOLL_FREE
from local.reminders_demo import play_epilogue
from local.run import LocalStack, StackOptions
from regwatch_aws.sms_actions import SMS_READ_ACTIONS

ROOT = Path(__file__).resolve().parents[2]
HUB = "123456789012"
REMOVED_ACTION = "sms-voice:DescribeRegistrationFieldValues"


@dataclass(frozen=True)
class Removal:
    """The spoke role without REMOVED_ACTION, for one scan of one member change."""

    granted_before: bool
    denied: dict[tuple[str, str], int]  # what the gate counted during that scan
    refusals: list[Denial]
    event: dict[str, Any]  # the alert of that change


@dataclass(frozen=True)
class Shape:
    stack: LocalStack
    gate: IamGate
    transitions: list[dict[str, Any]]  # after the story, before the experiment
    denials: list[Denial]
    checked: dict[tuple[str, str], int]
    removal: Removal


def _without(template: dict[str, Any], action: str) -> tuple[dict[str, Any], bool]:
    stripped = copy.deepcopy(template)
    found = False
    for resource in stripped["Resources"].values():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                listed = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                found = found or action in listed
                statement["Action"] = [a for a in listed if a != action] or ["sms-voice:NoSuchAction"]
    return stripped, found


def _remove_an_action(stack: LocalStack, gate: IamGate) -> Removal:
    assert stack.org_demo is not None
    spoke, granted = _without(gate.book.assumable[SPOKE_ROLE_NAME][0], REMOVED_ACTION)
    original = gate.book.replace_assumable(SPOKE_ROLE_NAME, spoke)
    try:
        (eu_toll_free,) = [
            (account, region, registration_id)
            for (account, region, kind), registration_id in stack.org_demo.registrations.items()
            if kind == TOLL_FREE
        ]
        account, region, registration_id = eu_toll_free
        before = gate.denied_by()
        refusals_before = len(gate.denials())
        stack.advance(300)
        stack.control.set_version_status(region, registration_id, 1, "REVOKED", account=account)
        result = stack.scan()
        after = gate.denied_by()
        (event,) = [
            e["detail"]
            for e in result["events"]
            if e["detail"]["registrationId"] == registration_id and e["detail"]["alert"]
        ]
        return Removal(
            granted_before=granted,
            denied={
                key: count - before.get(key, 0) for key, count in after.items() if count != before.get(key, 0)
            },
            refusals=gate.denials()[refusals_before:],
            event=event,
        )
    finally:
        gate.book.replace_assumable(SPOKE_ROLE_NAME, original)


@pytest.fixture(scope="module")
def shape(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shape]:
    options = StackOptions(output_dir=tmp_path_factory.mktemp("deployed-shape"), organization=True)
    with LocalStack(options) as stack:
        assert stack.iam_gate is not None
        # The demo's whole run: the story, a redelivery, days of reminders and a digest.
        stack.play()
        stack.replay_last_delivery()
        play_epilogue(stack)
        transitions, denials = list(stack.transitions), stack.iam_gate.denials()
        checked = stack.iam_gate.checked_by()
        removal = _remove_an_action(stack, stack.iam_gate)
        yield Shape(stack, stack.iam_gate, transitions, denials, checked, removal)


def _member_alerts(shape: Shape) -> list[dict[str, Any]]:
    return [
        e["detail"]
        for e in shape.transitions
        if e["detail"].get("accountId") not in (None, HUB)
        and e["detail"].get("scope") != "TARGET"
        and e["detail"].get("alert")
    ]


def test_zero_denied_calls_while_every_function_and_spoke_session_was_checked(shape: Shape) -> None:
    assert shape.denials == [], "\n".join(d.message for d in shape.denials)
    callers = {caller for caller, _ in shape.checked}
    for function in shape.stack.functions.values():
        assert any(c.endswith(f"/{function.spec.name}") for c in callers), function.spec.name
    spoke_actions = {a for (c, a) in shape.checked if f"assumed-role/{SPOKE_ROLE_NAME}/" in c}
    assert spoke_actions <= set(SMS_READ_ACTIONS)
    assert {"sms-voice:DescribeRegistrations", REMOVED_ACTION} <= spoke_actions
    # At run time too, the SMS API reads are exactly the shared list (tests/unit/test_sms_actions.py).
    sms_actions = {a for _, a in shape.checked if a.startswith("sms-voice:")}
    assert sms_actions == set(SMS_READ_ACTIONS)
    # Both member accounts were read through their own spoke role.
    assert shape.stack.org_demo is not None
    spoke_accounts = {c.split(":")[4] for c, _ in shape.checked if f"assumed-role/{SPOKE_ROLE_NAME}/" in c}
    assert spoke_accounts == set(shape.stack.org_demo.members)


def test_every_member_alert_carries_its_name_and_its_field_feedback(shape: Shape) -> None:
    alerts = _member_alerts(shape)
    assert {a["accountId"] for a in alerts} == set(
        shape.stack.org_demo.members if shape.stack.org_demo else ()
    )
    for alert in alerts:
        assert alert.get("registrationName"), f"{alert['accountId']} {alert['registrationId']}: no name"
        assert not alert.get("profileReadFailures"), alert
    denied = [a for a in alerts if a["status"] == "DENIED"]
    assert len(denied) == 2, "Acme EU's brand, in both regions"
    for alert in denied:
        assert alert["registrationName"] == "Acme EU"
        assert [(f["fieldPath"], f["deniedReason"]) for f in alert["fieldFeedback"]] == [
            (EU_FIELD_FEEDBACK["field_path"], EU_FIELD_FEEDBACK["denied_reason"])
        ]
        (slack,) = [
            n
            for n in shape.stack.notifications
            if n.destination == "slack" and n.event_id == alert["eventId"]
        ]
        text = json.dumps(slack.payload, ensure_ascii=False)
        assert "Acme EU" in text and EU_FIELD_FEEDBACK["denied_reason"] in text
    labs = [a for a in alerts if a["accountId"] == ACME_LABS]
    # Its transition once the role exists, then the epilogue's authentication reminders.
    assert labs and {a["registrationName"] for a in labs} == {"Acme Labs"}


def test_a_removed_action_is_denied_counted_and_visible_in_the_alert(shape: Shape) -> None:
    removal = shape.removal
    assert removal.granted_before, f"the spoke role does not grant {REMOVED_ACTION}"
    assert removal.denied, "the gate counted no denial"
    assert {action for _, action in removal.denied} == {REMOVED_ACTION}
    (caller,) = {caller for caller, _ in removal.denied}
    assert f"assumed-role/{SPOKE_ROLE_NAME}/" in caller
    assert "because no identity-based policy allows the sms-voice:DescribeRegistrationFieldValues action" in (
        removal.refusals[0].message
    )
    # What the missing action costs: the alert goes out, without the registration's name.
    assert removal.event["status"] == "REVOKED"
    assert not removal.event.get("registrationName")


def test_the_regwatch_command_reads_the_organization_stack(shape: Shape) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(shape.stack.command_env)
    env["PYTHONPATH"] = f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}"

    def regwatch(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "regwatch_cli.main", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
        return result.stdout

    rows = json.loads(regwatch("status", "--json"))
    assert shape.stack.org_demo is not None
    assert set(shape.stack.org_demo.members) | {HUB} <= {row["account"] for row in rows}
    labs = [row for row in rows if row["account"] == ACME_LABS]
    assert [row["currentVersionStatus"] for row in labs] == ["REQUIRES_AUTHENTICATION"]
    history = json.loads(regwatch("history", labs[0]["registrationId"], "--json"))
    assert history and history[-1]["status"] == "REQUIRES_AUTHENTICATION"


def test_a_member_forwards_aws_events_to_the_hub_bus_only_as_the_bus_policy_allows(shape: Shape) -> None:
    """Cross-account PutEvents onto the hub bus, judged by the template's bus policy
    (organization members, source aws.sms-voice only)."""
    import boto3
    from botocore.exceptions import ClientError
    from moto.iam.utils import generate_access_key_id_from_account_id

    assert shape.stack.org_demo is not None
    member = next(a for a in shape.stack.org_demo.members if a != ACME_LABS)
    bus = f"arn:aws:events:us-east-1:{HUB}:event-bus/{shape.stack.bus_name}"

    def put(account: str, source: str) -> str:
        client = boto3.client(
            "events",
            endpoint_url=shape.gate.url,
            region_name="us-east-1",
            aws_access_key_id=generate_access_key_id_from_account_id(account, "AKIA"),
            aws_secret_access_key="local",
        )
        entry = {
            "EventBusName": bus,
            "Source": source,
            "DetailType": "Registration Status Change",
            "Detail": "{}",
        }
        try:
            client.put_events(Entries=[entry])
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "forwarded"

    before = shape.gate.denied_total
    assert put(member, "aws.sms-voice") != "AccessDeniedException"
    assert put(member, "someone.else") == "AccessDeniedException"
    assert put("999988887777", "aws.sms-voice") == "AccessDeniedException", "not in the organization"
    assert shape.gate.denied_total == before + 2
