"""The form's rules against model-shaped field definitions: requirement, validation, ConditionalBehavior.

Every definition here is a `RegistrationFieldDefinition` as botocore 1.44.5 models it (checked
with the same shape walker the emulator's conformance tests use), so the parser reads what
AWS sends, not a shape of our own.
"""

from __future__ import annotations

from typing import Any

import pytest

from regwatch.registration_form import (
    FieldValue,
    definition_from_api,
    resolve,
    validate,
)
from tests.emulator.shapes import output_problems

TYPE = "US_TEN_DLC_CAMPAIGN_REGISTRATION"


def text_field(path: str, requirement: str = "OPTIONAL", **validation: Any) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".", maxsplit=1)[0],
        "FieldPath": path,
        "FieldType": "TEXT",
        "FieldRequirement": requirement,
        "DisplayHints": {"Title": path, "ShortDescription": path},
        "TextValidation": {"MinLength": 1, "MaxLength": 255, "Pattern": ".*", **validation},
    }


def select_field(
    path: str, options: list[str], requirement: str = "OPTIONAL", **limits: int
) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".", maxsplit=1)[0],
        "FieldPath": path,
        "FieldType": "SELECT",
        "FieldRequirement": requirement,
        "DisplayHints": {"Title": path, "ShortDescription": path},
        "SelectValidation": {"MinChoices": 1, "MaxChoices": 1, "Options": options, **limits},
    }


def conditional(
    item: dict[str, Any], rules: list[dict[str, Any]], default: str = "OPTIONAL"
) -> dict[str, Any]:
    return {
        **item,
        "FieldRequirement": "CONDITIONAL",
        "ConditionalBehavior": {"Rules": rules, "DefaultBehavior": default},
    }


def rule(behavior: str, *conditions: tuple[str, str, list[str] | None], **validation: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Conditions": [
            {"DependsOnFieldPath": path, "Operator": op, **({"Values": values} if values is not None else {})}
            for path, op, values in conditions
        ],
        "RuleBehavior": behavior,
    }
    if validation:
        out["ConditionalValidation"] = validation
    return out


def model_shaped(*items: dict[str, Any]) -> list[Any]:
    assert (
        output_problems(
            "DescribeRegistrationFieldDefinitions",
            {"RegistrationType": TYPE, "RegistrationFieldDefinitions": list(items)},
        )
        == []
    )
    return [definition_from_api(item) for item in items]


USE_CASE = select_field("useCase.useCase", ["MIXED", "MARKETING", "LOW_VOLUME", "CHARITY"], "REQUIRED")
LINK = select_field("useCase.embeddedLink", ["Yes", "No"])


def form(**fields: str | list[str]) -> list[FieldValue]:
    return [
        FieldValue(f"useCase.{name}", select_choices=tuple(v))
        if isinstance(v, list)
        else FieldValue(f"useCase.{name}", v)
        for name, v in fields.items()
    ]


def behavior(target: dict[str, Any], values: list[FieldValue]) -> str:
    *_, definition = model_shaped(USE_CASE, LINK, target)
    return resolve(definition, {v.field_path: v for v in values}).behavior


# One case per operator: (rule condition, a form where it holds, a form where it does not).
OPERATOR_CASES = {
    "EQUALS": (
        ("useCase.useCase", "EQUALS", ["MIXED"]),
        form(useCase=["MIXED"]),
        form(useCase=["MARKETING"]),
    ),
    "NOT_EQUALS": (
        ("useCase.embeddedLink", "NOT_EQUALS", ["Yes"]),
        form(embeddedLink=["No"]),
        form(embeddedLink=["Yes"]),
    ),
    "IN": (
        ("useCase.useCase", "IN", ["MIXED", "LOW_VOLUME"]),
        form(useCase=["LOW_VOLUME"]),
        form(useCase=["CHARITY"]),
    ),
    "NOT_IN": (
        ("useCase.useCase", "NOT_IN", ["MIXED", "LOW_VOLUME"]),
        form(useCase=["CHARITY"]),
        form(useCase=["MIXED"]),
    ),
    "HAS_VALUE": (("useCase.embeddedLink", "HAS_VALUE", None), form(embeddedLink=["No"]), form()),
    "NO_VALUE": (("useCase.embeddedLink", "NO_VALUE", None), form(), form(embeddedLink=["Yes"])),
}


@pytest.mark.parametrize("operator", sorted(OPERATOR_CASES))
def test_every_operator_decides_the_rule(operator: str) -> None:
    condition, holds, fails = OPERATOR_CASES[operator]
    target = conditional(text_field("useCase.detail"), [rule("REQUIRED", condition)], default="DISALLOWED")
    assert behavior(target, holds) == "REQUIRED"
    assert behavior(target, fails) == "DISALLOWED", "no rule matched: DefaultBehavior"


