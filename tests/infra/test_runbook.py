"""docs/runbook.md has one section per alarm of the synthesized stack, and no section without one.

Alarm descriptions end with `Runbook: docs/runbook.md#<section>` (infra/monitoring.py); the
runbook's sections are `## <section>` headings. Synthesized with every notifier enabled so
every kind of alarm exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import synthesize

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
LINK = re.compile(r"Runbook: docs/runbook\.md#([a-z0-9-]+)$")
SECTION = re.compile(r"^## ([a-z0-9-]+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def alarms() -> dict[str, dict[str, Any]]:
    synthesized = synthesize(
        {"slackWebhookSecret": "regwatch/slack", "monitoredRegions": ["us-east-1", "eu-west-1"]}
    )
    return synthesized.resources("AWS::CloudWatch::Alarm")


def _runbook_sections() -> set[str]:
    return set(SECTION.findall(RUNBOOK.read_text(encoding="utf-8")))


def test_every_alarm_links_to_a_runbook_section(alarms: dict[str, dict[str, Any]]) -> None:
    sections = _runbook_sections()
    for logical_id, alarm in alarms.items():
        description = str(alarm["Properties"].get("AlarmDescription", ""))
        link = LINK.search(description)
        assert link, f"{logical_id}: description does not end with a runbook link: {description!r}"
        assert link.group(1) in sections, f"{logical_id} links to #{link.group(1)}: no such runbook section"


def test_every_runbook_section_has_an_alarm(alarms: dict[str, dict[str, Any]]) -> None:
    linked = {
        match.group(1)
        for alarm in alarms.values()
        if (match := LINK.search(str(alarm["Properties"].get("AlarmDescription", ""))))
    }
    orphans = _runbook_sections() - linked
    assert not orphans, f"runbook.md sections without an alarm in the template: {sorted(orphans)}"


def test_the_heartbeat_has_one_alarm_per_monitored_region(alarms: dict[str, dict[str, Any]]) -> None:
    regions = sorted(
        next(d["Value"] for d in alarm["Properties"]["Dimensions"] if d["Name"] == "region")
        for alarm in alarms.values()
        if alarm["Properties"].get("MetricName") == "ScanHeartbeat"
    )
    assert regions == ["eu-west-1", "us-east-1"]
