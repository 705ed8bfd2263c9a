"""What operators rely on in the synthesized template: runbook pairing, outputs, settings.

- docs/runbook.md has one section per alarm, and no section without one: alarm descriptions
  end with `Runbook: docs/runbook.md#<section>` (infra/monitoring.py); the runbook's sections
  are `## <section>` headings.
- The stack outputs carry every key the `regwatch` command resolves (regwatch_cli/resources.py).
- `removalPolicy` reaches the template; the scanner reserves no concurrency.
One synthesis with every notifier enabled (so every kind of alarm exists), one with the
non-default settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from regwatch_cli import resources
from tests.infra.conftest import Synthesized, synthesize

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
LINK = re.compile(r"Runbook: docs/runbook\.md#([a-z0-9-]+)$")
SECTION = re.compile(r"^## ([a-z0-9-]+)$", re.MULTILINE)
STATEFUL = ("AWS::DynamoDB::Table", "AWS::KMS::Key")


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synthesize(
        {"slackWebhookSecret": "regwatch/slack", "monitoredRegions": ["us-east-1", "eu-west-1"]}
    )


@pytest.fixture(scope="module")
def alarms(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
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


def test_outputs_carry_what_the_regwatch_command_resolves(synthesized: Synthesized) -> None:
    outputs = synthesized.json["Outputs"]
    for key in (
        resources.SNAPSHOT_TABLE,
        resources.IDEMPOTENCY_TABLE,
        resources.EVENT_BUS_NAME,
        resources.EVENT_BUS_ARN,
        resources.EVENT_SOURCE,
        resources.ARCHIVE_ARN,
        resources.MONITORED_REGIONS,
        resources.SCANNER_FUNCTION,
        resources.SCANNER_DLQ,
    ):
        assert key in outputs, key
    assert outputs[resources.MONITORED_REGIONS]["Value"] == "us-east-1,eu-west-1"
    found = resources.destinations_from({key: "x" for key in outputs})
    assert sorted(found) == ["slack", "sns"]
    for destination in found.values():
        assert destination.dlq_url and destination.rule_arn
    archive = next(iter(synthesized.resources("AWS::Events::Archive")))
    assert outputs[resources.ARCHIVE_ARN]["Value"] == {"Fn::GetAtt": [archive, "Arn"]}


def test_stateful_resources_are_retained_by_default(synthesized: Synthesized) -> None:
    for kind in STATEFUL:
        for resource in synthesized.resources(kind).values():
            assert resource["DeletionPolicy"] == "Retain", kind
    scanner = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.scanner.function)]
    # No reservation: deploys on accounts whose concurrency limit is 10 (docs/deployment.md).
    assert "ReservedConcurrentExecutions" not in scanner["Properties"]


def test_removal_policy_destroy() -> None:
    variant = synthesize({"removalPolicy": "destroy"})
    for kind in STATEFUL:
        found = variant.resources(kind).values()
        assert found and all(resource["DeletionPolicy"] == "Delete" for resource in found), kind
