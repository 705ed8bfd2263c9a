"""A small validator of parsed boto3 responses against the botocore service model.

Walks the output (or error) shape: required members present, no unmodeled members,
types as botocore parses them (timestamps -> datetime), enums and numeric ranges as
in the model on disk. Returns a list of problems so a test can show them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import botocore.session
from botocore.model import ServiceModel, Shape

_MODEL: ServiceModel = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
RESPONSE_EXTRAS = frozenset({"ResponseMetadata", "Error"})


def model() -> ServiceModel:
    return _MODEL


def output_problems(operation: str, response: dict[str, Any]) -> list[str]:
    shape = _MODEL.operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k not in RESPONSE_EXTRAS}
    problems: list[str] = []
    _walk(shape, body, operation, problems)
    return problems


def error_problems(operation: str, response: dict[str, Any]) -> list[str]:
    """Check a ClientError's response: a modeled error of the operation, with valid members."""
    code = response["Error"]["Code"]
    problems: list[str] = []
    modeled = {shape.name: shape for shape in _MODEL.operation_model(operation).error_shapes}
    if code not in modeled:
        return [f"{operation}: {code} is not a modeled error ({', '.join(sorted(modeled))})"]
    if not response["Error"].get("Message"):
        problems.append(f"{code}: no Message")
    shape = modeled[code]
    members = {k: v for k, v in response.items() if k in shape.members and k != "Message"}
    for name in shape.required_members:
        if name not in response and name != "Message":
            problems.append(f"{code}: required member {name} missing")
    for name, value in members.items():
        _walk(shape.members[name], value, f"{code}.{name}", problems)
    return problems


def _walk(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    check = _CHECKS.get(shape.type_name)
    if check is None:
        problems.append(f"{path}: unexpected shape type {shape.type_name}")
    else:
        check(shape, value, path, problems)


def _structure(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object, got {type(value).__name__}")
        return
    for name in shape.required_members:
        if name not in value:
            problems.append(f"{path}.{name}: required member missing")
    for name, item in value.items():
        member = shape.members.get(name)
        if member is None:
            problems.append(f"{path}.{name}: not a member of {shape.name}")
        else:
            _walk(member, item, f"{path}.{name}", problems)


def _list(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list")
        return
    _range(shape, len(value), path, problems)
    for index, item in enumerate(value):
        _walk(shape.member, item, f"{path}[{index}]", problems)


def _map(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: expected a map")
        return
    for key, item in value.items():
        _walk(shape.key, key, f"{path} key", problems)
        _walk(shape.value, item, f"{path}.{key}", problems)


def _string(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: expected a string, got {type(value).__name__}")
    elif shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} not in enum {shape.name}")
    else:
        _range(shape, len(value), path, problems)


def _integer(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: expected an integer, got {type(value).__name__}")
    else:
        _range(shape, value, path, problems)


def _boolean(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        problems.append(f"{path}: expected a boolean")


def _timestamp(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, datetime):
        problems.append(f"{path}: expected a timestamp, got {type(value).__name__}")


_CHECKS: dict[str, Callable[[Shape, Any, str, list[str]], None]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
    "timestamp": _timestamp,
}


def _range(shape: Shape, size: int, path: str, problems: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        problems.append(f"{path}: {size} below min {low}")
    if high is not None and size > high:
        problems.append(f"{path}: {size} above max {high}")
