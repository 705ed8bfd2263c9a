"""One list of SMS API reads (regwatch_aws.sms_actions), checked both ways against the adapter.

Every operation the adapters (regwatch_aws/sms_api.py, messaging_api.py) name is in the
list, and every action of the list is an operation they name: a new call without its
permission, or a permission nothing uses, fails here. (At run time, tests/deployed_shape
checks that the scanner and the spoke sessions call exactly these actions, through the IAM
gate.) docs/organizations.md lists the spoke role's actions: the same list.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import botocore.session
from botocore import xform_name

from regwatch_aws.sms_actions import (
    LIST_REGISTRATIONS_ACTION,
    MESSAGING_READ_ACTIONS,
    REGISTRATION_READ_ACTIONS,
    SMS_READ_ACTIONS,
)

ROOT = Path(__file__).resolve().parents[2]
# The scanner's SMS API adapters: registrations, and RCS launches / Notify configurations.
ADAPTERS = (
    ROOT / "lambdas" / "regwatch_aws" / "sms_api.py",
    ROOT / "lambdas" / "regwatch_aws" / "messaging_api.py",
)


def _operations_named_in_the_adapter() -> set[str]:
    """Operations the adapter calls: `self._call("describe_registrations", ...)`,
    `client.describe_registrations(...)`, `get_paginator("...")`: any name of an operation."""
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    by_method = {xform_name(operation): operation for operation in model.operation_names}
    found: set[str] = set()
    nodes = (
        node for adapter in ADAPTERS for node in ast.walk(ast.parse(adapter.read_text(encoding="utf-8")))
    )
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in by_method:
            found.add(by_method[node.value])
        elif isinstance(node, ast.Attribute) and node.attr in by_method:
            found.add(by_method[node.attr])
    return {f"sms-voice:{operation}" for operation in found}


def test_the_list_is_exactly_what_the_adapter_calls() -> None:
    called = _operations_named_in_the_adapter()
    assert called, "no operation found: has the adapter moved?"
    assert called - set(SMS_READ_ACTIONS) == set(), "called without a permission in the list"
    assert set(SMS_READ_ACTIONS) - called == set(), "in the list, called by nothing"


def test_the_list_has_no_duplicate_and_listing_comes_first() -> None:
    assert len(set(SMS_READ_ACTIONS)) == len(SMS_READ_ACTIONS)
    assert (
        LIST_REGISTRATIONS_ACTION,
        *REGISTRATION_READ_ACTIONS,
        *MESSAGING_READ_ACTIONS,
    ) == SMS_READ_ACTIONS


def test_docs_list_the_spoke_role_s_actions_from_the_same_list() -> None:
    text = (ROOT / "docs" / "organizations.md").read_text(encoding="utf-8")
    start = text.index("- Role `spokeRoleName`:")
    section = text[start : text.index("Trust:", start)]
    assert set(re.findall(r"sms-voice:[A-Za-z]+", section)) == set(SMS_READ_ACTIONS)
