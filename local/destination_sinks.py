"""The demo's extra destinations: local sinks (local/sinks/<name>.py), secrets, settings, previews.

Opt-in (`make demo ARGS="--destinations pagerduty,teams,webhook,slack-thread"`): the stack is
synthesized with the destinations enabled (their registry entries build the functions and
rules: the setting is the entry's secret key, holding `regwatch/demo-<name>`), the sinks stand
in for the services, and each writes a preview and a summary line of what people would see.
Every registry entry with a sink is available here without a line in this module.
`slack-thread` adds a thread-mode copy of the Slack notifier posting to the local Slack
server's Web API (local/slack_thread_demo.py), previewed as threads beside the webhook messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destinations.registry import destination
from local.provision import ProvisionedStack
from local.sinks import LocalSink, opt_in_destinations, start_sink
from local.slack_thread_demo import NAME as SLACK_THREAD
from local.slack_thread_demo import SlackThreadDemo

DEMO_DESTINATIONS = (*opt_in_destinations(), SLACK_THREAD)


def secret_name(name: str) -> str:
    return f"regwatch/demo-{name}"


def secret_setting(name: str) -> str:
    """The `regwatch` key enabling the destination: its (first) secret."""
    return destination(name).secrets[0][0]


def demo_context(names: tuple[str, ...]) -> dict[str, Any]:
    """`regwatch` settings enabling each named destination with its demo secret."""
    unknown = [n for n in names if n not in DEMO_DESTINATIONS]
    if unknown:
        raise ValueError(f"--destinations: unknown {unknown}; the demo knows {list(DEMO_DESTINATIONS)}")
    # slack-thread needs no setting: it copies the Slack notifier the demo always deploys.
    return {secret_setting(name): secret_name(name) for name in names if name != SLACK_THREAD}


@dataclass
class DemoSinks:
    by_name: dict[str, LocalSink] = field(default_factory=dict)
    slack_thread: SlackThreadDemo | None = None

    @classmethod
    def start(cls, names: tuple[str, ...]) -> DemoSinks:
        sinks = cls()
        try:
            for name in names:
                if name == SLACK_THREAD:
                    sinks.slack_thread = SlackThreadDemo.start()
                else:
                    sinks.by_name[name] = start_sink(name)
        except BaseException:
            sinks.stop()
            raise
        return sinks

    def secrets(self) -> dict[str, str]:
        return {secret_name(name): sink.secret_value() for name, sink in self.by_name.items()}

    def extend_stack(self, stack: ProvisionedStack, clients: dict[str, Any]) -> None:
        """Local-only functions on the provisioned stack (the thread-mode Slack notifier)."""
        if self.slack_thread is not None:
            self.slack_thread.add_to(stack, clients)

    def function_env(self) -> dict[str, str]:
        """Where the functions reach the sinks (the template holds only secret names)."""
        env: dict[str, str] = {}
        for sink in self.by_name.values():
            env |= sink.function_env()
        return env

    def stop(self) -> None:
        for sink in self.by_name.values():
            sink.stop()
        if self.slack_thread is not None:
            self.slack_thread.stop()

    def write_previews(self, output: Path, severities: Mapping[str, str] | None = None) -> list[Path]:
        """`severities` (eventId -> severity) colours messages, as in slack.html."""
        written = []
        if self.slack_thread is not None:
            written.append(self.slack_thread.write_preview(output, severities))
        written += [sink.write_preview(output, severities) for sink in self.by_name.values()]
        return written

    def summaries(self) -> list[str]:
        return [sink.summary() for sink in self.by_name.values()]
