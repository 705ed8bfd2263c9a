"""Settings every notifier shares, parsed from the environment on the first invocation.

The destination's own settings are parsed by its package from the same mapping
(`destinations/<name>/settings.py`), so this is the only place that reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from function_support.settings_parsing import DEFAULT_EVENT_SOURCE, SettingsError, event_source_of, required

__all__ = ["NotifierSettings", "SettingsError"]


@dataclass(frozen=True)
class NotifierSettings:
    destination: str
    idempotency_table_name: str
    event_source: str = DEFAULT_EVENT_SOURCE
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str], destination: str | None = None) -> NotifierSettings:
        return cls(
            destination=destination
            or required(environ, "DESTINATION", "the name of a destination in destinations/registry.py"),
            idempotency_table_name=required(
                environ, "IDEMPOTENCY_TABLE_NAME", "the name of the DynamoDB idempotency table"
            ),
            event_source=event_source_of(environ),
            environ=dict(environ),
        )

    @classmethod
    def from_environment(cls, destination: str | None = None) -> NotifierSettings:
        return cls.from_mapping(os.environ, destination)
