"""A PagerDuty-compatible Events API v2 endpoint that keeps incidents, for tests and the demo.

`POST /v2/enqueue` answers like events.pagerduty.com: `202 {"status": "success", "dedup_key"}`
for a valid event, `400 {"status": "invalid event", "errors": [...]}` otherwise (routing key
not 32 characters or not this service's, unknown event_action, a trigger without summary /
source / a known severity, a summary over 1024 characters). Incidents follow PagerDuty's
rules: a trigger with the dedup_key of an open incident updates it (no second incident), a
trigger after a resolve opens a new one, a resolve of an unknown key is accepted and ignored.
Faults: `script()` (see sink_server.py). Run alone: `python -m local.pagerduty_events`.
"""

from __future__ import annotations

import argparse
import secrets
from dataclasses import dataclass, field
from typing import Any

from local.sink_server import Received, ScriptedServer, serve_until_interrupted

SEVERITIES = ("critical", "error", "warning", "info")
SUMMARY_LIMIT = 1024


@dataclass
class Incident:
    number: int
    dedup_key: str
    summary: str
    severity: str
    status: str = "triggered"  # "triggered" | "resolved"
    updates: int = 0  # triggers received while open, after the first
    log: list[str] = field(default_factory=list)


class PagerDutyServer(ScriptedServer):
    name = "pagerduty-events"

    def __init__(self, httpd: Any, routing_key: str | None = None) -> None:
        super().__init__(httpd)
        self.routing_key = routing_key or secrets.token_hex(16)  # 32 characters, like the real one
        self.incidents: list[Incident] = []
        self.accepted: list[dict[str, Any]] = []

    @property
    def events_url(self) -> str:
        return f"{self.url}/v2/enqueue"

    def reset_state(self) -> None:
        self.incidents.clear()
        self.accepted.clear()

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.status == "triggered"]

    def incident(self, dedup_key: str) -> Incident | None:
        found = [i for i in self.incidents if i.dedup_key == dedup_key]
        return found[-1] if found else None

    def accept(self, received: Received) -> tuple[int, Any, dict[str, str]]:
        if received.path != "/v2/enqueue":
            return 404, {"status": "not found"}, {}
        event = received.payload
        problems = _problems(event, self.routing_key)
        if problems:
            return (
                400,
                {"status": "invalid event", "message": "Event object is invalid", "errors": problems},
                {},
            )
        action, key = event["event_action"], str(event.get("dedup_key") or secrets.token_hex(8))
        self.accepted.append(event)
        current = self.incident(key)
        if action == "trigger":
            payload = event["payload"]
            if current is not None and current.status == "triggered":
                current.summary, current.severity = payload["summary"], payload["severity"]
                current.updates += 1
                current.log.append(f"updated: {payload['summary']}")
            else:
                self.incidents.append(
                    Incident(
                        len(self.incidents) + 1,
                        key,
                        payload["summary"],
                        payload["severity"],
                        log=[f"triggered: {payload['summary']}"],
                    )
                )
        elif action == "resolve" and current is not None and current.status == "triggered":
            current.status = "resolved"
            current.log.append("resolved")
        return 202, {"status": "success", "message": "Event processed", "dedup_key": key}, {}


def _problems(event: Any, routing_key: str) -> list[str]:
    if not isinstance(event, dict):
        return ["Event object is not JSON"]
    problems = []
    key = event.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        problems.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    elif key != routing_key:
        problems.append("Invalid routing key")
    action = event.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        problems.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
    if action in ("acknowledge", "resolve") and not event.get("dedup_key"):
        problems.append("'dedup_key' is missing or blank")
    if action == "trigger":
        payload = event.get("payload")
        if not isinstance(payload, dict):
            return [*problems, "'payload' is missing or not an object"]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary:
            problems.append("'payload.summary' is missing or blank")
        elif len(summary) > SUMMARY_LIMIT:
            problems.append(f"'payload.summary' is longer than {SUMMARY_LIMIT} characters")
        if not payload.get("source"):
            problems.append("'payload.source' is missing or blank")
        if payload.get("severity") not in SEVERITIES:
            problems.append("'payload.severity' is invalid (must be one of: critical, error, warning, info)")
    if isinstance(event.get("dedup_key"), str) and len(event["dedup_key"]) > 255:
        problems.append("'dedup_key' is longer than 255 characters")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description="PagerDuty-compatible Events API v2 endpoint.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = PagerDutyServer.start(port=args.port)
    print(f"Events URL: {server.events_url}\nRouting key: {server.routing_key}", flush=True)
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
