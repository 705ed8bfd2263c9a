"""Microsoft Teams' stand-in: local/teams_workflow.py (a Workflows trigger), counted by cards.

Every card carries "regwatch event <id>", like Slack; a timeout retry can post twice
(Workflows has no idempotency key), which the fault rows measure.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from local.sinks import LocalSink
from local.teams_preview import write_teams_html
from local.teams_workflow import TeamsWorkflowServer

EVENT_ID = re.compile(r"regwatch event ([0-9a-f-]{36})")


class TeamsSink(LocalSink):
    name = "teams"
    server: TeamsWorkflowServer

    def secret_value(self) -> str:
        return self.server.webhook_url

    def fast_env(self) -> dict[str, str]:
        return {"TEAMS_TIMEOUT_SECONDS": "1"}

    def delivered(self) -> Counter[str]:
        return Counter(i for card in self.server.cards for i in EVENT_ID.findall(json.dumps(card)))

    def write_preview(self, output: Path, severities: Mapping[str, str] | None = None) -> Path:
        return write_teams_html(self.server.cards, output / "teams.html")

    def summary(self) -> str:
        return f"Microsoft Teams: {len(self.server.cards)} cards ({len(self.server.rejections)} refused)"


def start() -> TeamsSink:
    return TeamsSink(TeamsWorkflowServer.start(port=0))
