"""Fault injection, table-driven: each row is a fault, where it strikes, and the expected outcome.

Every row runs the same story on the local stack (see pipeline.py): 40 registrations (110
where the row needs more than one listing page), a baseline scan, then 6 registrations
change, the fault is armed, the scheduled scans and EventBridge deliveries run through it,
the fault clears, the schedule carries on for two more scans (and an operator redrives the
dead-letter queues where the row says so). Then, per eventId: lost = 0 (every injected
transition published, every published event delivered to Slack and to SNS), duplicates as
expected (0 unless documented), dead letters as expected. Each row also proves its fault
actually fired.

`make faults` (python -m tests.faults.run) runs this suite and writes its table into
docs/reliability.md; with `-s` pytest prints the per-row figures too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from benchmarks.dataset import InjectedTransition
from local.slack_webhook import SlackWebhookServer
from tests.faults.pipeline import REGION, SNAPSHOT_TABLE, Pipeline
from tests.faults.results import record_row
from tests.faults.sdk_faults import (
    INJECTOR,
    PartialPutEvents,
    WireFault,
    fast_retries,
    install,
    kill_after_next_publish,
)

REGISTRATIONS = 40
PAGINATED = 110  # more than one DescribeRegistrations page (MaxResults 100)
CHANGING = 6
# Longer than any SDK retry budget: botocore's `max_attempts` counts retries, so the SMS
# client (max_attempts=8) makes 9 attempts and the others (max_attempts=5) 6.
STORM = 12

Probe = Callable[[], int]  # how many times the armed fault struck


@dataclass(frozen=True)
class FaultRow:
    id: str
    where: str
    arm: Callable[[Pipeline], Probe]
    registrations: int = REGISTRATIONS
    scans_under_fault: int = 1
    remaining_millis: int = 60_000
    redrive: bool = False
    expected_dead_letters: int = 0
    expected_left_in_dlq: int = 0
    expected_duplicates: int = 0
    extra_truth: Callable[[Pipeline], list[InjectedTransition]] | None = None
    # The part of the truth that must be published while the fault is still armed.
    published_under_fault: Callable[[Pipeline, list[InjectedTransition]], list[InjectedTransition]] | None = (
        None
    )
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # Extra destinations this row adds to the pipeline (tests/faults/destinations.py).
    destinations: tuple[str, ...] = ()


# --- arming functions -------------------------------------------------------------------


def emulator_storm(operation: str, code: int | str) -> Callable[[Pipeline], Probe]:
    def arm(pipeline: Pipeline) -> Probe:
        pipeline.control.set_faults(operation=operation, error_script=[code] * STORM)
        suffix = "throttled" if code == "ThrottlingException" else "faulted"
        return lambda: int(pipeline.control.counters().get(f"{operation}:{suffix}", 0))

    return arm


def wire(fault_factory: Callable[[Pipeline], WireFault]) -> Callable[[Pipeline], Probe]:
    def arm(pipeline: Pipeline) -> Probe:
        fault = fault_factory(pipeline)
        with INJECTOR.lock:
            INJECTOR.wire.append(fault)
        return lambda: fault.fired

    return arm


def partial_put_events(pipeline: Pipeline) -> Probe:
    partial = PartialPutEvents(calls=2, fail_every=2)
    INJECTOR.partial_put_events = partial
    return lambda: partial.entries_failed


def kill_between_publish_and_snapshot_write(pipeline: Pipeline) -> Probe:
    """Once events are out, the process dies on its next snapshot write (and stays dead)."""
    return kill_after_next_publish(SNAPSHOT_TABLE)


def overlapping_writer(pipeline: Pipeline) -> Probe:
    """Just before the scan's conditional snapshot write, another scan writes the same item."""
    dynamodb = boto3.client("dynamodb")

    def write_first(body: dict[str, Any]) -> None:
        key = {"pk": body["Item"]["pk"], "sk": body["Item"]["sk"]}
        stored = dynamodb.get_item(TableName=SNAPSHOT_TABLE, Key=key, ConsistentRead=True)["Item"]
        stored["revision"] = {"N": str(int(stored["revision"]["N"]) + 1)}
        dynamodb.put_item(TableName=SNAPSHOT_TABLE, Item=stored)

    return wire(
        lambda _: WireFault("dynamodb", "PutItem", count=1, table=SNAPSHOT_TABLE, action=write_first)
    )(pipeline)


