"""IAM policy evaluation, the parts of AWS's documented logic that regwatch's templates use.

AWS's "policy evaluation logic" (IAM user guide): a request is denied when any applicable
statement denies it (explicit deny), else allowed when a statement allows it, else denied
(implicit deny). Within the same account an allow from the identity policy *or* from the
resource policy is enough; across accounts both must allow.

A statement applies when its `Action` (or `NotAction`), `Resource` (or `NotResource`),
`Principal` (resource policies only) and every `Condition` match:
- actions match case-insensitively, with `*` and `?` wildcards;
- resources match case-sensitively; an ARN pattern is compared component by component
  (partition, service, region, account, resource: `*` never spans a `:` of the first
  five), as `ArnLike` does;
- conditions: every operator block must hold (AND), within a block every key must hold
  (AND), and a key holds when the request's value matches any listed value (OR). A key
  the request does not carry fails the operator, except for negated operators, `...IfExists`
  and `Null`. An operator this module does not know raises: it never guesses.

Why not a PyPI evaluator: policyuniverse matches actions/ARNs but evaluates no conditions,
principalmapper's simulator is unmaintained since 2022 and needs its own graph of the
account, and moto's `moto.iam.access_control` treats a statement whose condition does not
hold as a deny (AWS: it just does not apply), has no `?` and no ARN components.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

Context = Mapping[str, str | Sequence[str]]


class Decision(Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


class PolicyError(ValueError):
    """A policy uses something this evaluator does not implement (it never guesses)."""


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # IAM knows only * and ? (no [..] classes as in fnmatch).
    parts: list[str] = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile("".join(parts) + r"\Z", flags | re.DOTALL)


def glob_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM's wildcard match: `*` any run of characters, `?` exactly one."""
    return _glob(pattern, case_sensitive).match(value) is not None


def arn_match(pattern: str, value: str) -> bool:
    """`ArnLike`: the six components compared one by one (`*` alone matches every ARN)."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        # Not an ARN on both sides: a plain wildcard match, except that an ARN pattern
        # with too few components matches nothing (IAM compares component by component).
        return not pattern.startswith("arn:") and glob_match(pattern, value)
    return all(glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def action_match(pattern: str, action: str) -> bool:
    return glob_match(pattern, action, case_sensitive=False)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# ---- conditions --------------------------------------------------------------------------------


def _string_equals(expected: str, actual: str) -> bool:
    return expected == actual


def _string_equals_ignore_case(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


def _string_like(expected: str, actual: str) -> bool:
    return glob_match(expected, actual)


def _bool(expected: str, actual: str) -> bool:
    return str(expected).lower() == str(actual).lower()


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def match(expected: str, actual: str) -> bool:
        try:
            return compare(float(actual), float(expected))
        except ValueError:
            return False

    return match


# Operator -> (value test, negated). A negated operator holds when no listed value matches.
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (arn_match, False),
    "ArnLike": (arn_match, False),
    "ArnNotEquals": (arn_match, True),
    "ArnNotLike": (arn_match, True),
    "Bool": (_bool, False),
    "NumericEquals": (_numeric(lambda a, e: a == e), False),
    "NumericNotEquals": (_numeric(lambda a, e: a == e), True),
    "NumericLessThan": (_numeric(lambda a, e: a < e), False),
    "NumericLessThanEquals": (_numeric(lambda a, e: a <= e), False),
    "NumericGreaterThan": (_numeric(lambda a, e: a > e), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, e: a >= e), False),
}


def _lookup(context: Context, key: str) -> list[str] | None:
    # Condition keys are case-insensitive (their values are not).
    for name, value in context.items():
        if name.lower() == key.lower():
            return [str(v) for v in _as_list(value)]
    return None


def _key_holds(operator: str, expected: list[Any], actual: list[str] | None) -> bool:
    if operator == "Null":
        # "true": the key must be absent; "false": present.
        wants_absent = str(expected[0]).lower() == "true"
        return (actual is None or not actual) == wants_absent
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _OPERATORS:
        raise PolicyError(f"condition operator {operator} is not implemented by local.iam")
    test, negated = _OPERATORS[base]
    if actual is None or not actual:
        return if_exists or negated
    expected_values = [str(e) for e in expected]

    def one(value: str) -> bool:
        matched = any(test(e, value) for e in expected_values)
        return not matched if negated else matched

    if qualifier == "ForAllValues":
        return all(one(value) for value in actual)
    # Single-valued keys and ForAnyValue: any of the request's values.
    return any(one(value) for value in actual)


def conditions_hold(condition: Mapping[str, Mapping[str, Any]] | None, context: Context) -> bool:
    for operator, keys in (condition or {}).items():
        for key, expected in keys.items():
            if not _key_holds(operator, _as_list(expected), _lookup(context, key)):
                return False
    return True


# ---- statements and policies ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes a request: the role's ARN (IAM form), its account, its organization."""

    arn: str
    account: str
    organization_id: str | None = None


