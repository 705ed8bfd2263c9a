"""How the `regwatch` CDK context becomes one object of settings, and how its errors read.

Every setting lives under the single context key `regwatch`. Three layers, later wins:

1. the `regwatch` object in cdk.json;
2. `-c regwatch='{"schedule": "rate(10 minutes)"}'`: a whole JSON object on the command line
   *replaces* the cdk.json object (CDK's own rule for a context key);
3. `-c regwatch.schedule="rate(10 minutes)"`: one setting, applied on top of 1/2. Values given
   this way are strings; numbers and booleans are converted, lists take JSON or a comma list.

Errors name the offending key as `regwatch.<key>` so a bad `cdk synth` says what to fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

CONTEXT_KEY = "regwatch"


class ConfigError(ValueError):
    """A bad `regwatch` context value; the message names every offending key."""


def context_overrides(context: Mapping[str, Any]) -> dict[str, Any]:
    """The `regwatch.<key>` entries of a construct tree's context (layer 3)."""
    return {key: value for key, value in context.items() if key.startswith(f"{CONTEXT_KEY}.")}


def merged_settings(base: Any, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The `regwatch` context value (layers 1/2) with `regwatch.<key>` overrides on top.

    `base` is what the context holds under `regwatch` (a dict from cdk.json, or a JSON string
    from `-c regwatch='{...}'`); `overrides` maps full context keys (`regwatch.schedule`) to values.
    """
    if base is None:
        base = {}
    if isinstance(base, str):
        try:
            base = json.loads(base)
        except json.JSONDecodeError as error:
            raise ConfigError(f"regwatch: not a JSON object ({error})") from None
    if not isinstance(base, Mapping):
        raise ConfigError(f"regwatch: must be an object of settings, got {type(base).__name__}")
    merged = dict(base)
    for key, value in overrides.items():
        merged[key.removeprefix(f"{CONTEXT_KEY}.")] = value
    return merged


def describe(error: ValidationError, known_keys: list[str]) -> str:
    """One line per problem, each naming its key as `regwatch.<key>`."""
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        key = f"{CONTEXT_KEY}.{location}" if location else CONTEXT_KEY
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = f"unknown setting (known: {', '.join(known_keys)})"
        lines.append(f"{key}: {message}")
    return "invalid regwatch configuration:\n  " + "\n  ".join(lines)
