"""Conformance: every emulated operation, driven by a real boto3 client over a socket.

Every response is checked against the botocore output shape, every error against the
operation's modeled error shapes as boto3 parses them (Error.Code, Error.Message and
the modeled members such as Reason copied to the top of e.response).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.emulator.api import HANDLERS
from local.emulator.associations import HANDLERS as ASSOCIATION_HANDLERS
from local.emulator.forms import HANDLERS as FORM_HANDLERS
from local.emulator.messaging_resources import HANDLERS as MESSAGING_HANDLERS
from tests.emulator.clients import BRAND, CAMPAIGN, make_client
from tests.emulator.shapes import error_problems, model, output_problems

UNKNOWN_ID = "registration-" + "0" * 32


def _checked(operation: str, response: dict[str, Any]) -> dict[str, Any]:
    assert output_problems(operation, response) == []
    return response


def test_every_operation_answers_in_its_output_shape(sms: Any, emulator_control: Any) -> None:
    seen: set[str] = set()

    def call(operation: str, method: Callable[..., dict[str, Any]], **params: Any) -> dict[str, Any]:
        seen.add(operation)
        return _checked(operation, method(**params))

    created = call(
        "CreateRegistration",
        sms.create_registration,
        RegistrationType=BRAND,
        Tags=[{"Key": "team", "Value": "messaging"}],
        ClientToken="conformance-1",
    )
    rid = created["RegistrationId"]
    assert created["RegistrationStatus"] == "CREATED"
    assert created["CurrentVersionNumber"] == 1
    assert created["Tags"] == [{"Key": "team", "Value": "messaging"}]
    assert isinstance(created["CreatedTimestamp"], datetime)
    assert created["RegistrationArn"] == f"arn:aws:sms-voice:us-east-1:123456789012:registration/{rid}"

    put = call(
        "PutRegistrationFieldValue",
        sms.put_registration_field_value,
        RegistrationId=rid,
        FieldPath="companyInfo.companyName",
        TextValue="Example Corp",
    )
    assert put["TextValue"] == "Example Corp"
    call(
        "PutRegistrationFieldValue",
        sms.put_registration_field_value,
        RegistrationId=created["RegistrationArn"],
        FieldPath="messagingUseCase.monthlyMessageVolume",
        SelectChoices=["10,000"],
    )
    fields = call(
        "DescribeRegistrationFieldValues", sms.describe_registration_field_values, RegistrationId=rid
    )
    assert [f["FieldPath"] for f in fields["RegistrationFieldValues"]] == [
        "companyInfo.companyName",
        "messagingUseCase.monthlyMessageVolume",
    ]

    submitted = call("SubmitRegistrationVersion", sms.submit_registration_version, RegistrationId=rid)
    assert submitted["RegistrationVersionStatus"] == "SUBMITTED"
    assert submitted["AwsReview"] is False
    emulator_control.set_version_status(
        "us-east-1",
        rid,
        1,
        "DENIED",
        denied_reasons=[{"Reason": "Opt-in", "ShortDescription": "Opt-in unclear", "DocumentationLink": "x"}],
        feedback="Describe the opt-in flow.",
    )
    emulator_control.set_field("us-east-1", rid, 1, "companyInfo.companyName", denied_reason="Name mismatch")
    new_version = call("CreateRegistrationVersion", sms.create_registration_version, RegistrationId=rid)
    assert new_version["VersionNumber"] == 2
    discarded = call("DiscardRegistrationVersion", sms.discard_registration_version, RegistrationId=rid)
    assert discarded["RegistrationVersionStatus"] == "DISCARDED"

    versions = call("DescribeRegistrationVersions", sms.describe_registration_versions, RegistrationId=rid)
    first = versions["RegistrationVersions"][0]
    assert first["DeniedReasons"][0]["Reason"] == "Opt-in"
    assert first["Feedback"] == "Describe the opt-in flow."
    denied_fields = call(
        "DescribeRegistrationFieldValues",
        sms.describe_registration_field_values,
        RegistrationId=rid,
        VersionNumber=1,
        FieldPaths=["companyInfo.companyName"],
    )
    assert denied_fields["RegistrationFieldValues"][0]["DeniedReason"] == "Name mismatch"

    listed = call("DescribeRegistrations", sms.describe_registrations, RegistrationIds=[rid])
    assert listed["Registrations"][0]["LatestDeniedVersionNumber"] == 1
    deleted = call("DeleteRegistration", sms.delete_registration, RegistrationId=rid)
    assert deleted["RegistrationStatus"] == "DELETED"
    # The association/tag operations are driven by test_associations.py, the forms' by test_forms.py,
    # RCS agents' and Notify configurations' by test_messaging_resources.py.
    expected = set(HANDLERS) - set(ASSOCIATION_HANDLERS) - set(FORM_HANDLERS) - set(MESSAGING_HANDLERS)
    assert seen == expected, "the suite must drive every emulated operation"


def test_aws_review_submission_is_modeled(sms: Any) -> None:
    rid = sms.create_registration(RegistrationType=CAMPAIGN)["RegistrationId"]
    response = _checked(
        "SubmitRegistrationVersion", sms.submit_registration_version(RegistrationId=rid, AwsReview=True)
    )
    assert response["AwsReview"] is True
    assert response["RegistrationVersionStatus"] == "AWS_REVIEWING"
    assert set(response["RegistrationVersionStatusHistory"]) == {
        "DraftTimestamp",
        "SubmittedTimestamp",
        "AwsReviewingTimestamp",
    }


def test_every_version_status_of_the_model_is_served_in_shape(sms: Any, emulator_control: Any) -> None:
    statuses = model().shape_for("RegistrationVersionStatus").enum
    rid = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    for status in statuses:
        emulator_control.set_version_status("us-east-1", rid, 1, status)
        response = _checked(
            "DescribeRegistrationVersions", sms.describe_registration_versions(RegistrationId=rid)
        )
        assert response["RegistrationVersions"][0]["RegistrationVersionStatus"] == status
        _checked("DescribeRegistrations", sms.describe_registrations(RegistrationIds=[rid]))


# (operation, call, expected code, expected Reason or None)
ErrorCase = tuple[str, Callable[[Any, str], Any], str, str | None]

ERROR_CASES: list[ErrorCase] = [
    (
        "CreateRegistration",
        lambda c, r: c.create_registration(RegistrationType="not-a-type!"),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "CreateRegistration",
        lambda c, r: c.create_registration(RegistrationType="X" * 65),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "CreateRegistrationVersion",
        lambda c, r: c.create_registration_version(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "CreateRegistrationVersion",
        lambda c, r: c.create_registration_version(RegistrationId=r),
        "ConflictException",
        "CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
    ),
    (
        "SubmitRegistrationVersion",
        lambda c, r: c.submit_registration_version(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DiscardRegistrationVersion",
        lambda c, r: c.discard_registration_version(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DeleteRegistration",
        lambda c, r: c.delete_registration(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DeleteRegistration",
        lambda c, r: c.delete_registration(RegistrationId="bad id with spaces"),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrations",
        lambda c, r: c.describe_registrations(MaxResults=101),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrations",
        lambda c, r: c.describe_registrations(NextToken="garbage"),
        "ValidationException",
        "INVALID_NEXT_TOKEN",
    ),
    (
        "DescribeRegistrations",
        lambda c, r: c.describe_registrations(RegistrationIds=[r] * 6),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrations",
        lambda c, r: c.describe_registrations(RegistrationIds=[UNKNOWN_ID]),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DescribeRegistrations",
        lambda c, r: c.describe_registrations(Filters=[{"Name": "registration-colour", "Values": ["x"]}]),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrationVersions",
        lambda c, r: c.describe_registration_versions(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DescribeRegistrationVersions",
        lambda c, r: c.describe_registration_versions(RegistrationId=r, VersionNumbers=[1, 2, 3, 4, 5, 6]),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrationVersions",
        lambda c, r: c.describe_registration_versions(RegistrationId=r, VersionNumbers=[7]),
        "ValidationException",
        "UNKNOWN_REGISTRATION_VERSION",
    ),
    (
        "DescribeRegistrationVersions",
        lambda c, r: c.describe_registration_versions(RegistrationId=r, MaxResults=1000),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "DescribeRegistrationVersions",
        lambda c, r: c.describe_registration_versions(RegistrationId=r, NextToken="bm90IGEgdG9rZW4="),
        "ValidationException",
        "INVALID_NEXT_TOKEN",
    ),
    (
        "DescribeRegistrationFieldValues",
        lambda c, r: c.describe_registration_field_values(RegistrationId=UNKNOWN_ID),
        "ResourceNotFoundException",
        None,
    ),
    (
        "DescribeRegistrationFieldValues",
        lambda c, r: c.describe_registration_field_values(RegistrationId=r, VersionNumber=100001),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
    (
        "PutRegistrationFieldValue",
        lambda c, r: c.put_registration_field_value(
            RegistrationId=UNKNOWN_ID, FieldPath="a.b", TextValue="x"
        ),
        "ResourceNotFoundException",
        None,
    ),
    (
        "PutRegistrationFieldValue",
        lambda c, r: c.put_registration_field_value(
            RegistrationId=r, FieldPath="a.b", TextValue="x", SelectChoices=["y"]
        ),
        "ValidationException",
        "PARAMETERS_CANNOT_BE_USED_TOGETHER",
    ),
    (
        "PutRegistrationFieldValue",
        lambda c, r: c.put_registration_field_value(RegistrationId=r, FieldPath="a.b", TextValue="x" * 2049),
        "ValidationException",
        "INVALID_PARAMETER",
    ),
]


@pytest.mark.parametrize(
    ("operation", "call", "code", "reason"),
    ERROR_CASES,
    ids=[f"{case[0]}-{case[2]}-{case[3]}-{n}" for n, case in enumerate(ERROR_CASES)],
)
def test_errors_match_the_modeled_error_shapes(
    sms: Any, operation: str, call: Callable[[Any, str], Any], code: str, reason: str | None
) -> None:
    rid = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    with pytest.raises(ClientError) as caught:
        call(sms, rid)
    response = caught.value.response
    assert caught.value.operation_name == operation
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"]
    assert response.get("Reason") == reason
    assert error_problems(operation, response) == []
    if code == "ResourceNotFoundException":
        assert response["ResourceType"] == "registration"
        assert response["ResourceId"] == UNKNOWN_ID
    if code == "ValidationException" and reason == "INVALID_PARAMETER":
        assert response["Fields"], "INVALID_PARAMETER names the offending fields"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_conflict_names_the_registration(sms: Any) -> None:
    rid = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    sms.submit_registration_version(RegistrationId=rid)
    with pytest.raises(ClientError) as caught:
        sms.discard_registration_version(RegistrationId=rid)
    response = caught.value.response
    assert response["Reason"] == "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED"
    assert response["ResourceType"] == "registration"
    assert response["ResourceId"] == rid
    assert error_problems("DiscardRegistrationVersion", response) == []


def test_injected_throttling_and_internal_errors_are_modeled(sms: Any, emulator_control: Any) -> None:
    emulator_control.set_faults("DescribeRegistrations", error_script=["ThrottlingException", 500])
    for expected_code, status in (("ThrottlingException", 400), ("InternalServerException", 500)):
        with pytest.raises(ClientError) as caught:
            sms.describe_registrations()
        response = caught.value.response
        assert response["Error"]["Code"] == expected_code
        assert response["ResponseMetadata"]["HTTPStatusCode"] == status
        assert error_problems("DescribeRegistrations", response) == []
    assert sms.describe_registrations()["Registrations"] == []


def test_internal_server_error_carries_the_request_id(sms: Any, emulator_control: Any) -> None:
    emulator_control.set_faults("DescribeRegistrations", error_script=[500])
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations()
    response = caught.value.response
    assert response["RequestId"] == response["ResponseMetadata"]["RequestId"]


def test_region_comes_from_the_signature(emulator_control: Any) -> None:
    east, west = make_client("us-east-1"), make_client("eu-west-2")
    rid = west.create_registration(RegistrationType=BRAND)["RegistrationId"]
    assert [r["RegistrationId"] for r in west.describe_registrations()["Registrations"]] == [rid]
    assert west.describe_registrations()["Registrations"][0]["RegistrationArn"].startswith(
        "arn:aws:sms-voice:eu-west-2:123456789012:registration/"
    )
    assert east.describe_registrations()["Registrations"] == []
    with pytest.raises(ClientError) as caught:
        east.describe_registration_versions(RegistrationId=rid)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_client_token_makes_creation_idempotent(sms: Any) -> None:
    first = sms.create_registration(RegistrationType=BRAND, ClientToken="same-token")
    again = sms.create_registration(RegistrationType=BRAND, ClientToken="same-token")
    other = sms.create_registration(RegistrationType=BRAND, ClientToken="other-token")
    assert first["RegistrationId"] == again["RegistrationId"] != other["RegistrationId"]
    assert len(sms.describe_registrations()["Registrations"]) == 2


def test_the_shape_validator_catches_bad_responses() -> None:
    # The validator is the evidence of the suite above, so it must be able to fail.
    bad = {
        "Registrations": [
            {
                "RegistrationId": 1,
                "RegistrationStatus": "NOT_A_STATUS",
                "CurrentVersionNumber": 0,
                "Unmodeled": "x",
            }
        ]
    }
    problems = output_problems("DescribeRegistrations", bad)
    joined = "\n".join(problems)
    for expected in (
        "RegistrationArn: required member missing",
        "RegistrationId: expected a string",
        "'NOT_A_STATUS' not in enum",
        "0 below min 1",
        "Unmodeled: not a member",
        "CreatedTimestamp: required member missing",
    ):
        assert expected in joined
    throttling = {"Error": {"Code": "ThrottlingException", "Message": "m"}}
    assert error_problems("DescribeRegistrations", throttling) == []
    conflict = {"Error": {"Code": "ConflictException", "Message": "m"}, "Reason": "MADE_UP"}
    assert error_problems("DescribeRegistrations", conflict) != [], "not modeled for this operation"
    assert error_problems("DiscardRegistrationVersion", conflict) != [], "MADE_UP is not a modeled Reason"
