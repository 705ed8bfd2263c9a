"""AWS's native "Registration Status Change" event: emulator -> moto EventBridge default bus -> rule -> SQS.

Only registration-level status changes emit; best effort with a seeded drop rate;
delivery is asynchronous, so the API does not wait for EventBridge.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local.emulator import EmulatorControl, EmulatorServer, NativeEventSink
from tests.emulator.clients import BRAND, REGION, assumed_role_keys, make_client

START = 1767603600.0  # 2026-01-05T09:00:00Z
A = "111111111111"
PATTERN = {"source": ["aws.sms-voice"], "detail-type": ["Registration Status Change"]}
DETAIL_KEYS = {
    "registrationId",
    "registrationVersionNumber",
    "registrationType",
    "registrationStatusChangeTimestamp",
    "currentStatus",
}


@pytest.fixture
def native(aws: str, emulator_control: Any) -> Iterator[EmulatorControl]:
    """The shared emulator sending native events to the (reset) moto server's default bus."""
    emulator_control.native_events(endpoint_url=aws)
    yield emulator_control
    emulator_control.flush_native_events()
    emulator_control.native_events(enabled=False)


def _queue_on_default_bus(credentials: dict[str, str] | None = None) -> tuple[Any, str]:
    """A rule on the default bus for the native event, targeting a new SQS queue."""
    events = boto3.client("events", region_name=REGION, **(credentials or {}))
    sqs = boto3.client("sqs", region_name=REGION, **(credentials or {}))
    url = sqs.create_queue(QueueName="native-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="sms-voice-native", EventPattern=json.dumps(PATTERN))
    # moto's default SQS message leaves `account` out of the envelope; the whole event
    # (as AWS would deliver it) comes through this input template.
    whole_event = {"InputPathsMap": {}, "InputTemplate": "<aws.events.event.json>"}
    events.put_targets(
        Rule="sms-voice-native", Targets=[{"Id": "queue", "Arn": arn, "InputTransformer": whole_event}]
    )
    return sqs, url


def _received(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message in the queue (after a flush, delivery is done)."""
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _flushed(control: EmulatorControl) -> dict[str, Any]:
    result: dict[str, Any] = control.flush_native_events(timeout=20)
    assert result["drained"]
    return result


def test_status_changes_reach_the_default_bus_in_aws_shape(native: EmulatorControl) -> None:
    sqs, url = _queue_on_default_bus()
    native.set_clock(START)
    sms = make_client()
    created = sms.create_registration(RegistrationType=BRAND)  # CREATED: no change, no event
    rid, arn = created["RegistrationId"], created["RegistrationArn"]
    sms.put_registration_field_value(RegistrationId=rid, FieldPath="companyInfo.companyName", TextValue="X")
    native.advance_clock(60)
    sms.submit_registration_version(RegistrationId=rid)  # -> SUBMITTED
    native.advance_clock(60)
    native.set_version_status(REGION, rid, 1, "REVIEWING")  # -> REVIEWING
    native.set_version_status(REGION, rid, 1, "REQUIRES_OFFLINE_REVIEW")  # still REVIEWING: none
    native.advance_clock(60)
    native.set_version_status(REGION, rid, 1, "APPROVED")  # -> COMPLETE
    sms.create_registration_version(RegistrationId=rid)  # v2 DRAFT, still COMPLETE: none
    native.set_version_details(REGION, rid, 2, feedback="x")  # none
    native.set_version_status(REGION, rid, 2, "SUBMITTED", update_registration=False)  # none
    native.advance_clock(60)
    sms.delete_registration(RegistrationId=rid)  # -> DELETED

    counters = _flushed(native)["counters"]
    assert counters == {"NativeEvents:emitted": 4, "NativeEvents:delivered": 4}
    events = _received(sqs, url)
    assert [e["detail"]["registrationDetails"]["currentStatus"] for e in events] == [
        "SUBMITTED",
        "REVIEWING",
        "COMPLETE",
        "DELETED",
    ]
    stamps = [e["detail"]["registrationDetails"]["registrationStatusChangeTimestamp"] for e in events]
    assert stamps == [int((START + 60 * n) * 1000) for n in (1, 2, 3, 4)], "epoch milliseconds"
    assert all(isinstance(stamp, int) for stamp in stamps)
    assert [e["detail"]["registrationDetails"]["registrationVersionNumber"] for e in events] == [1, 1, 1, 2]
    assert events[0]["time"] == "2026-01-05T09:01:00Z"
    for event in events:
        assert event["source"] == "aws.sms-voice"
        assert event["detail-type"] == "Registration Status Change"
        assert event["account"] == "123456789012"
        assert event["region"] == REGION
        assert event["resources"] == [arn]
        assert set(event["detail"]) == {"registrationDetails", "registrationArn"}
        assert event["detail"]["registrationArn"] == arn
        details = event["detail"]["registrationDetails"]
        assert set(details) == DETAIL_KEYS
        assert (details["registrationId"], details["registrationType"]) == (rid, BRAND)
    assert native.counters()["NativeEvents:emitted"] == 4, "the control API counters include them"


def test_events_go_to_the_registrations_account(native: EmulatorControl) -> None:
    spoke_keys = assumed_role_keys(f"arn:aws:iam::{A}:role/regwatch-spoke")
    spoke_sqs, spoke_url = _queue_on_default_bus(spoke_keys)
    hub_sqs, hub_url = _queue_on_default_bus()
    spoke = make_client(credentials=spoke_keys)
    made = spoke.create_registration(RegistrationType=BRAND)
    spoke.submit_registration_version(RegistrationId=made["RegistrationId"])
    _flushed(native)
    events = _received(spoke_sqs, spoke_url)
    assert [(e["account"], e["detail"]["registrationArn"]) for e in events] == [(A, made["RegistrationArn"])]
    assert f":{A}:registration/" in made["RegistrationArn"]
    assert _received(hub_sqs, hub_url) == [], "another account's bus does not get it"
    assert native.counters(account=A) == {
        "CreateRegistration": 1,
        "SubmitRegistrationVersion": 1,
        "NativeEvents:emitted": 1,
        "NativeEvents:delivered": 1,
    }


def _toggle(control: EmulatorControl, rid: str, times: int) -> None:
    """`times` registration-level status changes."""
    for n in range(times):
        control.set_registration(REGION, rid, "PROVISIONING" if n % 2 == 0 else "COMPLETE")


def test_drop_rate_one_drops_every_event(native: EmulatorControl, emulator: Any, aws: str) -> None:
    sqs, url = _queue_on_default_bus()
    native.native_events(endpoint_url=aws, drop_rate=1.0)
    rid = native.create_registration(REGION, BRAND)["RegistrationId"]
    with emulator.native_events.observe(include_dropped=True) as seen:
        _toggle(native, rid, 5)
    assert [event.dropped for event in seen] == [True] * 5
    assert _flushed(native)["counters"] == {"NativeEvents:dropped": 5}
    assert _received(sqs, url) == []


def _drop_pattern(control: EmulatorControl, emulator: Any, seed: int) -> list[bool]:
    control.reset()
    control.native_events(drop_rate=0.5, seed=seed)  # hooks and counters only
    rid = control.create_registration(REGION, BRAND)["RegistrationId"]
    with emulator.native_events.observe(include_dropped=True) as seen:
        _toggle(control, rid, 40)
    counters = control.counters()
    assert counters["NativeEvents:dropped"] + counters["NativeEvents:emitted"] == 40
    return [event.dropped for event in seen]


def test_seeded_drop_rate_is_reproducible(emulator_control: Any, emulator: Any) -> None:
    first = _drop_pattern(emulator_control, emulator, seed=7)
    assert _drop_pattern(emulator_control, emulator, seed=7) == first
    assert _drop_pattern(emulator_control, emulator, seed=8) != first
    assert 8 <= sum(first) <= 32, "about half are dropped"
    emulator_control.reset()
    assert emulator_control.native_events_settings()["enabled"] is False, "reset: back to start-up (off)"


def test_in_process_sink_sees_store_changes_with_their_times() -> None:
    sink = NativeEventSink(seed=3)  # no endpoint: hooks and counters only
    scenario = {
        "clock": {"start": START},
        "registrations": [{"ref": "r", "versions": [{"status": "REVIEWING"}]}],
        "generate": [{"count": 5}],
        "timeline": [{"at": 30, "action": "set_version_status", "registration": "r", "status": "DENIED"}],
    }
    with EmulatorServer.start(port=0, scenario=scenario, native_events=sink) as server:
        control = EmulatorControl(server.url)
        with sink.observe() as seen:
            control.advance_clock(100)  # the step stamps its due time
            store = server.store
            registration = store.lookup(None, "r")
            with store.lock:
                store.add_version(registration)  # DRAFT v2 after a denial: still REQUIRES_UPDATES
                before = time.time()
                store.set_version_status(registration, 2, "SUBMITTED")  # the benchmarks' path
        assert [e.detail["registrationDetails"]["currentStatus"] for e in seen] == [
            "REQUIRES_UPDATES",
            "SUBMITTED",
        ]
        assert (
            seen[0].detail["registrationDetails"]["registrationStatusChangeTimestamp"] == (START + 30) * 1000
        )
        assert seen[1].time == START + 100
        assert before <= seen[1].observed_at <= time.time()
        assert seen[1].envelope()["account"] == "123456789012"
        assert seen[1].entry()["Resources"] == [registration.arn]
        assert control.counters() == {"NativeEvents:emitted": 2}, "seeding and generation emit nothing"
        control.reset()
        assert control.native_events_settings()["enabled"] is True, "reset keeps the start-up sink"
        assert control.counters() == {}


def test_delivery_never_slows_the_api_and_failures_are_only_counted() -> None:
    hanging = socket.socket()  # accepts connections (backlog) and never answers
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(8)
    endpoint = f"http://127.0.0.1:{hanging.getsockname()[1]}"
    with EmulatorServer.start(port=0, native_events=NativeEventSink(endpoint_url=endpoint)) as server:
        control = EmulatorControl(server.url)
        rid = control.create_registration(REGION, BRAND)["RegistrationId"]
        started = time.monotonic()
        _toggle(control, rid, 10)
        assert time.monotonic() - started < 2.0, "ten status changes must not wait for EventBridge"
        assert control.flush_native_events(timeout=0.2)["drained"] is False
        hanging.close()  # the pending deliveries now fail
        result = control.flush_native_events(timeout=30)
        assert result["drained"] is True
        assert result["counters"] == {"NativeEvents:emitted": 10, "NativeEvents:failed": 10}


def test_native_event_settings_are_checked(emulator_control: Any) -> None:
    from local.emulator import EmulatorControlError

    with pytest.raises(EmulatorControlError, match="drop_rate"):
        emulator_control.native_events(drop_rate=1.5)
    with pytest.raises(EmulatorControlError, match="unknown native event settings"):
        emulator_control.call("native_events", colour="red")
