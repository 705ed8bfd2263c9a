"""local.iam.policy against AWS's documented evaluation logic (IAM user guide, "Policy
evaluation logic", "IAM JSON policy elements: Condition operators")."""

from __future__ import annotations

from typing import Any

import pytest

from local.iam.policy import (
    Decision,
    PolicyError,
    Principal,
    Request,
    arn_match,
    authorize,
    conditions_hold,
    evaluate_policies,
    glob_match,
)

HUB = "123456789012"
MEMBER = "210987654321"
SCANNER = Principal(f"arn:aws:iam::{HUB}:role/regwatch-scanner-us-east-1", HUB, "o-abcdefghij")
TABLE = f"arn:aws:dynamodb:us-east-1:{HUB}:table/snapshots"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "anything", True),
        ("regwatch-??", "regwatch-ab", True),
        ("regwatch-??", "regwatch-abc", False),
        ("a.b", "axb", False),  # a dot is a dot, not a regex
        ("secret:name-??????", "secret:name-Ab12Cd", True),
        ("secret:name-??????", "secret:name-Ab12C", False),
    ],
)
def test_wildcards_are_star_and_question_mark_only(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected


def test_arn_wildcards_match_within_a_component() -> None:
    assert arn_match(
        "arn:aws:sms-voice:*:123456789012:registration/*",
        "arn:aws:sms-voice:eu-west-1:123456789012:registration/r-1",
    )
    assert not arn_match(
        "arn:aws:sms-voice:*:123456789012:registration/*",
        "arn:aws:sms-voice:eu-west-1:999999999999:registration/r-1",
    )
    assert arn_match(
        "arn:aws:iam::*:role/regwatch-spoke-reader", f"arn:aws:iam::{MEMBER}:role/regwatch-spoke-reader"
    )
    # `*` in the region component does not swallow the account that follows it.
    assert not arn_match("arn:aws:sqs:*:queue", f"arn:aws:sqs:us-east-1:{HUB}:queue")
    assert arn_match("*", "arn:aws:anything")


def test_actions_match_case_insensitively_resources_case_sensitively() -> None:
    documents = [policy(allow("DynamoDB:getitem", TABLE))]
    assert evaluate_policies(documents, Request("dynamodb:GetItem", TABLE)) is Decision.ALLOW
    assert evaluate_policies(documents, Request("dynamodb:GetItem", TABLE.upper())) is Decision.IMPLICIT_DENY
    assert (
        evaluate_policies([policy(allow("dynamodb:*", TABLE))], Request("dynamodb:Query", TABLE))
        is Decision.ALLOW
    )


def test_nothing_allowed_is_an_implicit_deny_and_an_explicit_deny_wins() -> None:
    request = Request("dynamodb:PutItem", TABLE)
    assert evaluate_policies([], request) is Decision.IMPLICIT_DENY
    assert evaluate_policies([policy(allow("dynamodb:GetItem", TABLE))], request) is Decision.IMPLICIT_DENY
    both = [policy(allow("dynamodb:*")), policy(deny("dynamodb:PutItem", TABLE))]
    assert evaluate_policies(both, request) is Decision.EXPLICIT_DENY
    assert evaluate_policies(both, Request("dynamodb:GetItem", TABLE)) is Decision.ALLOW


def test_not_action_and_not_resource() -> None:
    documents = [policy({"Effect": "Allow", "NotAction": "dynamodb:DeleteTable", "Resource": "*"})]
    assert evaluate_policies(documents, Request("dynamodb:PutItem", TABLE)) is Decision.ALLOW
    assert evaluate_policies(documents, Request("dynamodb:DeleteTable", TABLE)) is Decision.IMPLICIT_DENY
    documents = [policy({"Effect": "Allow", "Action": "sqs:*", "NotResource": "arn:aws:sqs:*:*:dlq"})]
    assert (
        evaluate_policies(documents, Request("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{HUB}:q"))
        is Decision.ALLOW
    )
    assert (
        evaluate_policies(documents, Request("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{HUB}:dlq"))
        is Decision.IMPLICIT_DENY
    )


def test_a_statement_whose_condition_does_not_hold_does_not_apply() -> None:
    # An Allow with a false condition is not a deny (moto's access_control gets this wrong).
    documents = [policy(allow("sts:AssumeRole", "*", Condition={"StringEquals": {"sts:ExternalId": "x"}}))]
    assert (
        evaluate_policies(documents, Request("sts:AssumeRole", "r", {"sts:ExternalId": "y"}))
        is Decision.IMPLICIT_DENY
    )
    documents.append(policy(allow("sts:AssumeRole")))
    assert (
        evaluate_policies(documents, Request("sts:AssumeRole", "r", {"sts:ExternalId": "y"}))
        is Decision.ALLOW
    )


def test_condition_values_are_or_keys_and_operators_are_and() -> None:
    condition = {
        "StringEquals": {"aws:PrincipalOrgID": ["o-one", "o-two"], "aws:PrincipalAccount": HUB},
        "StringLike": {"events:source": ["aws.sms-*"]},
    }
    context = {"aws:PrincipalOrgID": "o-two", "aws:PrincipalAccount": HUB, "events:source": "aws.sms-voice"}
    assert conditions_hold(condition, context)
    assert not conditions_hold(condition, {**context, "aws:PrincipalOrgID": "o-three"})
    assert not conditions_hold(condition, {**context, "aws:PrincipalAccount": MEMBER})
    assert not conditions_hold(condition, {**context, "events:source": "regwatch"})


def test_condition_keys_are_case_insensitive_and_missing_keys_fail_except_negated_ifexists_null() -> None:
    assert conditions_hold({"StringEquals": {"AWS:principalorgid": "o-1"}}, {"aws:PrincipalOrgID": "o-1"})
    assert not conditions_hold({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}, {})
    assert conditions_hold({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}, {})
    assert conditions_hold({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}, {})
    assert conditions_hold({"Null": {"sts:ExternalId": "true"}}, {})
    assert not conditions_hold({"Null": {"sts:ExternalId": "false"}}, {})


def test_bool_arn_and_numeric_operators() -> None:
    assert conditions_hold({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"})
    assert not conditions_hold({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"})
    rule = "arn:aws:events:us-east-1:123456789012:rule/Regwatch-Rule"
    assert conditions_hold(
        {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:123456789012:rule/*"}}, {"aws:SourceArn": rule}
    )
    assert conditions_hold({"ArnEquals": {"aws:SourceArn": rule}}, {"aws:SourceArn": rule})
    assert conditions_hold({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"})
    assert conditions_hold({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["a", "b"]})
    assert not conditions_hold({"ForAllValues:StringEquals": {"k": ["a"]}}, {"k": ["a", "b"]})
    assert conditions_hold({"ForAnyValue:StringEquals": {"k": ["a"]}}, {"k": ["a", "b"]})


def test_an_unknown_operator_is_refused_not_guessed() -> None:
    with pytest.raises(PolicyError, match="DateGreaterThan"):
        conditions_hold({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": "x"})


def test_same_account_identity_or_resource_policy_cross_account_both() -> None:
    bus = f"arn:aws:events:us-east-1:{HUB}:event-bus/regwatch"
    bus_policy = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "events:PutEvents",
            "Resource": bus,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
        }
    )
    request = Request("events:PutEvents", bus, {"aws:PrincipalOrgID": "o-abcdefghij"})
    member = Principal(f"arn:aws:iam::{MEMBER}:role/forward", MEMBER, "o-abcdefghij")
    member_policy = [policy(allow("events:PutEvents", bus))]
    assert (
        authorize(member, member_policy, request, resource_account=HUB, resource_policies=[bus_policy])
        is Decision.ALLOW
    )
    # Cross-account: the bus policy alone is not enough, nor the identity policy alone.
    assert (
        authorize(member, [], request, resource_account=HUB, resource_policies=[bus_policy])
        is Decision.IMPLICIT_DENY
    )
    outsider = Request("events:PutEvents", bus, {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})
    assert (
        authorize(member, member_policy, outsider, resource_account=HUB, resource_policies=[bus_policy])
        is Decision.IMPLICIT_DENY
    )
    # Same account: the resource policy alone is enough.
    assert (
        authorize(SCANNER, [], request, resource_account=HUB, resource_policies=[bus_policy])
        is Decision.ALLOW
    )


def test_an_explicit_deny_in_a_resource_policy_beats_the_identity_allow() -> None:
    queue = f"arn:aws:sqs:us-east-1:{HUB}:scan"
    secure_only = policy(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": queue,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    identity = [policy(allow("sqs:SendMessage", queue))]
    plain = Request("sqs:SendMessage", queue, {"aws:SecureTransport": "false"})
    tls = Request("sqs:SendMessage", queue, {"aws:SecureTransport": "true"})
    assert (
        authorize(SCANNER, identity, plain, resource_account=HUB, resource_policies=[secure_only])
        is Decision.EXPLICIT_DENY
    )
    assert (
        authorize(SCANNER, identity, tls, resource_account=HUB, resource_policies=[secure_only])
        is Decision.ALLOW
    )


def test_a_trust_policy_names_its_principal_and_its_condition() -> None:
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": SCANNER.arn},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
        }
    )
    role = f"arn:aws:iam::{MEMBER}:role/regwatch-spoke-reader"
    identity = [policy(allow("sts:AssumeRole", "arn:aws:iam::*:role/regwatch-spoke-reader"))]
    request = Request("sts:AssumeRole", role, {"aws:PrincipalOrgID": "o-abcdefghij"})
    assert (
        authorize(SCANNER, identity, request, resource_account=MEMBER, resource_policies=[trust])
        is Decision.ALLOW
    )
    other = Principal(f"arn:aws:iam::{HUB}:role/someone-else", HUB, "o-abcdefghij")
    assert (
        authorize(other, identity, request, resource_account=MEMBER, resource_policies=[trust])
        is Decision.IMPLICIT_DENY
    )
    wrong_org = Request("sts:AssumeRole", role, {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})
    assert (
        authorize(SCANNER, identity, wrong_org, resource_account=MEMBER, resource_policies=[trust])
        is Decision.IMPLICIT_DENY
    )
    # Service principals are never a role's session.
    service_only = policy(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    assert (
        authorize(SCANNER, identity, request, resource_account=MEMBER, resource_policies=[service_only])
        is Decision.IMPLICIT_DENY
    )
