"""PagerDuty's stand-in: local/pagerduty_events.py (Events API v2), counted by incidents.

What counts as delivered: ACTION_REQUIRED events must reach PagerDuty as a trigger carrying
their eventId (custom_details); other events only update or resolve an incident and are
covered by the lifecycle tests. A duplicate is a second incident for one dedup_key while the
first is open, which PagerDuty's dedup_key prevents even when a trigger is sent twice.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from local.pagerduty_events import PagerDutyServer
from local.sinks import LocalSink


class PagerDutySink(LocalSink):
    name = "pagerduty"
    server: PagerDutyServer

    def secret_value(self) -> str:
        return self.server.routing_key

    def function_env(self) -> dict[str, str]:
        return {"PAGERDUTY_EVENTS_URL": self.server.events_url}

    def fast_env(self) -> dict[str, str]:
        return {"PAGERDUTY_TIMEOUT_SECONDS": "1"}

    def delivered(self) -> Counter[str]:
        return Counter(
            {
                e["payload"]["custom_details"]["eventId"]: 1
                for e in self.server.accepted
                if e["event_action"] == "trigger" and "eventId" in e["payload"].get("custom_details", {})
            }
        )

    def expects(self, detail: Mapping[str, Any]) -> bool:
        return detail.get("severity") == "ACTION_REQUIRED"

    def duplicates(self) -> int:
        per_key = Counter(i.dedup_key for i in self.server.incidents)
        return sum(n - 1 for n in per_key.values())

    def write_preview(self, output: Path, severities: Mapping[str, str] | None = None) -> Path:
        return write_incidents_html(self.server, output / "pagerduty.html")

    def summary(self) -> str:
        incidents = self.server.incidents
        still_open = sum(1 for i in incidents if i.status == "triggered")
        resolved = len(incidents) - still_open
        return f"PagerDuty: {len(incidents)} incidents, {still_open} open, {resolved} resolved"


def start() -> PagerDutySink:
    return PagerDutySink(PagerDutyServer.start(port=0))


def write_incidents_html(server: PagerDutyServer, path: Path) -> Path:
    # What still needs someone comes first (then by number); resolved ones closed themselves.
    incidents = sorted(server.incidents, key=lambda i: (i.status != "triggered", i.number))
    still_open = sum(1 for i in incidents if i.status == "triggered")
    rows = "".join(
        f"<tr class='{i.status} {html.escape(i.severity)}'><td>#{i.number}</td><td>{i.status}</td>"
        f"<td>{html.escape(i.severity)}</td>"
        f"<td>{html.escape(i.summary)}</td><td>{i.updates}</td>"
        f"<td>{'<br>'.join(html.escape(entry) for entry in i.log)}</td></tr>"
        for i in incidents
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>regwatch in PagerDuty</title><style>"
        "body{font-family:sans-serif;margin:24px}td,th{border-bottom:1px solid #ddd;padding:6px;"
        "vertical-align:top;text-align:left}.triggered td:nth-child(2){color:#c4314b;font-weight:600}"
        ".resolved td:nth-child(2){color:#237b4b}.critical td:nth-child(3){color:#c4314b;font-weight:600}"
        ".sub{color:#616061;margin:-8px 0 16px}</style></head><body><h1>PagerDuty incidents</h1>"
        f"<div class='sub'>{still_open} open (someone must act), {len(incidents) - still_open} resolved "
        "by regwatch itself (the registration or scan target recovered); open ones first</div>"
        "<table><tr><th>Incident</th><th>Status</th><th>Severity</th><th>Summary</th><th>Updates</th>"
        f"<th>Log</th></tr>{rows}</table></body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
