"""Multi-account emulator: attribution from credentials, isolation, quotas, deny/suspend, seeding.

All over real sockets with boto3; the STS case gets its credentials from a moto server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.emulator import DEFAULT_ACCOUNT, EmulatorControlError, account_from_access_key_id
from tests.emulator.clients import BRAND, REGION, assumed_role_keys, keys, make_client
from tests.emulator.shapes import error_problems

A, B = "111111111111", "222222222222"
KEY_A, KEY_B = "EMULATORKEYACCOUNTA1", "EMULATORKEYACCOUNTB1"


@pytest.fixture
def two_accounts(emulator_control: Any) -> tuple[Any, Any]:
    """boto3 clients of accounts A and B, attributed through registered access key ids."""
    emulator_control.register_credentials(KEY_A, A)
    emulator_control.register_credentials(KEY_B, B)
    return make_client(credentials=keys(KEY_A)), make_client(credentials=keys(KEY_B))


def _ids(client: Any) -> set[str]:
    pages = client.get_paginator("describe_registrations").paginate()
    return {r["RegistrationId"] for page in pages for r in page["Registrations"]}


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    return response


# --- attribution ---------------------------------------------------------------------------


def test_access_key_ids_decode_to_the_account_like_aws_and_moto() -> None:
    from moto.iam.utils import generate_access_key_id_from_account_id

    for account in ("000000000001", A, B, "123456789012", "999999999999", "222222222223"):
        for prefix in ("ASIA", "AKIA"):
            key = generate_access_key_id_from_account_id(account, prefix)
            assert account_from_access_key_id(key) == account, key
    for other in ("testing", "AKIAIOSFODNN7EXAMPLE", "ASIA" + "Q" * 15, "AROAQAAAAAAAUOIKCIZQ", KEY_A):
        assert account_from_access_key_id(other) is None, other


def test_registered_credentials_isolate_accounts(
    two_accounts: tuple[Any, Any], emulator_control: Any
) -> None:
    in_a, in_b = two_accounts
    default = make_client()
    made_a = in_a.create_registration(RegistrationType=BRAND)
    made_b = in_b.create_registration(RegistrationType=BRAND)
    made_default = default.create_registration(RegistrationType=BRAND)
    rid_a = made_a["RegistrationId"]
    assert made_a["RegistrationArn"] == f"arn:aws:sms-voice:{REGION}:{A}:registration/{rid_a}"
    assert f":{B}:registration/" in made_b["RegistrationArn"]
    assert f":{DEFAULT_ACCOUNT}:registration/" in made_default["RegistrationArn"]
    assert _ids(in_a) == {made_a["RegistrationId"]}
    assert _ids(in_b) == {made_b["RegistrationId"]}
    assert _ids(default) == {made_default["RegistrationId"]}
    # Same client token in two accounts: two registrations, each idempotent in its account.
    token_a = in_a.create_registration(RegistrationType=BRAND, ClientToken="t")["RegistrationId"]
    token_b = in_b.create_registration(RegistrationType=BRAND, ClientToken="t")["RegistrationId"]
    assert token_a != token_b
    assert in_a.create_registration(RegistrationType=BRAND, ClientToken="t")["RegistrationId"] == token_a
    described = emulator_control.accounts(access_key_id=KEY_B)
    assert described["resolved"] == B
    assert described["credentials"] == {KEY_A: A, KEY_B: B}
    assert described["registrations"] == {
        f"{A}/{REGION}": 2,
        f"{B}/{REGION}": 2,
        f"{DEFAULT_ACCOUNT}/{REGION}": 1,
    }


def test_sts_assume_role_credentials_land_in_the_roles_account(aws: str, emulator_control: Any) -> None:
    spoke = make_client(credentials=assumed_role_keys(f"arn:aws:iam::{A}:role/regwatch-spoke"))
    other = make_client(credentials=assumed_role_keys(f"arn:aws:iam::{B}:role/regwatch-spoke"))
    default = make_client()
    made = spoke.create_registration(RegistrationType=BRAND)
    assert made["RegistrationArn"].startswith(f"arn:aws:sms-voice:{REGION}:{A}:registration/")
    default_id = default.create_registration(RegistrationType=BRAND)["RegistrationId"]
    assert _ids(spoke) == {made["RegistrationId"]}
    assert _ids(default) == {default_id}
    assert _ids(other) == set()
    # A fresh AssumeRole (new keys) still lands in the same account.
    again = make_client(credentials=assumed_role_keys(f"arn:aws:iam::{A}:role/regwatch-spoke"))
    listed = again.describe_registrations()["Registrations"]
    assert [r["RegistrationArn"] for r in listed] == [made["RegistrationArn"]]
    assert emulator_control.get_registration(REGION, made["RegistrationId"], account=A)["Account"] == A


def test_registered_credentials_win_over_the_encoded_account(aws: str, emulator_control: Any) -> None:
    credentials = assumed_role_keys(f"arn:aws:iam::{A}:role/regwatch-spoke")
    emulator_control.register_credentials(credentials["aws_access_key_id"], B)
    made = make_client(credentials=credentials).create_registration(RegistrationType=BRAND)
    assert f":{B}:registration/" in made["RegistrationArn"]


# --- isolation -------------------------------------------------------------------------------

CROSS_ACCOUNT_CALLS: list[tuple[str, Callable[[Any, str], Any]]] = [
    ("DescribeRegistrations", lambda c, r: c.describe_registrations(RegistrationIds=[r])),
    ("DescribeRegistrationVersions", lambda c, r: c.describe_registration_versions(RegistrationId=r)),
    ("DescribeRegistrationFieldValues", lambda c, r: c.describe_registration_field_values(RegistrationId=r)),
    (
        "PutRegistrationFieldValue",
        lambda c, r: c.put_registration_field_value(RegistrationId=r, FieldPath="a.b", TextValue="x"),
    ),
    ("SubmitRegistrationVersion", lambda c, r: c.submit_registration_version(RegistrationId=r)),
    ("DiscardRegistrationVersion", lambda c, r: c.discard_registration_version(RegistrationId=r)),
    ("CreateRegistrationVersion", lambda c, r: c.create_registration_version(RegistrationId=r)),
    ("DeleteRegistration", lambda c, r: c.delete_registration(RegistrationId=r)),
]


@pytest.mark.parametrize(("operation", "call"), CROSS_ACCOUNT_CALLS, ids=[c[0] for c in CROSS_ACCOUNT_CALLS])
@pytest.mark.parametrize("by", ["id", "arn"])
def test_another_accounts_registration_is_not_found(
    two_accounts: tuple[Any, Any], operation: str, call: Callable[[Any, str], Any], by: str
) -> None:
    in_a, in_b = two_accounts
    made = in_a.create_registration(RegistrationType=BRAND)
    name = made["RegistrationId"] if by == "id" else made["RegistrationArn"]
    for intruder in (in_b, make_client()):
        response = _error(lambda intruder=intruder: call(intruder, name))
        assert response["Error"]["Code"] == "ResourceNotFoundException"
        assert response["ResourceId"] == name
        assert error_problems(operation, response) == []
    # The owner still has it, untouched.
    assert in_a.describe_registrations(RegistrationIds=[name])["Registrations"][0]["RegistrationStatus"] == (
        "CREATED"
    )


# --- quotas ------------------------------------------------------------------------------------


def test_quota_is_per_account_and_region(two_accounts: tuple[Any, Any], emulator_control: Any) -> None:
    in_a, in_b = two_accounts
    emulator_control.set_faults(rate_limit=1)
    # Both accounts at 1 call/s each (2 calls/s together) stay within their own quota.
    for round_number in range(3):
        if round_number:
            time.sleep(1.05)
        in_a.describe_registrations()
        in_b.describe_registrations()
    assert "DescribeRegistrations:throttled" not in emulator_control.counters()
    # Account A goes over its quota: throttled; B and A's other region are not.
    time.sleep(1.05)
    in_a.describe_registrations()
    response = _error(in_a.describe_registrations)
    assert response["Error"]["Code"] == "ThrottlingException"
    assert error_problems("DescribeRegistrations", response) == []
    in_b.describe_registrations()
    make_client("eu-west-1", credentials=keys(KEY_A)).describe_registrations()
    assert emulator_control.counters(account=A) == {
        "DescribeRegistrations": 6,
        "DescribeRegistrations:throttled": 1,
    }
    assert emulator_control.counters(account=B) == {"DescribeRegistrations": 4}
    assert emulator_control.counters()["DescribeRegistrations"] == 10


# --- deny / suspend / restore ----------------------------------------------------------------


def test_denied_account_gets_access_denied_everywhere_until_restored(
    two_accounts: tuple[Any, Any], emulator_control: Any
) -> None:
    in_a, in_b = two_accounts
    rid = in_a.create_registration(RegistrationType=BRAND)["RegistrationId"]
    emulator_control.deny_account(A)
    for operation, call in (
        ("DescribeRegistrations", in_a.describe_registrations),
        ("CreateRegistration", lambda: in_a.create_registration(RegistrationType=BRAND)),
        ("DescribeRegistrationVersions", lambda: in_a.describe_registration_versions(RegistrationId=rid)),
    ):
        response = _error(call)
        assert response["Error"]["Code"] == "AccessDeniedException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "Reason" not in response
        assert response["Error"]["Message"].startswith(
            f"User: arn:aws:iam::{A}:user/emulator-caller is not authorized to perform: "
            f"sms-voice:{operation} on resource: arn:aws:sms-voice:{REGION}:{A}:registration/* "
            "because no identity-based policy"
        )
        assert error_problems(operation, response) == []
    assert in_b.describe_registrations()["Registrations"] == []
    assert emulator_control.counters(account=A)["DescribeRegistrations:denied"] == 1
    emulator_control.restore_account(A)
    assert _ids(in_a) == {rid}


def test_denial_can_be_limited_to_a_region_and_name_the_principal(
    two_accounts: tuple[Any, Any], emulator_control: Any
) -> None:
    in_a, _ = two_accounts
    role = f"arn:aws:sts::{A}:assumed-role/regwatch-spoke/scan"
    emulator_control.deny_account(
        A, region="eu-west-1", reason="with an explicit deny in a service control policy", principal=role
    )
    assert in_a.describe_registrations()["Registrations"] == []
    response = _error(make_client("eu-west-1", credentials=keys(KEY_A)).describe_registrations)
    assert response["Error"]["Message"] == (
        f"User: {role} is not authorized to perform: sms-voice:DescribeRegistrations on resource: "
        f"arn:aws:sms-voice:eu-west-1:{A}:registration/* with an explicit deny in a service control policy"
    )
    assert emulator_control.accounts()["denied"] == [
        {
            "account": A,
            "region": "eu-west-1",
            "reason": "with an explicit deny in a service control policy",
            "principal": role,
        }
    ]


def test_suspended_account_is_disabled_and_restore_brings_its_data_back(
    two_accounts: tuple[Any, Any], emulator_control: Any
) -> None:
    in_a, in_b = two_accounts
    rid = in_a.create_registration(RegistrationType=BRAND)["RegistrationId"]
    emulator_control.suspend_account(A)
    emulator_control.deny_account(A)  # suspension wins over a denial
    for operation, call in (
        ("DescribeRegistrations", in_a.describe_registrations),
        ("CreateRegistration", lambda: in_a.create_registration(RegistrationType=BRAND)),
        ("DeleteRegistration", lambda: in_a.delete_registration(RegistrationId=rid)),
    ):
        response = _error(call)
        assert response["Error"]["Code"] == "AccessDeniedException"
        assert response["Reason"] == "ACCOUNT_DISABLED"
        assert error_problems(operation, response) == []
    assert in_b.create_registration(RegistrationType=BRAND)
    assert emulator_control.accounts()["suspended"] == [A]
    emulator_control.restore_account(A)
    assert emulator_control.accounts()["suspended"] == []
    assert emulator_control.accounts()["denied"] == []
    assert _ids(in_a) == {rid}


def test_account_controls_check_the_account_id(emulator_control: Any) -> None:
    with pytest.raises(EmulatorControlError, match="12 digits"):
        emulator_control.deny_account("1234")
    with pytest.raises(EmulatorControlError, match="12 digits"):
        emulator_control.generate(REGION, 1, account="not-an-account")


def test_reset_forgets_accounts(two_accounts: tuple[Any, Any], emulator_control: Any) -> None:
    in_a, _ = two_accounts
    in_a.create_registration(RegistrationType=BRAND)
    emulator_control.suspend_account(B)
    emulator_control.reset()
    assert emulator_control.accounts()["credentials"] == {}
    assert emulator_control.accounts()["suspended"] == []
    # KEY_A is no longer registered: it is the default account's caller again.
    assert make_client(credentials=keys(KEY_A)).describe_registrations()["Registrations"] == []


# --- seeding and control actions per account --------------------------------------------------


def test_seeding_and_generation_per_account(two_accounts: tuple[Any, Any], emulator_control: Any) -> None:
    in_a, in_b = two_accounts
    scenario = {
        "clock": {"start": 1767603600},
        "account": A,
        "registrations": [
            {"ref": "brand-a", "versions": [{"status": "REVIEWING"}]},
            {"ref": "brand-b", "account": B, "versions": [{"status": "DRAFT"}]},
        ],
        "generate": [{"count": 3, "seed": 1}, {"count": 2, "seed": 1, "account": B}],
        "timeline": [
            {"at": 10, "action": "set_version_status", "registration": "brand-a", "status": "APPROVED"},
            {"at": 20, "action": "create_registration", "ref": "late", "type": BRAND},
        ],
    }
    seeded = emulator_control.seed(scenario)
    refs = seeded["refs"]
    assert sorted(seeded["accounts"]) == [A, B]
    assert len(seeded["accounts"][A][REGION]) == 4
    assert len(seeded["accounts"][B][REGION]) == 3
    assert _ids(in_a) == set(seeded["accounts"][A][REGION])
    assert _ids(in_b) == set(seeded["accounts"][B][REGION])
    assert make_client().describe_registrations()["Registrations"] == []
    emulator_control.advance_clock(30)
    listed = in_a.describe_registrations()["Registrations"]
    statuses = {r["RegistrationId"]: r["RegistrationStatus"] for r in listed}
    assert statuses[refs["brand-a"]] == "COMPLETE"
    assert len(statuses) == 5, "the timeline's create_registration lands in the scenario's account"
    assert emulator_control.get_registration(None, "late")["Account"] == A
    # The same seed in another account gives other ids; the default account keeps its ids.
    again = emulator_control.seed({"generate": [{"count": 3, "seed": 1}]}, account=B)
    assert set(again["accounts"][B][REGION]).isdisjoint(seeded["accounts"][A][REGION])
    first = emulator_control.generate(REGION, 3, seed=9)
    emulator_control.reset()
    assert emulator_control.generate(REGION, 3, seed=9) == first
    assert emulator_control.generate(REGION, 3, seed=9, account=A) != first


def test_control_actions_name_the_account(two_accounts: tuple[Any, Any], emulator_control: Any) -> None:
    in_a, _ = two_accounts
    rid = emulator_control.create_registration(REGION, BRAND, account=A)["RegistrationId"]
    assert _ids(in_a) == {rid}
    with pytest.raises(EmulatorControlError, match="ResourceNotFoundException"):
        emulator_control.set_version_status(REGION, rid, 1, "SUBMITTED")  # default account
    emulator_control.set_version_status(REGION, rid, 1, "SUBMITTED", account=A)
    emulator_control.set_field(REGION, rid, 1, "companyInfo.companyName", text_value="A Corp", account=A)
    emulator_control.set_registration(REGION, rid, "PROVISIONING", account=A)
    arn = f"arn:aws:sms-voice:{REGION}:{A}:registration/{rid}"
    assert emulator_control.get_registration(None, arn)["RegistrationStatus"] == "PROVISIONING"
    summary = in_a.describe_registrations(RegistrationIds=[rid])["Registrations"][0]
    assert summary["RegistrationStatus"] == "PROVISIONING"


def test_in_process_store_is_keyed_by_account(
    emulator: Any, two_accounts: tuple[Any, Any], emulator_control: Any
) -> None:
    in_a, _ = two_accounts
    rid = in_a.create_registration(RegistrationType=BRAND)["RegistrationId"]
    assert list(emulator.store.region(REGION, A).registrations) == [rid]
    assert emulator.store.region(REGION).registrations == {}
    assert emulator.store.region(REGION, A).registrations[rid].account == A
