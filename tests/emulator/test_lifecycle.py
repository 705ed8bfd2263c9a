"""Lifecycle: every allowed and every refused transition, through boto3 and the control API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.clients import BRAND, REGION

ALL_STATUSES = (
    "DRAFT",
    "SUBMITTED",
    "AWS_REVIEWING",
    "REVIEWING",
    "REQUIRES_AUTHENTICATION",
    "REQUIRES_OFFLINE_REVIEW",
    "APPROVED",
    "DENIED",
    "DISCARDED",
    "REVOKED",
    "ARCHIVED",
)
NEW_VERSION_ALLOWED_AFTER = {"APPROVED", "DENIED", "DISCARDED", "REVOKED", "ARCHIVED"}
START = 1_780_000_000.0


def _summary(sms: Any, rid: str) -> dict[str, Any]:
    registration: dict[str, Any] = sms.describe_registrations(RegistrationIds=[rid])["Registrations"][0]
    return registration


def _versions(sms: Any, rid: str) -> list[dict[str, Any]]:
    versions: list[dict[str, Any]] = sms.describe_registration_versions(RegistrationId=rid)[
        "RegistrationVersions"
    ]
    return versions


def _epoch_history(version: dict[str, Any]) -> dict[str, float]:
    return {k: v.timestamp() for k, v in version["RegistrationVersionStatusHistory"].items()}


@pytest.fixture
def rid(sms: Any, emulator_control: Any) -> str:
    emulator_control.set_clock(START)
    registration_id: str = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    return registration_id


def test_a_new_registration_is_created_with_a_draft_version(sms: Any, rid: str) -> None:
    summary = _summary(sms, rid)
    assert summary["RegistrationStatus"] == "CREATED"
    assert summary["CurrentVersionNumber"] == 1
    assert "ApprovedVersionNumber" not in summary
    assert "LatestDeniedVersionNumber" not in summary
    assert summary["CreatedTimestamp"].timestamp() == START
    [version] = _versions(sms, rid)
    assert version["RegistrationVersionStatus"] == "DRAFT"
    assert _epoch_history(version) == {"DraftTimestamp": START}


def test_submit_stamps_the_controlled_clock(sms: Any, emulator_control: Any, rid: str) -> None:
    emulator_control.advance_clock(90)
    response = sms.submit_registration_version(RegistrationId=rid)
    assert response["RegistrationVersionStatus"] == "SUBMITTED"
    assert _epoch_history(response) == {"DraftTimestamp": START, "SubmittedTimestamp": START + 90}
    assert _summary(sms, rid)["RegistrationStatus"] == "SUBMITTED"


@pytest.mark.parametrize(
    ("version_status", "registration_status"),
    [
        ("SUBMITTED", "SUBMITTED"),
        ("AWS_REVIEWING", "AWS_REVIEWING"),
        ("REVIEWING", "REVIEWING"),
        ("REQUIRES_AUTHENTICATION", "REQUIRES_AUTHENTICATION"),
        ("REQUIRES_OFFLINE_REVIEW", "REVIEWING"),
        ("APPROVED", "COMPLETE"),
        ("DENIED", "REQUIRES_UPDATES"),
        ("REVOKED", "REQUIRES_UPDATES"),
        ("DISCARDED", "CREATED"),
    ],
)
def test_review_outcomes_drive_the_registration_status(
    sms: Any, emulator_control: Any, rid: str, version_status: str, registration_status: str
) -> None:
    sms.submit_registration_version(RegistrationId=rid)
    emulator_control.advance_clock(60)
    emulator_control.set_version_status(REGION, rid, 1, version_status)
    summary = _summary(sms, rid)
    assert summary["RegistrationStatus"] == registration_status
    assert summary.get("ApprovedVersionNumber") == (1 if version_status == "APPROVED" else None)
    assert summary.get("LatestDeniedVersionNumber") == (1 if version_status == "DENIED" else None)
    history = _epoch_history(_versions(sms, rid)[0])
    key = "".join(p.capitalize() for p in version_status.split("_")) + "Timestamp"
    if version_status == "REQUIRES_OFFLINE_REVIEW":
        assert key not in history, "the model has no timestamp for REQUIRES_OFFLINE_REVIEW"
    else:
        assert history[key] == START + 60


def test_approving_a_newer_version_archives_the_previous_one(
    sms: Any, emulator_control: Any, rid: str
) -> None:
    sms.submit_registration_version(RegistrationId=rid)
    emulator_control.set_version_status(REGION, rid, 1, "APPROVED")
    v2 = sms.create_registration_version(RegistrationId=rid)
    assert v2["VersionNumber"] == 2
    summary = _summary(sms, rid)
    assert (summary["RegistrationStatus"], summary["CurrentVersionNumber"]) == ("COMPLETE", 2)
    assert summary["ApprovedVersionNumber"] == 1
    sms.submit_registration_version(RegistrationId=rid)
    assert _summary(sms, rid)["RegistrationStatus"] == "SUBMITTED"
    emulator_control.advance_clock(3600)
    emulator_control.set_version_status(REGION, rid, 2, "APPROVED")
    v1, v2_now = _versions(sms, rid)
    assert v1["RegistrationVersionStatus"] == "ARCHIVED"
    assert _epoch_history(v1)["ArchivedTimestamp"] == START + 3600
    assert v2_now["RegistrationVersionStatus"] == "APPROVED"
    summary = _summary(sms, rid)
    assert (summary["RegistrationStatus"], summary["ApprovedVersionNumber"]) == ("COMPLETE", 2)


def test_a_denied_version_is_fixed_with_a_new_version(sms: Any, emulator_control: Any, rid: str) -> None:
    sms.submit_registration_version(RegistrationId=rid)
    reasons = [{"Reason": "Opt-in", "ShortDescription": "Opt-in flow unclear"}]
    emulator_control.set_version_status(REGION, rid, 1, "DENIED", denied_reasons=reasons)
    sms.create_registration_version(RegistrationId=rid)
    summary = _summary(sms, rid)
    assert (summary["RegistrationStatus"], summary["LatestDeniedVersionNumber"]) == ("REQUIRES_UPDATES", 1)
    sms.submit_registration_version(RegistrationId=rid)
    emulator_control.set_version_status(REGION, rid, 2, "APPROVED")
    summary = _summary(sms, rid)
    assert summary["RegistrationStatus"] == "COMPLETE"
    assert (summary["ApprovedVersionNumber"], summary["LatestDeniedVersionNumber"]) == (2, 1)
    v1 = _versions(sms, rid)[0]
    assert v1["RegistrationVersionStatus"] == "DENIED"
    assert v1["DeniedReasons"] == reasons


def test_field_values_carry_over_to_a_new_version(sms: Any, emulator_control: Any, rid: str) -> None:
    sms.put_registration_field_value(RegistrationId=rid, FieldPath="companyInfo.companyName", TextValue="A")
    sms.submit_registration_version(RegistrationId=rid)
    emulator_control.set_version_status(REGION, rid, 1, "DENIED")
    sms.create_registration_version(RegistrationId=rid)
    sms.put_registration_field_value(RegistrationId=rid, FieldPath="companyInfo.companyName", TextValue="B")
    values = {
        n: sms.describe_registration_field_values(RegistrationId=rid, VersionNumber=n)[
            "RegistrationFieldValues"
        ]
        for n in (1, 2)
    }
    assert values[1][0]["TextValue"] == "A"
    assert values[2][0]["TextValue"] == "B"
    sms.put_registration_field_value(RegistrationId=rid, FieldPath="companyInfo.companyName")
    assert sms.describe_registration_field_values(RegistrationId=rid)["RegistrationFieldValues"] == []


def test_deleted_registrations_disappear(sms: Any, rid: str) -> None:
    assert sms.delete_registration(RegistrationId=rid)["RegistrationStatus"] == "DELETED"
    assert sms.describe_registrations()["Registrations"] == []
    with pytest.raises(ClientError) as caught:
        sms.describe_registration_versions(RegistrationId=rid)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "ConflictException"
    reason: str = caught.value.response["Reason"]
    return reason


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_each_operation_is_allowed_or_refused_by_the_current_status(
    sms: Any, emulator_control: Any, rid: str, status: str
) -> None:
    emulator_control.set_version_status(REGION, rid, 1, status)

    if status == "DRAFT":
        assert sms.put_registration_field_value(RegistrationId=rid, FieldPath="a.b", TextValue="x")
    else:
        call = lambda: sms.put_registration_field_value(RegistrationId=rid, FieldPath="a.b", TextValue="x")  # noqa: E731
        assert _refused(call) == "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED"

    if status in NEW_VERSION_ALLOWED_AFTER:
        assert sms.create_registration_version(RegistrationId=rid)["RegistrationVersionStatus"] == "DRAFT"
        return
    refused = _refused(lambda: sms.create_registration_version(RegistrationId=rid))
    assert refused == "CREATE_REGISTRATION_VERSION_NOT_ALLOWED"

    if status == "DRAFT":
        assert (
            sms.discard_registration_version(RegistrationId=rid)["RegistrationVersionStatus"] == "DISCARDED"
        )
        emulator_control.set_version_status(REGION, rid, 1, "DRAFT")
        assert sms.submit_registration_version(RegistrationId=rid)["RegistrationVersionStatus"] == "SUBMITTED"
    else:
        submit = _refused(lambda: sms.submit_registration_version(RegistrationId=rid))
        assert submit == "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
        discard = _refused(lambda: sms.discard_registration_version(RegistrationId=rid))
        assert discard == "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED"
    assert len(_versions(sms, rid)) == 1


@pytest.mark.parametrize("status", sorted(NEW_VERSION_ALLOWED_AFTER))
def test_terminal_versions_cannot_be_submitted_or_discarded(
    sms: Any, emulator_control: Any, rid: str, status: str
) -> None:
    emulator_control.set_version_status(REGION, rid, 1, status)
    assert _refused(lambda: sms.submit_registration_version(RegistrationId=rid)) == (
        "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
    )
    assert _refused(lambda: sms.discard_registration_version(RegistrationId=rid)) == (
        "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED"
    )


def test_unknown_statuses_and_history_keys_flow_through(sms: Any, emulator_control: Any, rid: str) -> None:
    sms.submit_registration_version(RegistrationId=rid)
    emulator_control.advance_clock(5)
    emulator_control.set_version_status(REGION, rid, 1, "SOMETHING_NEW", history_key="SomethingNewTimestamp")
    wire: list[dict[str, Any]] = []
    sms.meta.events.register(
        "after-call.pinpoint-sms-voice-v2.DescribeRegistrationVersions",
        lambda http_response, **_: wire.append(json.loads(http_response.content)),
    )
    [version] = _versions(sms, rid)
    assert version["RegistrationVersionStatus"] == "SOMETHING_NEW", "boto3 passes unknown enum values"
    # The unknown history key is on the wire; botocore's parser drops members its model lacks.
    [wire_version] = wire[0]["RegistrationVersions"]
    assert wire_version["RegistrationVersionStatusHistory"]["SomethingNewTimestamp"] == START + 5
    assert "SomethingNewTimestamp" not in version["RegistrationVersionStatusHistory"]
    assert _summary(sms, rid)["RegistrationStatus"] == "SUBMITTED", "unknown status: summary kept"
    emulator_control.set_registration(REGION, rid, "SOMETHING_ELSE")
    assert _summary(sms, rid)["RegistrationStatus"] == "SOMETHING_ELSE"


def test_silent_changes_do_not_touch_the_summary(sms: Any, emulator_control: Any, rid: str) -> None:
    sms.submit_registration_version(RegistrationId=rid)
    before = _summary(sms, rid)
    emulator_control.set_version_details(
        REGION,
        rid,
        1,
        history={"ReviewingTimestamp": START + 10},
        denied_reasons=[{"Reason": "r", "ShortDescription": "s"}],
    )
    emulator_control.set_version_status(REGION, rid, 1, "APPROVED", update_registration=False)
    assert _summary(sms, rid) == before
    [version] = _versions(sms, rid)
    assert version["RegistrationVersionStatus"] == "APPROVED"
    assert _epoch_history(version)["ReviewingTimestamp"] == START + 10
    assert version["DeniedReasons"] == [{"Reason": "r", "ShortDescription": "s"}]


def test_add_version_makes_a_draft_copy_whatever_the_status_and_shows_it(
    sms: Any, emulator_control: Any, rid: str
) -> None:
    """The control action test datasets use: no conflict rule (AWS's CreateRegistrationVersion
    refuses a new version while one is in review), the form copied, the summary updated."""
    sms.put_registration_field_value(RegistrationId=rid, FieldPath="companyInfo.companyName", TextValue="A")
    sms.submit_registration_version(RegistrationId=rid)
    with pytest.raises(ClientError):
        sms.create_registration_version(RegistrationId=rid)
    counters = emulator_control.counters()
    described = emulator_control.add_version(REGION, rid)
    assert [v["RegistrationVersionStatus"] for v in described["Versions"]] == ["SUBMITTED", "DRAFT"]
    assert described["CurrentVersionNumber"] == 2 == _summary(sms, rid)["CurrentVersionNumber"]
    assert {f["FieldPath"]: f.get("TextValue") for f in described["Versions"][1]["Fields"]}.get(
        "companyInfo.companyName"
    ) == "A"
    assert emulator_control.counters().get("CreateRegistrationVersion", 0) == counters.get(
        "CreateRegistrationVersion", 0
    ), "a control action is not an API call"