def _principal_matches(element: Any, principal: Principal) -> bool:
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        return False
    for pattern in _as_list(element.get("AWS")):
        text = str(pattern)
        if text == "*" or text in (principal.account, f"arn:aws:iam::{principal.account}:root"):
            return True
        if arn_match(text, principal.arn):
            return True
    return False  # Service / Federated principals are never a role's session


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    resource: str
    context: Context = field(default_factory=dict)


def _statement_applies(statement: Mapping[str, Any], request: Request, principal: Principal | None) -> bool:
    if "NotAction" in statement:
        if any(action_match(p, request.action) for p in _as_list(statement["NotAction"])):
            return False
    elif not any(action_match(p, request.action) for p in _as_list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        if any(arn_match(str(p), request.resource) for p in _as_list(statement["NotResource"])):
            return False
    elif "Resource" in statement and not any(
        arn_match(str(p), request.resource) for p in _as_list(statement["Resource"])
    ):
        return False
    if principal is not None:  # a resource (or trust) policy names who it is for
        if "NotPrincipal" in statement:
            raise PolicyError("NotPrincipal is not implemented by local.iam")
        if not _principal_matches(statement.get("Principal"), principal):
            return False
    return conditions_hold(statement.get("Condition"), request.context)


def statements(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not document:
        return []
    return list(_as_list(document.get("Statement")))


def evaluate_policies(
    documents: Iterable[Mapping[str, Any]], request: Request, principal: Principal | None = None
) -> Decision:
    """The decision of a set of policies alone (identity policies: `principal` None)."""
    allowed = False
    for document in documents:
        for statement in statements(document):
            if not _statement_applies(statement, request, principal):
                continue
            effect = statement.get("Effect")
            if effect == "Deny":
                return Decision.EXPLICIT_DENY
            if effect == "Allow":
                allowed = True
            else:
                raise PolicyError(f"statement Effect {effect!r}")
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def authorize(
    principal: Principal,
    identity_policies: Sequence[Mapping[str, Any]] | None,
    request: Request,
    *,
    resource_account: str,
    resource_policies: Sequence[Mapping[str, Any]] = (),
) -> Decision:
    """AWS's evaluation for one request; `identity_policies` None = an unrestricted principal
    (the local world's test code and provisioning)."""
    resource_decision = evaluate_policies(resource_policies, request, principal)
    if identity_policies is None:
        identity_decision = Decision.ALLOW
    else:
        identity_decision = evaluate_policies(identity_policies, request)
    decisions = (identity_decision, resource_decision)
    if Decision.EXPLICIT_DENY in decisions:
        return Decision.EXPLICIT_DENY
    if principal.account == resource_account:
        allowed = Decision.ALLOW in decisions
    else:
        allowed = identity_decision is Decision.ALLOW and resource_decision is Decision.ALLOW
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


__all__ = [
    "Context",
    "Decision",
    "PolicyError",
    "Principal",
    "Request",
    "action_match",
    "arn_match",
    "authorize",
    "conditions_hold",
    "evaluate_policies",
    "glob_match",
]
