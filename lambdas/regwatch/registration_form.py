"""A registration type's form as `DescribeRegistrationFieldDefinitions` describes it, and its rules.

Shapes follow botocore 1.44.5's `RegistrationFieldDefinition`: FieldRequirement (REQUIRED,
CONDITIONAL, OPTIONAL), TextValidation (MinLength, MaxLength, Pattern), SelectValidation
(MinChoices, MaxChoices, Options) and ConditionalBehavior. The model documents the
conditional semantics this module implements:

- Rules are evaluated top to bottom; the first whose conditions all hold decides the
  field's behavior (REQUIRED / OPTIONAL / DISALLOWED) and may override its validation
  (ConditionalValidation: MinLength, MaxLength, Pattern, AllowedValues); if none holds,
  DefaultBehavior applies.
- Conditions of a rule are AND-ed; an operator the model does not list evaluates to
  false (the rule is skipped), so operators AWS adds later never raise.

The model leaves open how a value compares: here a field's value is its select choices,
or its text as a one-item list. EQUALS holds when the field has exactly the one value
named; IN when it has a value and every value is among Values; NOT_EQUALS and NOT_IN are
their negations (so a field without a value satisfies them); HAS_VALUE / NO_VALUE test
presence (text, choices or an attachment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REQUIRED = "REQUIRED"
OPTIONAL = "OPTIONAL"
DISALLOWED = "DISALLOWED"
CONDITIONAL = "CONDITIONAL"
KNOWN_OPERATORS = frozenset({"EQUALS", "NOT_EQUALS", "IN", "NOT_IN", "HAS_VALUE", "NO_VALUE"})


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field's value in a version (DescribeRegistrationFieldValues) or a local file."""

    field_path: str
    text_value: str | None = None
    select_choices: tuple[str, ...] = ()
    attachment_id: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        if self.select_choices:
            return self.select_choices
        return (self.text_value,) if self.text_value else ()

    @property
    def present(self) -> bool:
        return bool(self.values or self.attachment_id)


@dataclass(frozen=True, slots=True)
class TextValidation:
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class SelectValidation:
    min_choices: int | None = None
    max_choices: int | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    depends_on: str
    operator: str
    values: tuple[str, ...] = ()

    def holds(self, form: Mapping[str, FieldValue]) -> bool:
        value = form.get(self.depends_on)
        present = value is not None and value.present
        have = value.values if value is not None else ()
        wanted = set(self.values)
        if self.operator == "HAS_VALUE":
            return present
        if self.operator == "NO_VALUE":
            return not present
        if self.operator in {"EQUALS", "NOT_EQUALS"}:
            equal = len(have) == 1 and len(wanted) == 1 and have[0] in wanted
            return equal if self.operator == "EQUALS" else not equal
        if self.operator in {"IN", "NOT_IN"}:
            inside = bool(have) and bool(wanted) and set(have) <= wanted
            return inside if self.operator == "IN" else not inside
        return False  # documented: unknown operators evaluate to false