def test_operators_cover_the_models_list() -> None:
    from botocore.session import get_session

    doc = (
        get_session()
        .get_service_model("pinpoint-sms-voice-v2")
        .shape_for("FieldCondition")
        .members["Operator"]
    )
    documented = {op for op in OPERATOR_CASES if op in doc.documentation}
    assert documented == set(OPERATOR_CASES)


def test_negations_hold_for_an_empty_dependency_and_an_unknown_operator_never() -> None:
    not_equals = conditional(
        text_field("useCase.detail"), [rule("REQUIRED", ("useCase.embeddedLink", "NOT_EQUALS", ["Yes"]))]
    )
    assert behavior(not_equals, form()) == "REQUIRED"
    future = conditional(
        text_field("useCase.detail"), [rule("REQUIRED", ("useCase.useCase", "MATCHES_REGEX", [".*"]))]
    )
    assert behavior(future, form(useCase=["MIXED"])) == "OPTIONAL", "unknown operators evaluate to false"


def test_first_matching_rule_wins_and_conditions_are_anded() -> None:
    target = conditional(
        text_field("useCase.detail"),
        [
            rule(
                "DISALLOWED",
                ("useCase.useCase", "EQUALS", ["MIXED"]),
                ("useCase.embeddedLink", "EQUALS", ["Yes"]),
            ),
            rule("REQUIRED", ("useCase.useCase", "EQUALS", ["MIXED"])),
            rule("DISALLOWED", ("useCase.useCase", "IN", ["MIXED", "CHARITY"])),
        ],
    )
    assert behavior(target, form(useCase=["MIXED"], embeddedLink=["Yes"])) == "DISALLOWED"
    assert behavior(target, form(useCase=["MIXED"], embeddedLink=["No"])) == "REQUIRED", (
        "AND failed: next rule"
    )
    assert behavior(target, form(useCase=["CHARITY"])) == "DISALLOWED"
    assert behavior(target, form(useCase=["MARKETING"])) == "OPTIONAL"


def test_a_matching_rule_overrides_length_pattern_and_allowed_values() -> None:
    detail = conditional(
        text_field("useCase.detail", MinLength=1, MaxLength=200, Pattern=".*"),
        [rule("REQUIRED", ("useCase.useCase", "EQUALS", ["MIXED"]), MinLength=40, Pattern="[A-Z].*")],
    )
    sub = conditional(
        select_field("useCase.sub", ["A", "B", "C"], MaxChoices=3),
        [rule("REQUIRED", ("useCase.useCase", "IN", ["LOW_VOLUME"]), AllowedValues=["A"])],
    )
    definitions = model_shaped(USE_CASE, LINK, detail, sub)
    mixed = [*form(useCase=["MIXED"], detail="short text"), FieldValue("useCase.sub", select_choices=("B",))]
    rules = {(p.field_path, p.rule) for p in validate(definitions, mixed)}
    assert ("useCase.detail", "MIN_LENGTH") in rules and ("useCase.detail", "PATTERN") in rules
    assert ("useCase.sub", "ALLOWED_VALUES") not in rules, "the field's own options allow B"
    low = [
        *form(useCase=["LOW_VOLUME"], detail="short text"),
        FieldValue("useCase.sub", select_choices=("B",)),
    ]
    rules = {(p.field_path, p.rule) for p in validate(definitions, low)}
    assert ("useCase.sub", "ALLOWED_VALUES") in rules, "the rule narrows the options to A"
    assert ("useCase.detail", "MIN_LENGTH") not in rules, "no rule matched: the field's own limits"


def test_requirements_disallowed_values_and_select_limits_are_problems() -> None:
    definitions = model_shaped(
        USE_CASE,
        select_field("useCase.sub", ["A", "B", "C"], MinChoices=2, MaxChoices=2),
        conditional(
            text_field("useCase.detail"), [rule("DISALLOWED", ("useCase.useCase", "EQUALS", ["CHARITY"]))]
        ),
        conditional(
            text_field("useCase.why"),
            [rule("OPTIONAL", ("useCase.useCase", "EQUALS", ["CHARITY"]))],
            "REQUIRED",
        ),
    )
    values = [
        FieldValue("useCase.sub", select_choices=("A", "B", "C")),
        FieldValue("useCase.detail", "given"),
        FieldValue("useCase.stray", "typo'd path"),
    ]
    found = {(p.field_path, p.rule): p for p in validate(definitions, [*values, *form(useCase=["CHARITY"])])}
    assert set(found) == {
        ("useCase.sub", "MAX_CHOICES"),
        ("useCase.detail", "DISALLOWED"),
        ("useCase.stray", "UNKNOWN_FIELD"),
    }
    found = {(p.field_path, p.rule): p for p in validate(definitions, values)}
    assert found[("useCase.useCase", "REQUIRED")].denial_codes == ("MISSING_REQUIRED_FIELD",)
    assert found[("useCase.why", "CONDITIONALLY_REQUIRED")].denial_codes == ("MISSING_CONDITIONAL_FIELD",)
    assert ("useCase.detail", "DISALLOWED") not in found
    assert all(p.fix for p in found.values())