def expired_next_token(pipeline: Pipeline) -> Probe:
    return wire(
        lambda _: WireFault(
            "pinpoint-sms-voice-v2",
            "DescribeRegistrations",
            count=1,
            status=400,
            code="ValidationException",
            when=lambda body: "NextToken" in body,
            members={"Message": "The NextToken has expired.", "Reason": "INVALID_NEXT_TOKEN"},
        )
    )(pipeline)


def malformed(operation: str, spoil: Callable[[dict[str, Any]], bool]) -> Callable[[Pipeline], Probe]:
    """The first answer of `operation` arrives with a malformed value (after SDK parsing)."""

    def arm(pipeline: Pipeline) -> Probe:
        spoiled = [0]

        def observer(service: str, name: str, parsed: dict[str, Any]) -> None:
            if name == operation and not spoiled[0] and spoil(parsed):
                spoiled[0] += 1

        INJECTOR.observers.append(observer)
        return lambda: spoiled[0]

    return arm


def spoil_version(parsed: dict[str, Any]) -> bool:
    versions = parsed.get("RegistrationVersions") or []
    if not versions:
        return False
    versions[0]["RegistrationVersionStatusHistory"] = {"DraftTimestamp": "not-a-timestamp", "Bogus": None}
    versions[-1].pop("RegistrationVersionStatus", None)
    return True


def spoil_summary(parsed: dict[str, Any]) -> bool:
    registrations = parsed.get("Registrations") or []
    if not registrations:
        return False
    registrations[0].pop("CurrentVersionNumber", None)
    registrations[-1]["RegistrationStatus"] = None
    return True


def malformed_targets(pipeline: Pipeline) -> tuple[str, str]:
    changed = sorted({item.transition.registration_id for item in pipeline.dataset.injected if item.revealed})
    return changed[0], changed[1]


def not_malformed(pipeline: Pipeline, truth: list[InjectedTransition]) -> list[InjectedTransition]:
    bad = malformed_targets(pipeline)
    return [item for item in truth if item.transition.registration_id not in bad]


def persistently_malformed(pipeline: Pipeline) -> Probe:
    """Every answer about two of the changed registrations carries an unreadable value
    (one's versions, the other's summary) until the fault clears: the other registrations'
    alerts must not wait, and theirs must arrive once the values are readable again."""
    bad_versions, bad_summary = malformed_targets(pipeline)
    spoiled = [0]

    def observer(service: str, name: str, parsed: dict[str, Any]) -> None:
        if name == "DescribeRegistrationVersions" and parsed.get("RegistrationId") == bad_versions:
            history = parsed["RegistrationVersions"][-1].setdefault("RegistrationVersionStatusHistory", {})
            history["SubmittedTimestamp"] = "not-a-timestamp"
            spoiled[0] += 1
        if name == "DescribeRegistrations":
            for item in parsed.get("Registrations", []):
                if item.get("RegistrationId") == bad_summary:
                    item["RegistrationStatus"] = None
                    spoiled[0] += 1

    INJECTOR.observers.append(observer)
    return lambda: spoiled[0]


UNKNOWN_VERSION_STATUS = "PENDING_CARRIER_REVIEW"


