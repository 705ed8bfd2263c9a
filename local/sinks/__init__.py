"""Local stand-ins for the destinations, one module per registry entry: local/sinks/<name>.py.

Each module's `start()` returns a `LocalSink`: the server that answers like the real service,
what to store in the destination's secret, the variables that point the function at it, how
to count what it received (fault rows), and its demo preview and summary line. The demo
(local/destination_sinks.py) and the fault pipeline (tests/faults/destinations.py) load them
by the registry name, so a new destination needs its sink here and nothing else in local/.
The demo's own destinations (local/built_in_destinations.py) have none.
"""

from __future__ import annotations

import html
import importlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from destinations.registry import DESTINATIONS, Destination, destination
from local.built_in_destinations import BUILT_IN


class LocalSink:
    """What the demo and the fault rows need of a destination's stand-in (subclassed per sink)."""

    name = ""

    def __init__(self, server: Any) -> None:
        self.server = server  # a local.sink_server.ScriptedServer

    @property
    def spec(self) -> Destination:
        return destination(self.name)

    def secret_value(self) -> str:
        """What the destination's secret holds to reach this sink."""
        raise NotImplementedError

    def function_env(self) -> dict[str, str]:
        """Variables pointing the function at the sink where the secret does not (an endpoint)."""
        return {}

    def fast_env(self) -> dict[str, str]:
        """Variables for fault rows: short client timeouts so scripted slow answers time out."""
        return {}

    def delivered(self) -> Counter[str]:
        """eventId -> how many times it reached the sink (fault rows count lost and duplicates)."""
        raise NotImplementedError

    def expects(self, detail: Mapping[str, Any]) -> bool:
        """Whether a published detail must reach the sink (beyond the rule's routing)."""
        return True

    def duplicates(self) -> int | None:
        """Duplicates a person would see, when the sink defines them differently from `delivered`."""
        return None

    def write_preview(self, output: Path, severities: Mapping[str, str] | None = None) -> Path:
        raise NotImplementedError

    def summary(self) -> str:
        """One line for the demo's summary."""
        raise NotImplementedError

    def stop(self) -> None:
        self.server.stop()


def opt_in_destinations() -> tuple[str, ...]:
    """Registry entries with a local sink the demo can add (`--destinations`)."""
    return tuple(spec.name for spec in DESTINATIONS if spec.name not in BUILT_IN)


def start_sink(name: str) -> LocalSink:
    sink: LocalSink = importlib.import_module(f"local.sinks.{name}").start()
    return sink


def html_page(title: str, subtitle: str, header: list[str], rows: list[list[str]], style: str = "") -> str:
    """A plain table page (previews of sinks without a look of their own); cells are escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;margin:24px}td,th{border-bottom:1px solid #ddd;padding:6px;"
        f"vertical-align:top;text-align:left;white-space:pre-wrap}}.sub{{color:#616061}}{style}</style>"
        f"</head><body><h1>{html.escape(title)}</h1><div class='sub'>{html.escape(subtitle)}</div>"
        f"<table><tr>{head}</tr>{body}</table></body></html>"
    )
