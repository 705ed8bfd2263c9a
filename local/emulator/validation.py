"""Model-driven input validation: the botocore service model on disk is the spec.

botocore checks required members and minimums client-side but not maximums, patterns
or enums; AWS checks them all server-side. Walking the operation's input shape gives
that fidelity for every operation without hand-written rules.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ServiceModel, Shape

from local.emulator.protocol import validation_error

SERVICE_NAME = "pinpoint-sms-voice-v2"


@cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


@cache
def _pattern(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


class _Problems:
    def __init__(self) -> None:
        self.fields: list[dict[str, str]] = []
        self.missing = False

    def add(self, name: str, message: str) -> None:
        self.fields.append({"Name": name, "Message": message})


def validate_input(operation: str, params: Any) -> None:
    """Raise ValidationException (MISSING_PARAMETER / INVALID_PARAMETER) for a bad input."""
    shape = service_model().operation_model(operation).input_shape
    problems = _Problems()
    if not isinstance(params, dict):
        raise validation_error("CANNOT_PARSE", "The request body must be a JSON object.")
    if shape is not None:
        _check(shape, params, "", problems)
    if problems.fields:
        reason = "MISSING_PARAMETER" if problems.missing else "INVALID_PARAMETER"
        first = problems.fields[0]
        raise validation_error(reason, f"{first['Name']}: {first['Message']}", problems.fields)


def _check(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    kind = shape.type_name
    checker = _CHECKERS.get(kind)
    if checker is not None:
        checker(shape, value, path, problems)


def _check_structure(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return
    for name in shape.required_members:
        if value.get(name) is None:
            problems.missing = True
            problems.add(_join(path, name), "is required")
    for name, member_value in value.items():
        member = shape.members.get(name)
        if member is not None and member_value is not None:
            _check(member, member_value, _join(path, name), problems)


def _check_list(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, list):
        problems.add(path, "must be a list")
        return
    _check_range(shape, len(value), path, problems, "items")
    for index, item in enumerate(value):
        _check(shape.member, item, f"{path}[{index}]", problems)


def _check_map(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return
    _check_range(shape, len(value), path, problems, "entries")
    for key, item in value.items():
        _check(shape.key, key, f"{path}.{key}", problems)
        _check(shape.value, item, f"{path}.{key}", problems)


def _check_string(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, str):
        problems.add(path, "must be a string")
        return
    _check_range(shape, len(value), path, problems, "characters")
    enum = shape.enum
    if enum and value not in enum:
        problems.add(path, f"must be one of {', '.join(enum)}")
    pattern = shape.metadata.get("pattern")
    if pattern and not _pattern(pattern).fullmatch(value):
        problems.add(path, f"must match the pattern {pattern}")


def _check_integer(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path, "must be an integer")
        return
    _check_range(shape, value, path, problems, "")


def _check_boolean(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, bool):
        problems.add(path, "must be a boolean")


def _check_timestamp(shape: Shape, value: Any, path: str, problems: _Problems) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(path, "must be a timestamp in epoch seconds")


def _check_range(shape: Shape, size: int, path: str, problems: _Problems, unit: str) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    suffix = f" {unit}" if unit else ""
    if low is not None and size < low:
        problems.add(path, f"must be at least {low}{suffix}")
    if high is not None and size > high:
        problems.add(path, f"must be at most {high}{suffix}")


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