def unknown_values_truth(pipeline: Pipeline) -> list[InjectedTransition]:
    """A version status and a registration status today's API model does not know."""
    changed = {item.transition.registration_id for item in pipeline.dataset.injected}
    spare = [rid for rid in pipeline.dataset.ids if rid not in changed][:2]
    registration = pipeline.emulator.store.region(REGION).registrations[spare[0]]
    injected = pipeline.dataset.set_status(
        spare[0],
        registration.current.number,
        UNKNOWN_VERSION_STATUS,
        tick=pipeline.tick,
        history_key="PendingCarrierReviewTimestamp",
    )
    pipeline.control.set_registration(REGION, spare[1], "SUSPENDED_BY_CARRIER")
    return injected


def unknown_values(pipeline: Pipeline) -> Probe:
    return lambda: sum(1 for d in pipeline.audit_details if d.get("status") == UNKNOWN_VERSION_STATUS)


def time_running_out(pipeline: Pipeline) -> Probe:
    # Each version read takes 0.6 s; the invocation has 2.5 s left: the scan must stop itself.
    pipeline.control.set_faults(operation="DescribeRegistrationVersions", latency_ms=600)
    return lambda: sum(1 for s in pipeline.scan_summaries if not s["complete"])


def slack_script(responses: list[dict[str, Any]]) -> Callable[[Pipeline], Probe]:
    def arm(pipeline: Pipeline) -> Probe:
        pipeline.slack.script(responses)
        # Posts that did not make a first delivery: refused, timed out, or repeated.
        return lambda: len(pipeline.slack.requests) - len(pipeline.outcome([]).per_destination["slack"])

    return arm


def sink_script(destination: str, responses: list[dict[str, Any]]) -> Callable[[Pipeline], Probe]:
    """Faults at an extra destination's sink (local/sinks/); the probe counts the scripted answers used."""

    def arm(pipeline: Pipeline) -> Probe:
        sink = pipeline.extra[destination].sink
        sink.script(responses)
        return lambda: len(responses) - sink.scripted_left()

    return arm


def action_required_truth(pipeline: Pipeline) -> list[InjectedTransition]:
    """One more registration is denied, so PagerDuty has an incident to open in every row."""
    changed = {item.transition.registration_id for item in pipeline.dataset.injected}
    spare = next(rid for rid in pipeline.dataset.ids if rid not in changed)
    registration = pipeline.emulator.store.region(REGION).registrations[spare]
    return pipeline.dataset.set_status(
        spare, registration.current.number, "DENIED", tick=pipeline.tick, history_key="DeniedTimestamp"
    )


def poison_event(pipeline: Pipeline) -> Probe:
    """An event on the bus that matches the rules but breaks contract v1 (no eventId, bad severity)."""
    boto3.client("events").put_events(
        Entries=[
            {
                "Source": "regwatch",
                "DetailType": "Registration Version Denied",
                "Detail": '{"schemaVersion": "1.0", "severity": "APOCALYPTIC", "registrationId": 42}',
                "EventBusName": "regwatch-faults",
            }
        ]
    )
    return lambda: sum(1 for d in pipeline.audit_details if "eventId" not in d)


# --- the table ----------------------------------------------------------------------------

