"""DescribeRegistrationFieldDefinitions on the emulator: model-shaped, paginated, filtered."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.emulator.forms import FORMS
from tests.emulator.shapes import error_problems, output_problems

OPERATION = "DescribeRegistrationFieldDefinitions"


def all_pages(sms: Any, **request: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = sms.describe_registration_field_definitions(**request)
        assert output_problems(OPERATION, page) == []
        items += page["RegistrationFieldDefinitions"]
        if "NextToken" not in page:
            return items
        request["NextToken"] = page["NextToken"]


@pytest.mark.parametrize("registration_type", sorted(FORMS))
def test_every_form_answers_in_the_model_shape_page_by_page(sms: Any, registration_type: str) -> None:
    whole = all_pages(sms, RegistrationType=registration_type)
    paged = all_pages(sms, RegistrationType=registration_type, MaxResults=4)
    assert [d["FieldPath"] for d in paged] == [d["FieldPath"] for d in whole]
    assert len(whole) == len(FORMS[registration_type]) >= 9
    for definition in whole:
        assert definition["FieldType"] in {"TEXT", "SELECT", "ATTACHMENT"}
        conditional = definition["FieldRequirement"] == "CONDITIONAL"
        assert conditional == ("ConditionalBehavior" in definition), "only CONDITIONAL fields carry rules"


def test_the_forms_use_every_operator_and_every_override() -> None:
    rules = [
        rule
        for form in FORMS.values()
        for definition in form
        for rule in definition.get("ConditionalBehavior", {}).get("Rules", [])
    ]
    operators = {c["Operator"] for rule in rules for c in rule["Conditions"]}
    assert operators == {"EQUALS", "NOT_EQUALS", "IN", "NOT_IN", "HAS_VALUE", "NO_VALUE"}
    overrides = {key for rule in rules for key in rule.get("ConditionalValidation", {})}
    assert {"MinLength", "MaxLength", "Pattern", "AllowedValues"} <= overrides
    behaviors = {rule["RuleBehavior"] for rule in rules}
    assert behaviors == {"REQUIRED", "DISALLOWED"}


def test_section_and_field_filters(sms: Any) -> None:
    kind = "US_TEN_DLC_CAMPAIGN_REGISTRATION"
    section = all_pages(sms, RegistrationType=kind, SectionPath="messageSamples")
    assert {d["SectionPath"] for d in section} == {"messageSamples"} and len(section) == 5
    chosen = all_pages(
        sms, RegistrationType=kind, FieldPaths=["campaignInfo.optInWorkflow", "campaignUseCase.useCase"]
    )
    assert [d["FieldPath"] for d in chosen] == ["campaignInfo.optInWorkflow", "campaignUseCase.useCase"]


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        ({"RegistrationType": "XX_NO_SUCH_REGISTRATION"}, "UNKNOWN_REGISTRATION_TYPE"),
        (
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION", "SectionPath": "nope"},
            "UNKNOWN_REGISTRATION_SECTION",
        ),
        (
            {"RegistrationType": "US_TOLL_FREE_REGISTRATION", "FieldPaths": ["a.b"]},
            "UNKNOWN_REGISTRATION_FIELD",
        ),
        ({"RegistrationType": "US_TOLL_FREE_REGISTRATION", "NextToken": "garbage"}, "INVALID_NEXT_TOKEN"),
    ],
)
def test_bad_requests_answer_modeled_validation_errors(
    sms: Any, request_: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ClientError) as caught:
        sms.describe_registration_field_definitions(**request_)
    assert error_problems(OPERATION, caught.value.response) == []
    assert caught.value.response["Reason"] == reason
