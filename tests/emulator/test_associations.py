"""ListRegistrationAssociations and ListTagsForResource on the emulator, through boto3,
checked against botocore's output and error shapes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.emulator.associations import HANDLERS
from tests.emulator.clients import BRAND
from tests.emulator.shapes import error_problems, output_problems

NUMBERS = [
    {
        "resource_type": "phone-number",
        "resource_id": f"phone-{n:032x}",
        "phone_number": f"+1206555010{n}",
        "iso_country_code": "US",
    }
    for n in range(5)
]


def test_associations_and_tags_answer_in_their_output_shapes(sms: Any, emulator_control: Any) -> None:
    created = sms.create_registration(RegistrationType=BRAND, Tags=[{"Key": "Name", "Value": "Acme brand"}])
    rid, arn = created["RegistrationId"], created["RegistrationArn"]
    empty = sms.list_registration_associations(RegistrationId=rid)
    assert output_problems("ListRegistrationAssociations", empty) == []
    assert empty["RegistrationAssociations"] == [] and empty["RegistrationType"] == BRAND

    emulator_control.call("set_associations", region="us-east-1", registration_id=rid, associations=NUMBERS)
    pages = []
    request: dict[str, Any] = {"RegistrationId": rid, "MaxResults": 2}
    while True:
        page = sms.list_registration_associations(**request)
        assert output_problems("ListRegistrationAssociations", page) == []
        pages.append(page)
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    listed = [item for page in pages for item in page["RegistrationAssociations"]]
    assert [item["PhoneNumber"] for item in listed] == [n["phone_number"] for n in NUMBERS]
    assert len(pages) == 3
    assert listed[0]["ResourceArn"].startswith("arn:aws:sms-voice:us-east-1:123456789012:phone-number/")

    filtered = sms.list_registration_associations(
        RegistrationId=rid, Filters=[{"Name": "resource-type", "Values": ["sender-id"]}]
    )
    assert filtered["RegistrationAssociations"] == []

    tags = sms.list_tags_for_resource(ResourceArn=arn)
    assert output_problems("ListTagsForResource", tags) == []
    assert tags == {**tags, "ResourceArn": arn, "Tags": [{"Key": "Name", "Value": "Acme brand"}]}


@pytest.mark.parametrize("operation", sorted(HANDLERS))
def test_unknown_registration_is_a_modeled_not_found(sms: Any, operation: str) -> None:
    missing = "registration-" + "0" * 32
    with pytest.raises(ClientError) as raised:
        if operation == "ListTagsForResource":
            sms.list_tags_for_resource(
                ResourceArn=f"arn:aws:sms-voice:us-east-1:123456789012:registration/{missing}"
            )
        else:
            sms.list_registration_associations(RegistrationId=missing)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error_problems(operation, raised.value.response) == []


def test_a_foreign_next_token_is_refused(sms: Any) -> None:
    rid = sms.create_registration(RegistrationType=BRAND)["RegistrationId"]
    with pytest.raises(ClientError) as raised:
        sms.list_registration_associations(RegistrationId=rid, NextToken="bm90LWEtdG9rZW4=")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
