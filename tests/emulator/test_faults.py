"""Injected faults: quotas answering ThrottlingException, 5xx, expiring tokens, counters."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.clients import BRAND, REGION, make_client


def test_quota_throttles_and_boto3_retries_recover(emulator_control: Any) -> None:
    emulator_control.generate(REGION, 30, seed=1)
    emulator_control.set_faults("DescribeRegistrations", rate_limit=20)
    patient = make_client(total_attempts=10)
    pages = list(patient.get_paginator("describe_registrations").paginate(PaginationConfig={"PageSize": 1}))
    assert sum(len(page["Registrations"]) for page in pages) == 30
    counters = emulator_control.counters()
    assert counters["DescribeRegistrations:throttled"] > 0, "a 20 rps quota must throttle 30 quick calls"
    assert counters["DescribeRegistrations"] == 30 + counters["DescribeRegistrations:throttled"]
    assert (
        sum(page["ResponseMetadata"]["RetryAttempts"] for page in pages)
        == counters["DescribeRegistrations:throttled"]
    )


def test_quota_is_per_operation_and_per_region(emulator_control: Any) -> None:
    emulator_control.set_faults(rate_limit=1)
    impatient = make_client()
    impatient.describe_registrations()
    with pytest.raises(ClientError) as caught:
        impatient.describe_registrations()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert impatient.create_registration(RegistrationType=BRAND), "another operation has its own quota"
    assert make_client("eu-west-1").describe_registrations()["Registrations"] == []


def test_scripted_500s_are_retried_by_boto3(emulator_control: Any) -> None:
    emulator_control.set_faults("CreateRegistration", error_script=[500, 503, 200, 500])
    patient = make_client(total_attempts=3)
    response = patient.create_registration(RegistrationType=BRAND)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    with pytest.raises(ClientError) as caught:
        make_client().create_registration(RegistrationType=BRAND)
    assert caught.value.response["Error"]["Code"] == "InternalServerException"
    assert make_client().create_registration(RegistrationType=BRAND)["RegistrationStatus"] == "CREATED"
    counters = emulator_control.counters()
    assert counters["CreateRegistration"] == 5
    assert counters["CreateRegistration:faulted"] == 3
    assert "CreateRegistration:throttled" not in counters


def test_error_rate_one_fails_everything_and_clearing_restores(emulator_control: Any) -> None:
    emulator_control.set_faults(error_rate=1.0)
    sms = make_client()
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    emulator_control.clear_faults()
    assert sms.describe_registrations()["Registrations"] == []


def test_tokens_expire_on_the_emulator_clock(emulator_control: Any) -> None:
    emulator_control.set_faults(token_ttl_seconds=900)
    sms = make_client()
    assert sms.describe_registrations()["Registrations"] == []
    emulator_control.advance_clock(901)
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations()
    assert caught.value.response["Error"]["Code"] == "ExpiredTokenException"
    refreshed = make_client()
    refreshed._request_signer._credentials.token = "a-fresh-session-token"
    assert refreshed.describe_registrations()["Registrations"] == []


def test_next_tokens_expire_on_the_emulator_clock(emulator_control: Any) -> None:
    emulator_control.generate(REGION, 150, seed=3)
    emulator_control.set_faults("DescribeRegistrations", next_token_ttl_seconds=60)
    sms = make_client()
    first = sms.describe_registrations(MaxResults=100)
    emulator_control.advance_clock(30)
    assert len(sms.describe_registrations(NextToken=first["NextToken"])["Registrations"]) == 50
    emulator_control.advance_clock(31)  # the token is now 61 s old
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(NextToken=first["NextToken"])
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Reason"] == "INVALID_NEXT_TOKEN"
    fresh = sms.describe_registrations(MaxResults=100)["NextToken"]
    assert len(sms.describe_registrations(NextToken=fresh)["Registrations"]) == 50


def test_latency_is_added_without_failing(emulator_control: Any) -> None:
    emulator_control.set_faults("DescribeRegistrations", latency_ms=50)
    assert make_client().describe_registrations()["Registrations"] == []
    assert emulator_control.counters() == {"DescribeRegistrations": 1}


def test_counters_count_every_call_per_operation(emulator_control: Any) -> None:
    sms = make_client()
    rid = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    for _ in range(3):
        sms.describe_registration_versions(RegistrationId=rid)
    with pytest.raises(ClientError):
        sms.submit_registration_version(RegistrationId="registration-" + "f" * 32)
    assert emulator_control.counters() == {
        "CreateRegistration": 1,
        "DescribeRegistrationVersions": 3,
        "SubmitRegistrationVersion": 1,
    }
    emulator_control.reset_counters()
    assert emulator_control.counters() == {}


def test_unknown_faults_are_refused(emulator_control: Any) -> None:
    from local.emulator import EmulatorControlError

    with pytest.raises(EmulatorControlError, match="unknown fault"):
        emulator_control.set_faults(explode=True)
