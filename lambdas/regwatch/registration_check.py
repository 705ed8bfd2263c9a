"""Check a version's field values before it is submitted: the form's rules, then content checks.

The one library function behind `regwatch check` (and `regwatch resubmit-draft`'s list of
fields to edit): pure, so a file of values, a draft in the account and a test all go
through the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from regwatch.content_checks import content_problems
from regwatch.registration_form import FieldDefinition, FieldValue, Problem, validate

_MISSING_RULES = frozenset({"REQUIRED", "CONDITIONALLY_REQUIRED"})
_CONTENT_MISSING_RULES = frozenset({"OPT_IN_DESCRIPTION_MISSING", "TOLL_FREE_URL_REQUIRED"})


def check_registration(
    registration_type: str,
    definitions: Sequence[FieldDefinition],
    values: Iterable[FieldValue],
    today: date,
    brand_names: Sequence[str] = (),
) -> list[Problem]:
    """Problems in form order (section, then field), content problems after the field's own.

    A content check that finds a field empty which the form already requires is folded into
    the requirement's line (its denial codes added), so one gap is reported once.
    """
    form = {value.field_path: value for value in values}
    problems = validate(definitions, form.values())
    known = {d.field_path for d in definitions}
    for found in content_problems(form, known, registration_type, today, brand_names):
        twin = next(
            (
                i
                for i, p in enumerate(problems)
                if p.field_path == found.field_path and p.rule in _MISSING_RULES
            ),
            None,
        )
        if twin is not None and found.rule in _CONTENT_MISSING_RULES:
            merged = problems[twin]
            codes = tuple(dict.fromkeys((*merged.denial_codes, *found.denial_codes)))
            problems[twin] = replace(merged, denial_codes=codes)
        else:
            problems.append(found)
    order = {d.field_path: n for n, d in enumerate(definitions)}
    return sorted(problems, key=lambda p: order.get(p.field_path, len(order)))
