"""Pieces every function's settings module uses to parse its environment mapping.

Pure: they take a Mapping (the settings module passes `os.environ` on the first
invocation, tests pass a dict), so nothing here reads the environment itself.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_EVENT_SOURCE = "regwatch"


class SettingsError(ValueError):
    """An environment variable is missing or invalid; the message names it."""


def required(environ: Mapping[str, str], name: str, meaning: str) -> str:
    """The stripped value of `name`, or a SettingsError saying what it must hold."""
    value = environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: it must hold {meaning}")
    return value


def event_source_of(environ: Mapping[str, str]) -> str:
    """`EVENT_SOURCE`, the `source` of regwatch events (default `regwatch`)."""
    return environ.get("EVENT_SOURCE", "").strip() or DEFAULT_EVENT_SOURCE
