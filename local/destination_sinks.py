"""The demo's extra destinations (PagerDuty, Teams, Slack threads): local sinks, secrets, settings, previews.

Opt-in (`make demo ARGS="--destinations pagerduty,teams,slack-thread"`): the stack is synthesized
with the destinations enabled (their registry entries build the functions and rules), the sinks
stand in for PagerDuty and Teams, and the previews show what on-call would see: PagerDuty
incidents opened and later resolved by themselves, and the Teams cards. `slack-thread` adds
a thread-mode copy of the Slack notifier posting to the local Slack server's Web API
(local/slack_thread_demo.py), previewed as threads beside the webhook messages.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destinations.registry import BY_NAME
from local.pagerduty_events import PagerDutyServer
from local.provision import ProvisionedStack
from local.slack_thread_demo import NAME as SLACK_THREAD
from local.slack_thread_demo import SlackThreadDemo
from local.teams_preview import write_teams_html
from local.teams_workflow import TeamsWorkflowServer

SECRET_NAMES = {"pagerduty": "regwatch/demo-pagerduty", "teams": "regwatch/demo-teams-workflow"}
SECRET_SETTINGS = {"pagerduty": "pagerdutyRoutingKeySecret", "teams": "teamsWebhookSecret"}
DEMO_DESTINATIONS = (*SECRET_NAMES, SLACK_THREAD)


def demo_context(names: tuple[str, ...]) -> dict[str, Any]:
    """`regwatch` settings enabling each named destination with its demo secret."""
    unknown = [n for n in names if n != SLACK_THREAD and (n not in SECRET_NAMES or n not in BY_NAME)]
    if unknown:
        raise ValueError(f"--destinations: unknown {unknown}; the demo knows {list(DEMO_DESTINATIONS)}")
    # slack-thread needs no setting: it copies the Slack notifier the demo always deploys.
    return {SECRET_SETTINGS[name]: SECRET_NAMES[name] for name in names if name in SECRET_SETTINGS}


@dataclass
class DemoSinks:
    pagerduty: PagerDutyServer | None = None
    teams: TeamsWorkflowServer | None = None
    slack_thread: SlackThreadDemo | None = None
    stoppers: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, names: tuple[str, ...]) -> DemoSinks:
        sinks = cls()
        if "pagerduty" in names:
            sinks.pagerduty = PagerDutyServer.start(port=0)
            sinks.stoppers.append(sinks.pagerduty.stop)
        if "teams" in names:
            sinks.teams = TeamsWorkflowServer.start(port=0)
            sinks.stoppers.append(sinks.teams.stop)
        if SLACK_THREAD in names:
            sinks.slack_thread = SlackThreadDemo.start()
            sinks.stoppers.append(sinks.slack_thread.stop)
        return sinks

    def secrets(self) -> dict[str, str]:
        values = {}
        if self.pagerduty is not None:
            values[SECRET_NAMES["pagerduty"]] = self.pagerduty.routing_key
        if self.teams is not None:
            values[SECRET_NAMES["teams"]] = self.teams.webhook_url
        return values

    def extend_stack(self, stack: ProvisionedStack, clients: dict[str, Any]) -> None:
        """Local-only functions on the provisioned stack (the thread-mode Slack notifier)."""
        if self.slack_thread is not None:
            self.slack_thread.add_to(stack, clients)

    def function_env(self) -> dict[str, str]:
        """Where the functions reach the sinks (the template holds only secret names)."""
        return {"PAGERDUTY_EVENTS_URL": self.pagerduty.events_url} if self.pagerduty is not None else {}

    def stop(self) -> None:
        for stop in self.stoppers:
            stop()

    def write_previews(self, output: Path, severities: Mapping[str, str] | None = None) -> list[Path]:
        """`severities` (eventId -> severity) colours messages, as in slack.html."""
        written = []
        if self.slack_thread is not None:
            written.append(self.slack_thread.write_preview(output, severities))
        if self.teams is not None:
            written.append(write_teams_html(self.teams.cards, output / "teams.html"))
        if self.pagerduty is not None:
            written.append(write_incidents_html(self.pagerduty, output / "pagerduty.html"))
        return written


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