ROWS: list[FaultRow] = [
    FaultRow(
        "sms-list-throttling-storm",
        "SMS DescribeRegistrations",
        emulator_storm("DescribeRegistrations", "ThrottlingException"),
        registrations=PAGINATED,
    ),
    FaultRow(
        "sms-list-500-storm",
        "SMS DescribeRegistrations",
        emulator_storm("DescribeRegistrations", 500),
        registrations=PAGINATED,
    ),
    FaultRow(
        "sms-versions-throttling-storm",
        "SMS DescribeRegistrationVersions",
        emulator_storm("DescribeRegistrationVersions", "ThrottlingException"),
    ),
    FaultRow(
        "sms-versions-500-storm",
        "SMS DescribeRegistrationVersions",
        emulator_storm("DescribeRegistrationVersions", 500),
    ),
    FaultRow(
        "sms-expired-next-token",
        "SMS DescribeRegistrations page 2",
        expired_next_token,
        registrations=PAGINATED,
    ),
    FaultRow(
        "sms-malformed-version",
        "SMS DescribeRegistrationVersions answer",
        malformed("DescribeRegistrationVersions", spoil_version),
    ),
    FaultRow(
        "sms-malformed-summary",
        "SMS DescribeRegistrations answer",
        malformed("DescribeRegistrations", spoil_summary),
    ),
    FaultRow(
        "sms-malformed-persistent",
        "SMS answers about two registrations, for two scans",
        persistently_malformed,
        scans_under_fault=2,
        published_under_fault=not_malformed,
    ),
    FaultRow("sms-unknown-statuses", "SMS API values", unknown_values, extra_truth=unknown_values_truth),
    FaultRow(
        "dynamodb-throttling-storm",
        "DynamoDB snapshot table",
        wire(
            lambda _: WireFault(
                "dynamodb", "*", STORM, 400, "ProvisionedThroughputExceededException", table=SNAPSHOT_TABLE
            )
        ),
    ),
    FaultRow(
        "dynamodb-500-storm",
        "DynamoDB snapshot table",
        wire(lambda _: WireFault("dynamodb", "*", STORM, 500, "InternalServerError", table=SNAPSHOT_TABLE)),
    ),
    FaultRow("dynamodb-overlapping-scan-conflict", "DynamoDB conditional write", overlapping_writer),
    FaultRow(
        "eventbridge-throttling-storm",
        "EventBridge PutEvents",
        wire(lambda _: WireFault("events", "PutEvents", STORM, 400, "ThrottlingException")),
    ),
    FaultRow(
        "eventbridge-500-storm",
        "EventBridge PutEvents",
        wire(lambda _: WireFault("events", "PutEvents", STORM, 500, "InternalException")),
    ),
    FaultRow("eventbridge-partial-failure", "EventBridge PutEvents entries", partial_put_events),
    FaultRow(
        "killed-between-publish-and-snapshot", "scanner process", kill_between_publish_and_snapshot_write
    ),
    FaultRow("invocation-time-running-out", "scanner invocation", time_running_out, remaining_millis=2_500),
    FaultRow("slack-429", "Slack webhook", slack_script([{"status": 429, "retry_after": 1}] * 2)),
    FaultRow(
        "slack-500-storm",
        "Slack webhook",
        # 3 posts per invocation (slack_sdk retries twice) x 3 invocations (EventBridge retries twice).
        slack_script([{"status": 500}] * 9),
        redrive=True,
        expected_dead_letters=1,
    ),
    FaultRow("slack-timeout-not-accepted", "Slack webhook", slack_script([{"delay": 1.5, "status": 504}])),
    FaultRow(
        "slack-timeout-accepted-late",
        "Slack webhook",
        slack_script([{"delay": 1.5}]),
        expected_duplicates=1,
        note="Slack took the post after the client timed out; incoming webhooks have no idempotency "
        "key, so the retry posts again (documented in slack_poster.py: a rare duplicate over a lost alert)",
    ),
    FaultRow(
        "sns-500-storm",
        "SNS Publish",
        # 6 SDK attempts (max_attempts=5 retries) fail the first invocation; EventBridge's retry gets through.
        wire(lambda _: WireFault("sns", "Publish", 8, 500, "InternalError")),
    ),
    FaultRow(
        "sns-not-found",
        "SNS Publish",
        # Not retryable: 3 invocations per event, so 6 failures dead-letter exactly 2 events.
        wire(lambda _: WireFault("sns", "Publish", 6, 404, "NotFound")),
        redrive=True,
        expected_dead_letters=2,
    ),
    FaultRow(
        "pagerduty-429",
        "PagerDuty Events API",
        sink_script("pagerduty", [{"status": 429, "retry_after": 1}] * 2),
        extra_truth=action_required_truth,
        destinations=("pagerduty",),
    ),
    FaultRow(
        "pagerduty-500-storm",
        "PagerDuty Events API",
        # 4 posts per invocation (urllib3 retries 3 times) x 3 invocations (EventBridge retries twice).
        sink_script("pagerduty", [{"status": 500}] * 12),
        extra_truth=action_required_truth,
        redrive=True,
        expected_dead_letters=1,
        destinations=("pagerduty",),
    ),
    FaultRow(
        "pagerduty-timeout-accepted-late",
        "PagerDuty Events API",
        sink_script("pagerduty", [{"delay": 1.5}]),
        extra_truth=action_required_truth,
        note="the late trigger and its retry carry one dedup_key: PagerDuty keeps one incident (dup=0)",
        destinations=("pagerduty",),
    ),
    FaultRow(
        "pagerduty-400-bad-event",
        "PagerDuty Events API",
        # A refused event is not retried by the client; each invocation fails once: 3 x 400 -> DLQ.
        sink_script("pagerduty", [{"status": 400, "body": {"status": "invalid event", "errors": ["x"]}}] * 3),
        extra_truth=action_required_truth,
        redrive=True,
        expected_dead_letters=1,
        destinations=("pagerduty",),
    ),
    FaultRow(
        "teams-429",
        "Teams workflow",
        sink_script("teams", [{"status": 429, "retry_after": 1}] * 2),
        destinations=("teams",),
    ),
    FaultRow(
        "teams-500-storm",
        "Teams workflow",
        sink_script("teams", [{"status": 502}] * 12),
        redrive=True,
        expected_dead_letters=1,
        destinations=("teams",),
    ),
    FaultRow(
        "teams-workflow-deleted",
        "Teams workflow",
        sink_script("teams", [{"status": 404}] * 3),
        redrive=True,
        expected_dead_letters=1,
        note="a deleted workflow (404) is not retried by the client: 3 invocations, then the DLQ; "
        "redriven once the URL in the secret works again",
        destinations=("teams",),
    ),
    FaultRow(
        "teams-timeout-accepted-late",
        "Teams workflow",
        sink_script("teams", [{"delay": 1.5}]),
        expected_duplicates=1,
        note="Workflows took the post after the client timed out; it has no idempotency key, so the "
        "retry posts again (a rare duplicate over a lost alert, as with Slack webhooks)",
        destinations=("teams",),
    ),
    FaultRow(
        "webhook-429",
        "signed webhook receiver",
        sink_script("webhook", [{"status": 429, "retry_after": 1}] * 2),
        destinations=("webhook",),
    ),
    FaultRow(
        "webhook-500-storm",
        "signed webhook receiver",
        # 4 posts per invocation (urllib3 retries 3 times) x 3 invocations (EventBridge retries twice).
        sink_script("webhook", [{"status": 503}] * 12),
        redrive=True,
        expected_dead_letters=1,
        note="the redrive signs the event again (fresh webhook-timestamp, same webhook-id), so a "
        "dead letter redriven long after its first attempt is inside the receiver's replay window",
        destinations=("webhook",),
    ),
    FaultRow(
        "webhook-signature-refused",
        "signed webhook receiver",
        sink_script("webhook", [{"status": 401, "body": "no valid v1 signature"}] * 3),
        redrive=True,
        expected_dead_letters=1,
        note="a receiver refusing the signature (its secret rotated before regwatch's) is not retried "
        "by the client: 3 invocations, then the DLQ; redriven once both hold the same secret",
        destinations=("webhook",),
    ),
    FaultRow(
        "webhook-timeout-accepted-late",
        "signed webhook receiver",
        sink_script("webhook", [{"delay": 1.5}]),
        note="the receiver took the post after the client timed out; the retry carries the same "
        "webhook-id, so the receiver answers it as a repeat and processes the event once (dup=0, "
        "like PagerDuty's dedup_key)",
        destinations=("webhook",),
    ),
    FaultRow(
        "poison-event",
        "event bus",
        poison_event,
        expected_dead_letters=2,
        expected_left_in_dlq=2,
        note="not a regwatch event: both notifiers reject it, it stays in both DLQs (alarm-visible)",
    ),
]


