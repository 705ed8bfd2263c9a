"""End to end: the `make demo` stack plays the scripted story, nothing mocked.

The stack is the one `python -m local.run` runs (synthesized template on moto server,
bundled functions under awslambdaric, the registration emulator, a local Slack
webhook), without the terminal timeline. It plays local/scenarios/demo.json once per
module; each test then checks one promise about what reached Slack and SNS.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from local.run import LocalStack, Notification, StackOptions

SCENARIO_ACCOUNT = "123456789012"
# The story of local/scenarios/demo.json at version level: (scenario id suffix, version, previous, status).
EXPECTED_VERSION_TRANSITIONS = {
    ("promo", 1, "REVIEWING", "DENIED"),  # baseline: already denied when regwatch starts
    ("brand", 1, "REVIEWING", "REQUIRES_AUTHENTICATION"),
    ("retailbrand", 1, "REVIEWING", "REQUIRES_AUTHENTICATION"),  # nobody authenticates: reminders
    ("marketing", 2, "REVIEWING", "DENIED"),
    ("senderid", 1, "REVIEWING", "APPROVED"),
    ("brand", 1, "REQUIRES_AUTHENTICATION", "APPROVED"),
    ("marketing", 3, None, "DRAFT"),
    ("marketing", 3, "DRAFT", "SUBMITTED"),
    ("2fa", 2, "DRAFT", "DISCARDED"),
    ("tollfree", 1, "SUBMITTED", "REVIEWING"),  # two changes between two scans: both reported
    ("tollfree", 1, "REVIEWING", "APPROVED"),
    ("marketing", 3, "SUBMITTED", "APPROVED"),
    ("marketing", 1, "APPROVED", "ARCHIVED"),
    ("tollfreewest", 1, "APPROVED", "REVOKED"),
}
SNS_STATUSES = {
    "DENIED",
    "REQUIRES_AUTHENTICATION",
    "REQUIRES_UPDATES",
    "REVOKED",
    "TARGET_UNHEALTHY",
    "TARGET_DELETIONS_HELD",
    "REJECTED",  # contract 1.2: RCS launches / Notify configurations
    "REQUIRES_VERIFICATION",
}
# The demo's settings, except fewer EventBridge retries (cdk context `targetRetryAttempts`, default
# 50) so the dead-letter test does not spend most of its time failing on purpose.
RETRY_ATTEMPTS = 3


def _name(registration_id: str) -> str:
    """`registration-acmemarketing000…2` -> `marketing` (the scenario's readable ids)."""
    return registration_id.removeprefix("registration-").rstrip("0123456789").removeprefix("acme")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    options = StackOptions(
        output_dir=tmp_path_factory.mktemp("demo-output"), context={"targetRetryAttempts": RETRY_ATTEMPTS}
    )
    with LocalStack(options) as stack:
        stack.play()
        yield stack


def _by_event_id(notifications: list[Notification], destination: str) -> Counter[str | None]:
    return Counter(n.event_id for n in notifications if n.destination == destination)


def _details(stack: LocalStack) -> list[dict[str, Any]]:
    """Registration and version events (contract 1.2's RCS/Notify events: `_resource_events`)."""
    return [event["detail"] for event in stack.transitions if "resourceId" not in event["detail"]]


def _resource_events(stack: LocalStack) -> list[dict[str, Any]]:
    return [event for event in stack.transitions if "resourceId" in event["detail"]]


def test_the_story_is_detected_transition_by_transition(story: LocalStack) -> None:
    details = _details(story)
    versions = {
        (_name(d["registrationId"]), d["versionNumber"], d["previousStatus"], d["status"])
        for d in details
        if d["scope"] == "VERSION"
    }
    assert versions == EXPECTED_VERSION_TRANSITIONS
    deleted = [d for d in details if d["status"] == "DELETED"]
    assert [(_name(d["registrationId"]), d["scope"]) for d in deleted] == [("oldtestbrand", "REGISTRATION")]
    ids = [d["eventId"] for d in details]
    assert len(ids) == len(set(ids)), "the scanner published a transition twice"
    assert {d["accountId"] for d in details} == {SCENARIO_ACCOUNT}
    assert {d["region"] for d in details} == {"us-east-1", "us-west-2"}


def test_every_change_reaches_slack_exactly_once(story: LocalStack) -> None:
    # The demo routes every severity to Slack, so every alert must arrive there once, and
    # the registration-level echo of a version change (alert false) never.
    slack = _by_event_id(story.notifications, "slack")
    every = [*_details(story), *(e["detail"] for e in _resource_events(story))]
    expected = Counter(d["eventId"] for d in every if d["alert"])
    assert slack == expected
    assert any(not d["alert"] for d in _details(story)), "the story has version + registration pairs"
    assert None not in slack


def test_sns_gets_exactly_the_transitions_its_rule_routes_once_each(story: LocalStack) -> None:
    sns_spec = story.stack.notifier_for("sns")
    (target,) = story.stack.targets_of(sns_spec.logical_id)
    assert target.event_pattern is not None
    assert set(target.event_pattern["detail"]["status"]) == SNS_STATUSES, "default routing: action required"
    every = [*_details(story), *(e["detail"] for e in _resource_events(story))]
    expected = Counter(d["eventId"] for d in every if d["status"] in SNS_STATUSES and d["alert"])
    assert len(expected) >= 5
    assert _by_event_id(story.notifications, "sns") == expected


def test_notifications_carry_status_previous_status_and_denial_reasons(story: LocalStack) -> None:
    denied = next(
        d for d in _details(story) if _name(d["registrationId"]) == "marketing" and d["status"] == "DENIED"
    )
    assert denied["previousStatus"] == "REVIEWING"
    assert denied["severity"] == "ACTION_REQUIRED"
    assert [r["reason"] for r in denied["deniedReasons"]] == [
        "Sample messages missing opt-out",
        "Privacy policy link unreachable",
    ]
    (slack,) = [
        n for n in story.notifications if n.destination == "slack" and n.event_id == denied["eventId"]
    ]
    (sns,) = [n for n in story.notifications if n.destination == "sns" and n.event_id == denied["eventId"]]
    slack_text = json.dumps(slack.payload)
    for reason in denied["deniedReasons"]:
        assert reason["reason"] in slack_text
        assert reason["reason"] in sns.text
    assert "Reviewing" in sns.text and "Denied" in sns.text
    assert sns.payload["MessageAttributes"]["status"]["Value"] == "DENIED"
    assert "opt-out language to sample message 2" in sns.text, "the reviewer's feedback is shown"


def test_the_rcs_launch_goes_partial_to_active_per_carrier_and_notify_is_rejected_with_its_reason(
    story: LocalStack,
) -> None:
    events = _resource_events(story)
    rcs = [e["detail"] for e in events if e["detail-type"] == "RCS Launch Status Change"]
    carriers = [
        (d["previousStatus"], d["status"], {c["carrierName"]: c["status"] for c in d["carrierStatuses"]})
        for d in rcs
    ]
    assert carriers == [
        ("PARTIAL", "PARTIAL", {"AT&T": "ACTIVE", "T-Mobile": "ACTIVE", "Verizon": "PENDING"}),
        ("PARTIAL", "ACTIVE", {"AT&T": "ACTIVE", "T-Mobile": "ACTIVE", "Verizon": "ACTIVE"}),
    ]
    assert [d["changedCarriers"] for d in rcs] == [["AT&T"], ["Verizon"]]
    (notify,) = [e["detail"] for e in events if e["detail-type"] == "Notify Configuration Status Change"]
    assert (notify["previousStatus"], notify["status"], notify["severity"]) == (
        "PENDING",
        "REJECTED",
        "ACTION_REQUIRED",
    )
    reason = "The website does not describe the one-time password use case."
    assert notify["rejectionReason"] == reason
    slack = {n.event_id: n for n in story.notifications if n.destination == "slack"}
    sns = {n.event_id: n for n in story.notifications if n.destination == "sns"}
    # Slack gets every step (the demo routes every severity there), SNS the rejection only.
    assert {d["eventId"] for d in [*rcs, notify]} <= set(slack)
    assert "Verizon: Pending → Active" in json.dumps(slack[rcs[1]["eventId"]].payload, ensure_ascii=False)
    assert reason in json.dumps(slack[notify["eventId"]].payload, ensure_ascii=False)
    assert reason in sns[notify["eventId"]].text and "Pending → Rejected" in sns[notify["eventId"]].text
    assert not {d["eventId"] for d in rcs} & set(sns), "SNS routes action required only"
    assert sns[notify["eventId"]].payload["MessageAttributes"]["status"]["Value"] == "REJECTED"


def test_the_baseline_does_not_flood(story: LocalStack) -> None:
    first_scan = next(n for n in story.notes if n.kind == "scan_finished")
    baseline = [d for d in _details(story) if d["baseline"]]
    assert first_scan.data["events"] == len(baseline) == 1, "9 registrations seeded, 1 needs a human"
    assert baseline[0]["severity"] == "ACTION_REQUIRED"
    assert _name(baseline[0]["registrationId"]) == "promo"


def test_nothing_is_dead_lettered_on_the_happy_path(story: LocalStack) -> None:
    assert story.dead_letters() == {"Scanner": [], "NotifySlack": [], "NotifySns": []}


def test_a_rescan_with_no_change_sends_nothing(story: LocalStack) -> None:
    before = len(story.notifications)
    story.advance(300)
    result = story.scan()
    assert result["events"] == []
    assert len(story.notifications) == before
    assert sum(result["api_calls"].values()) > 0, "the scan did run against the emulator"


def test_a_duplicate_delivery_is_suppressed_by_the_notifiers(story: LocalStack) -> None:
    before = len(story.notifications)
    suppressed_before = story.duplicates_suppressed
    # One replay per rule target: Slack alerts, SNS alerts, and the Slack digest rule.
    assert story.replay_last_delivery() == 3
    assert len(story.notifications) == before
    assert story.duplicates_suppressed == suppressed_before + 3


def test_a_failing_notifier_dead_letters_the_event_and_a_redrive_delivers_it_once(story: LocalStack) -> None:
    table_name = story.stack.notifier_for("sns").environment["IDEMPOTENCY_TABLE_NAME"]
    description = story.dynamodb.describe_table(TableName=table_name)["Table"]
    # The notifiers' idempotency store goes away: every attempt fails, retries run out.
    story.dynamodb.delete_table(TableName=table_name)
    before = len(story.notifications)
    story.control.set_version_status(
        "us-west-2", "registration-acmebrandwest0000000000000000009", 1, "REVOKED"
    )
    story.advance(300)
    result = story.scan()
    (event,) = [e for e in result["events"] if e["detail"]["scope"] == "VERSION"]
    event_id = event["detail"]["eventId"]
    assert len(story.notifications) == before, "nothing was delivered while the notifiers failed"
    dead = story.dead_letters()
    for name in ("NotifySlack", "NotifySns"):
        assert event_id in [d["event"]["detail"]["eventId"] for d in dead[name]]
        attributes = dead[name][0]["attributes"]
        assert attributes["ERROR_CODE"] == "SDK_CLIENT_ERROR"
        assert attributes["RETRY_ATTEMPTS"] == str(RETRY_ATTEMPTS), "the template's RetryPolicy applies"
        assert attributes["TARGET_ARN"].endswith(f":function:{name}")
        assert attributes["RULE_ARN"].startswith("arn:aws:events:us-east-1:123456789012:rule/")
    failures = [n for n in story.notes if n.kind == "delivery_failed" and n.data["dead_lettered"]]
    assert {n.data["function"] for n in failures} == {"NotifySlack", "NotifySns"}

    story.dynamodb.create_table(
        TableName=table_name,
        KeySchema=description["KeySchema"],
        AttributeDefinitions=description["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    redelivered = story.redrive_all()
    assert redelivered == sum(len(v) for v in dead.values())
    assert story.redrive_all() == 0
    assert story.dead_letters() == {"Scanner": [], "NotifySlack": [], "NotifySns": []}
    for event_detail in (e["detail"] for e in result["events"]):
        assert _by_event_id(story.notifications, "slack")[event_detail["eventId"]] == int(
            event_detail["alert"]
        )
    assert _by_event_id(story.notifications, "sns")[event_id] == 1


def test_one_post_per_change_with_names_and_field_level_denial(story: LocalStack) -> None:
    denied = next(
        d for d in _details(story) if _name(d["registrationId"]) == "marketing" and d["status"] == "DENIED"
    )
    # Named by its form's campaign name (the Name tag is read only when the form has none).
    assert denied["registrationName"] == "Acme marketing campaign: weekly offers for Acme rewards members"
    assert {f["fieldPath"] for f in denied["fieldFeedback"]} == {
        "messageSamples.messageSample2",
        "campaignInfo.privacyPolicyLink",
    }
    (slack,) = [
        n for n in story.notifications if n.destination == "slack" and n.event_id == denied["eventId"]
    ]
    text = json.dumps(slack.payload, ensure_ascii=False)
    assert "Acme marketing campaign" in text and "Message samples › Message sample 2" in text
    assert "Reviewing → Requires updates" in text, "the registration's change rides on the version's alert"
    echo = next(
        d
        for d in _details(story)
        if d["registrationId"] == denied["registrationId"] and d["scope"] == "REGISTRATION"
    )
    assert echo["alert"] is False and echo["eventId"] not in {n.event_id for n in story.notifications}


@pytest.fixture(scope="module")
def epilogue(story: LocalStack) -> tuple[int, list[dict[str, Any]]]:
    """The demo's epilogue played once: (notifications before it, the evaluator's reports).
    The IAM check below needs it too: the evaluator makes its calls only here."""
    from local.reminders_demo import play_epilogue

    before = len(story.notifications)
    return before, play_epilogue(story)


def test_the_epilogue_reminds_escalates_and_sends_one_digest(
    story: LocalStack, epilogue: tuple[int, list[dict[str, Any]]]
) -> None:
    from local.reminders_demo import alert_summary

    before, reports = epilogue
    assert [r["remindersPublished"] for r in reports] == [
        {"AUTHENTICATION_LINK_EXPIRING": 1},
        {"AUTHENTICATION_LINK_EXPIRED": 1},
    ]
    assert [r["digest"] for r in reports][1] is not None
    new = story.notifications[before:]
    slack = [n for n in new if n.destination == "slack"]
    sns = [n for n in new if n.destination == "sns"]
    assert len([n for n in slack if "Reminder: Acme Retail brand" in n.text]) == 2
    assert len([n for n in sns if "Acme Retail brand" in n.text]) == 2, "authentication reminders page"
    assert len([n for n in slack if "daily digest" in n.text]) == 1
    assert not [n for n in sns if "daily digest" in n.text], "SNS did not opt in (digestDestinations)"
    summary = alert_summary(story)
    assert "No change was announced twice." in summary
    assert re.search(r"slack\s+\d+ alerts,\s+2 reminders,\s+1 digests", summary), summary
    assert re.search(r"sns\s+\d+ alerts,\s+2 reminders,\s+0 digests", summary), summary


# ---- least privilege: every call went through the IAM gate (local/iam) ------------------------


def called_actions(stack: LocalStack, function_name: str) -> set[str]:
    """The IAM actions the gate checked for one function (its role session is named after it)."""
    assert stack.iam_gate is not None
    return {
        action for (caller, action) in stack.iam_gate.checked_by() if caller.endswith(f"/{function_name}")
    }


def test_every_call_a_function_made_was_allowed_by_its_own_role(
    story: LocalStack, epilogue: tuple[int, list[dict[str, Any]]]
) -> None:
    # After the epilogue, whatever order the tests run in: it is where the evaluator calls AWS.
    assert story.iam_gate is not None
    assert story.iam_gate.denials() == [], story.iam_gate.summary()
    for function in story.functions.values():
        assert called_actions(story, function.spec.name), f"the gate checked no call of {function.spec.name}"
    assert len(story.functions) == 5  # scanner, dispatcher, both notifiers, evaluator
    scanner = story.stack.function_for_handler("scanner.handler.lambda_handler").name
    called = {
        f"sms-voice:{operation}"
        for operation, count in story.control.counters().items()
        if ":" not in operation and count > 0
    }
    assert called, "the emulator counted no SMS API call"
    assert called <= called_actions(story, scanner), "every SMS API call went through the gate"
