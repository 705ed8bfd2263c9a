"""The demo's live terminal timeline: one readable line (or a few) per thing that happens.

Reads the `Note`s the local stack emits; knows nothing about how they were produced.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any, TextIO

from local.records import Note

_COLORS = {
    "dim": "2",
    "bold": "1",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}
_SEVERITY_COLOR = {"ACTION_REQUIRED": "red", "GOOD_NEWS": "green", "INFO": "blue"}
_TEXT_WIDTH = 100


def _clock(epoch: Any) -> str:
    try:
        return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return "?"


def short_id(registration_id: str) -> str:
    return registration_id if len(registration_id) <= 30 else registration_id[:27] + "…"


def describe_step(step: dict[str, Any]) -> str:
    """A story step in words: its `note` if the scenario gives one."""
    if step.get("note"):
        return str(step["note"])
    subject = step.get("registration") or step.get("registration_id") or step.get("id", "")
    parts = [str(step.get("action", "?")), str(subject)]
    if step.get("status"):
        parts.append(f"→ {step['status']}")
    return " ".join(p for p in parts if p)


class Timeline:
    def __init__(self, stream: TextIO, quiet: bool = False, color: bool | None = None) -> None:
        self.stream = stream
        self.quiet = quiet
        self.color = stream.isatty() if color is None else color

    def paint(self, text: str, color: str) -> str:
        if not self.color:
            return text
        return f"\033[{_COLORS[color]}m{text}\033[0m"

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def show(self, note: Note) -> None:
        if self.quiet:
            return
        render = getattr(self, f"_{note.kind}", None)
        if render is not None:
            render(note.data)

    def _phase(self, data: dict[str, Any]) -> None:
        self.say(self.paint(f"▸ {data['text']}", "dim"))

    def _seeded(self, data: dict[str, Any]) -> None:
        result = data.get("result", {})
        by_region = result.get("registrations", {}) if isinstance(result, dict) else {}
        counts = ", ".join(f"{len(ids)} in {region}" for region, ids in by_region.items())
        self.say(
            self.paint("▸ Emulator seeded: ", "dim")
            + f"{counts}; story starts {_clock(result.get('start'))} UTC"
        )

    def _ready(self, data: dict[str, Any]) -> None:
        self.say(self.paint(f"▸ Ready in {data['seconds']:.0f} s. The story begins.", "dim"))
        self.say("")

    def _story(self, data: dict[str, Any]) -> None:
        step = data.get("step", {})
        failed = "" if data.get("ok", True) else self.paint(f"  (step failed: {data.get('error')})", "red")
        self.say(self.paint("  story ", "magenta") + describe_step(step) + failed)

    def _scan_started(self, data: dict[str, Any]) -> None:
        self.say(
            self.paint(f"⟳ scan #{data['number']}", "cyan")
            + self.paint(f"  {_clock(data.get('emulator_time'))} UTC on the emulator clock", "dim")
        )

    def _scan_finished(self, data: dict[str, Any]) -> None:
        calls = data.get("api_calls", {})
        total = sum(calls.values())
        detail = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        self.say(
            self.paint("  └ ", "cyan")
            + f"{data['events']} transition(s), {total} SMS API call(s)"
            + self.paint(f"  [{detail}]  {data['seconds']:.1f} s", "dim")
        )

    def _transition(self, data: dict[str, Any]) -> None:
        event = data["event"]
        detail = event.get("detail", {})
        severity = str(detail.get("severity", "INFO"))
        if detail.get("scope") == "TARGET":  # contract 1.1: a target's health changed
            self.say(
                "  "
                + self.paint("■", _SEVERITY_COLOR.get(severity, "blue"))
                + f" [{detail.get('region')}] account {detail.get('accountId')}: "
                + self.paint(f"{event.get('detail-type')}", _SEVERITY_COLOR.get(severity, "blue"))
                + self.paint(
                    f"  {detail.get('reason')} ({detail.get('errorCode')}) since {detail.get('since')}", "dim"
                )
            )
            return
        if detail.get("resourceId"):  # contract 1.2: an RCS launch or a Notify configuration
            self._resource_transition(event, detail, severity)
            return
        version = f"v{detail.get('versionNumber')}" if detail.get("scope") == "VERSION" else "registration"
        previous = detail.get("previousStatus") or "∅"
        flag = self.paint(" (baseline)", "dim") if detail.get("baseline") else ""
        self.say(
            "  "
            + self.paint("●", _SEVERITY_COLOR.get(severity, "blue"))
            + f" [{detail.get('region')}{_account_tag(detail)}] {detail.get('registrationType')} "
            + self.paint(short_id(str(detail.get("registrationId"))), "bold")
            + f" {version}: {previous} → "
            + self.paint(str(detail.get("status")), _SEVERITY_COLOR.get(severity, "blue"))
            + flag
        )
        for reason in detail.get("deniedReasons") or []:
            self.say(
                self.paint(f"      denied: {reason.get('reason')}: {reason.get('shortDescription')}", "dim")
            )

    def _resource_transition(self, event: dict[str, Any], detail: dict[str, Any], severity: str) -> None:
        where = f"{detail.get('resourceName')}" + (
            f" in {detail['isoCountryCode']}" if detail.get("isoCountryCode") else ""
        )
        self.say(
            "  "
            + self.paint("◆", _SEVERITY_COLOR.get(severity, "blue"))
            + f" [{detail.get('region')}{_account_tag(detail)}] {event.get('detail-type')} "
            + self.paint(where, "bold")
            + f": {detail.get('previousStatus') or '∅'} → "
            + self.paint(str(detail.get("status")), _SEVERITY_COLOR.get(severity, "blue"))
        )
        for carrier in detail.get("carrierStatuses") or []:
            if carrier.get("carrierName") in (detail.get("changedCarriers") or []):
                change = f"{carrier.get('previousStatus') or '∅'} → {carrier.get('status')}"
                self.say(self.paint(f"      carrier {carrier.get('carrierName')}: {change}", "dim"))
        if detail.get("rejectionReason"):
            self.say(self.paint(f"      rejected: {detail['rejectionReason']}", "dim"))

    def _slack(self, data: dict[str, Any]) -> None:
        notification = data["notification"]
        text = textwrap.shorten(notification.text, _TEXT_WIDTH, placeholder="…")
        self.say("    " + self.paint("→ Slack", "yellow") + f"  {text}")

    def _sns(self, data: dict[str, Any]) -> None:
        notification = data["notification"]
        subject = notification.payload.get("Subject") or textwrap.shorten(
            notification.text, _TEXT_WIDTH, placeholder="…"
        )
        self.say("    " + self.paint("→ SNS  ", "yellow") + f"  {subject}")

    def _delivery_failed(self, data: dict[str, Any]) -> None:
        where = "dead-letter queue" if data.get("dead_lettered") else "dropped"
        self.say(
            "    "
            + self.paint(f"✗ {data['function']} failed {data['attempts']}×, event to {where}", "red")
            + self.paint(f"  {data.get('error')}", "dim")
        )

    def _replay(self, data: dict[str, Any]) -> None:
        self.say("")
        self.say(
            self.paint("↻ at-least-once", "cyan")
            + f"  EventBridge may deliver an event twice: replaying {data['count']} delivered event(s)"
            " (the notifiers' idempotency should suppress them)"
        )

    def _delivered(self, data: dict[str, Any]) -> None:
        return


def _account_tag(detail: dict[str, Any]) -> str:
    """Member accounts are named; the hub's own events look as before."""
    account = str(detail.get("accountId", ""))
    return "" if account in ("", "123456789012") else f" {account}"