@pytest.fixture(scope="module")
def slack_server() -> Iterator[SlackWebhookServer]:
    server = SlackWebhookServer.start(port=0)
    yield server
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def sdk_fault_hooks() -> Iterator[None]:
    install()
    with fast_retries():
        yield
    INJECTOR.clear()


@pytest.fixture
def pipeline(  # noqa: PLR0917 - pytest passes fixtures by position
    aws: str,
    emulator: Any,
    emulator_control: Any,
    slack_server: SlackWebhookServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Pipeline]:
    INJECTOR.clear()
    row = getattr(request.node, "callspec", None) and request.node.callspec.params.get("row")
    extra = row.destinations if isinstance(row, FaultRow) else ()
    stack = Pipeline(emulator, emulator_control, slack_server, monkeypatch, extra)
    yield stack
    stack.stop_extra_sinks()
    INJECTOR.clear()
    emulator_control.clear_faults()
    stack.reset_handlers()


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_no_alert_lost_or_duplicated(row: FaultRow, pipeline: Pipeline) -> None:
    pipeline.seed(row.registrations)
    baseline = pipeline.scan()
    assert baseline is not None and baseline["complete"], "the baseline scan must succeed before the fault"
    pipeline.start_measuring()

    injected = pipeline.dataset.mutate(CHANGING / row.registrations, hidden_share=0.0, tick=pipeline.tick + 1)
    # Changes the summary does not reveal (REQUIRES_OFFLINE_REVIEW -> REVIEWING keeps the
    # registration REVIEWING) wait for reconciliation; the benchmark's cycle covers those.
    truth = [item for item in injected if item.revealed]
    if row.extra_truth is not None:
        truth += row.extra_truth(pipeline)
    probe = row.arm(pipeline)
    for _ in range(row.scans_under_fault):
        pipeline.scan(row.remaining_millis)
        pipeline.drain()
    struck = probe()
    if row.published_under_fault is not None:
        must_not_wait = row.published_under_fault(pipeline, truth)
        assert must_not_wait and len(must_not_wait) < len(truth)
        waiting = pipeline.outcome(must_not_wait).unpublished
        assert waiting == [], f"{row.id}: blocked by the fault: {waiting}"

    INJECTOR.clear()
    pipeline.control.clear_faults()
    for _ in range(2):  # the schedule carries on
        pipeline.scan()
        pipeline.drain()
    if row.redrive:
        pipeline.redrive_dead_letters()
    outcome = pipeline.outcome(truth)
    struck = max(struck, probe())
    record_row(
        row.id,
        outcome,
        struck=struck,
        expected_duplicates=row.expected_duplicates,
        expected_dead_letters=row.expected_dead_letters,
        expected_left_in_dlq=row.expected_left_in_dlq,
    )
    print(f"\n{outcome.line(row.id)} struck={struck}" + (f"\n    note: {row.note}" if row.note else ""))
    for error in outcome.invocation_errors:
        print(f"    failed invocation: {error[:160]}")

    assert struck > 0, f"{row.id}: the fault never fired, so this row proved nothing"
    assert outcome.injected > 0
    assert outcome.lost == 0, f"{row.id}: {outcome.lost} alert(s) lost: {outcome}"
    assert outcome.duplicates == row.expected_duplicates, f"{row.id}: duplicates {outcome}"
    assert outcome.dead_lettered == row.expected_dead_letters, f"{row.id}: dead letters {outcome}"
    assert outcome.left_in_dead_letter_queues == row.expected_left_in_dlq, f"{row.id}: DLQ depth {outcome}"