@dataclass(frozen=True, slots=True)
class Rule:
    conditions: tuple[Condition, ...]
    behavior: str
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    allowed_values: tuple[str, ...] | None = None

    def matches(self, form: Mapping[str, FieldValue]) -> bool:
        return bool(self.conditions) and all(c.holds(form) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    field_path: str
    section_path: str
    field_type: str  # TEXT | SELECT | ATTACHMENT (unknown types flow through)
    requirement: str
    title: str = ""
    text: TextValidation | None = None
    select: SelectValidation | None = None
    rules: tuple[Rule, ...] = ()
    default_behavior: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Resolved:
    """A field's behavior and validation once its conditions are evaluated against a form."""

    behavior: str
    text: TextValidation | None
    options: tuple[str, ...] | None
    select: SelectValidation | None
    by_rule: int | None = None  # index of the rule that decided, None for the field's own


def resolve(definition: FieldDefinition, form: Mapping[str, FieldValue]) -> Resolved:
    """The first matching rule wins, else DefaultBehavior; a non-conditional field is itself."""
    options = definition.select.options if definition.select else None
    if definition.requirement != CONDITIONAL:
        return Resolved(definition.requirement, definition.text, options, definition.select)
    for index, rule in enumerate(definition.rules):
        if not rule.matches(form):
            continue
        base = definition.text or TextValidation()
        text = TextValidation(
            rule.min_length if rule.min_length is not None else base.min_length,
            rule.max_length if rule.max_length is not None else base.max_length,
            rule.pattern if rule.pattern is not None else base.pattern,
        )
        allowed = rule.allowed_values if rule.allowed_values is not None else options
        return Resolved(rule.behavior, text, allowed, definition.select, index)
    return Resolved(definition.default_behavior or OPTIONAL, definition.text, options, definition.select)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to fix before submitting: where, which rule, what to do."""

    field_path: str
    rule: str
    message: str
    fix: str
    denial_codes: tuple[str, ...] = field(default=())  # documented denial reasons it heads off

    def as_dict(self) -> dict[str, Any]:
        return {
            "fieldPath": self.field_path,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
            "denialCodes": list(self.denial_codes),
        }


def _why(resolved: Resolved) -> str:
    return f" (conditional rule {resolved.by_rule + 1})" if resolved.by_rule is not None else ""


def _text_problems(definition: FieldDefinition, value: FieldValue, resolved: Resolved) -> list[Problem]:
    text, path, why = resolved.text, definition.field_path, _why(resolved)
    if text is None or value.text_value is None:
        return []
    length, found = len(value.text_value), []
    if text.min_length is not None and length < text.min_length:
        found.append(
            Problem(
                path,
                "MIN_LENGTH",
                f"{length} characters, fewer than the {text.min_length} required{why}",
                f"write at least {text.min_length} characters",
                ("INVALID_FIELD_VALUE",),
            )
        )
    if text.max_length is not None and length > text.max_length:
        found.append(
            Problem(
                path,
                "MAX_LENGTH",
                f"{length} characters, more than the {text.max_length} allowed{why}",
                f"shorten it to {text.max_length} characters",
                ("INVALID_FIELD_VALUE",),
            )
        )
    if text.pattern and not _full_match(text.pattern, value.text_value):
        found.append(
            Problem(
                path,
                "PATTERN",
                f"does not match the pattern {text.pattern}{why}",
                "enter a value in the form the field describes",
                ("INVALID_FIELD_VALUE",),
            )
        )
    return found


def _full_match(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text, flags=re.DOTALL) is not None
    except re.error:
        return True  # a pattern Python cannot read is AWS's to enforce, not a problem of the form


def _select_problems(definition: FieldDefinition, value: FieldValue, resolved: Resolved) -> list[Problem]:
    path, why, found = definition.field_path, _why(resolved), []
    choices = value.select_choices
    select = resolved.select
    if select is not None and choices:
        if select.min_choices is not None and len(choices) < select.min_choices:
            found.append(
                Problem(
                    path,
                    "MIN_CHOICES",
                    f"{len(choices)} choice(s), fewer than {select.min_choices}",
                    f"choose at least {select.min_choices}",
                    ("INVALID_FIELD_VALUE",),
                )
            )
        if select.max_choices is not None and len(choices) > select.max_choices:
            found.append(
                Problem(
                    path,
                    "MAX_CHOICES",
                    f"{len(choices)} choices, more than {select.max_choices}",
                    f"choose at most {select.max_choices}",
                    ("INVALID_FIELD_VALUE",),
                )
            )
    if resolved.options is not None and choices:
        wrong = [c for c in choices if c not in resolved.options]
        if wrong:
            allowed = ", ".join(resolved.options)
            found.append(
                Problem(
                    path,
                    "ALLOWED_VALUES",
                    f"{', '.join(wrong)} is not allowed here{why}",
                    f"choose from: {allowed}",
                    ("INVALID_FIELD_VALUE",),
                )
            )
    return found


def validate(definitions: Sequence[FieldDefinition], values: Iterable[FieldValue]) -> list[Problem]:
    """Requirement, text and select validation and every conditional rule, field by field."""
    form = {value.field_path: value for value in values}
    known = {d.field_path for d in definitions}
    problems: list[Problem] = []
    for definition in definitions:
        resolved = resolve(definition, form)
        value = form.get(definition.field_path)
        present = value is not None and value.present
        title = f" ({definition.title})" if definition.title else ""
        if resolved.behavior == REQUIRED and not present:
            conditional = resolved.by_rule is not None or definition.requirement == CONDITIONAL
            problems.append(
                Problem(
                    definition.field_path,
                    "CONDITIONALLY_REQUIRED" if conditional else "REQUIRED",
                    f"required{title} but empty{_why(resolved)}",
                    "fill it in" + (f": {definition.description}" if definition.description else ""),
                    ("MISSING_CONDITIONAL_FIELD",) if conditional else ("MISSING_REQUIRED_FIELD",),
                )
            )
        elif resolved.behavior == DISALLOWED and present:
            problems.append(
                Problem(
                    definition.field_path,
                    "DISALLOWED",
                    f"not allowed with the other answers{_why(resolved)}",
                    "clear this field (or change the answer it depends on)",
                    ("CONDITIONAL_FIELD_NOT_ALLOWED",),
                )
            )
        if value is not None and present and resolved.behavior != DISALLOWED:
            problems += _text_problems(definition, value, resolved)
            problems += _select_problems(definition, value, resolved)
    for path in sorted(set(form) - known):
        if form[path].present:
            problems.append(
                Problem(
                    path,
                    "UNKNOWN_FIELD",
                    "not a field of this registration type's form",
                    "remove it, or check the field path against DescribeRegistrationFieldDefinitions",
                    ("INVALID_FIELD_VALUE",),
                )
            )
    return problems


# ---- reading the API's shapes ------------------------------------------------------------------


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _rule_from_api(item: Mapping[str, Any]) -> Rule:
    conditions = tuple(
        Condition(str(c.get("DependsOnFieldPath", "")), str(c.get("Operator", "")), _strings(c.get("Values")))
        for c in item.get("Conditions") or []
        if isinstance(c, Mapping)
    )
    check = item.get("ConditionalValidation") or {}
    allowed = check.get("AllowedValues")
    return Rule(
        conditions=conditions,
        behavior=str(item.get("RuleBehavior", OPTIONAL)),
        min_length=_int(check.get("MinLength")),
        max_length=_int(check.get("MaxLength")),
        pattern=check.get("Pattern") if isinstance(check.get("Pattern"), str) else None,
        allowed_values=_strings(allowed) if allowed is not None else None,
    )


def definition_from_api(item: Mapping[str, Any]) -> FieldDefinition:
    """One `RegistrationFieldDefinition`; members the model adds later are ignored."""
    text = item.get("TextValidation")
    select = item.get("SelectValidation")
    conditional = item.get("ConditionalBehavior") or {}
    hints = item.get("DisplayHints") or {}
    return FieldDefinition(
        field_path=str(item["FieldPath"]),
        section_path=str(item.get("SectionPath", "")),
        field_type=str(item.get("FieldType", "")),
        requirement=str(item.get("FieldRequirement", OPTIONAL)),
        title=str(hints.get("Title", "")),
        description=str(hints.get("ShortDescription", "")),
        text=TextValidation(_int(text.get("MinLength")), _int(text.get("MaxLength")), text.get("Pattern"))
        if isinstance(text, Mapping)
        else None,
        select=SelectValidation(
            _int(select.get("MinChoices")), _int(select.get("MaxChoices")), _strings(select.get("Options"))
        )
        if isinstance(select, Mapping)
        else None,
        rules=tuple(_rule_from_api(r) for r in conditional.get("Rules") or [] if isinstance(r, Mapping)),
        default_behavior=str(conditional["DefaultBehavior"]) if "DefaultBehavior" in conditional else None,
    )


def value_from_api(item: Mapping[str, Any]) -> FieldValue:
    """One `RegistrationFieldValueInformation` (or the same keys in a local file)."""
    text = item.get("TextValue")
    return FieldValue(
        field_path=str(item["FieldPath"]),
        text_value=str(text) if text is not None else None,
        select_choices=_strings(item.get("SelectChoices")),
        attachment_id=str(item["RegistrationAttachmentId"]) if item.get("RegistrationAttachmentId") else None,
    )
