"""Existing single-account deployments keep their eventIds and table items after the fan-out.

The eventIds below were recorded from main before multi-account support (commit cbe658a,
`build_entry` on this exact registration). The deploying account's target now runs
through TargetScanner with the function's own role; it must produce the same ids and write
under the same partition key, or every consumer would see each transition twice.
"""

from __future__ import annotations

import json
from datetime import timedelta

from regwatch.budget import TimeBudget
from regwatch.diff import BaselineAlerts
from regwatch.model import RegistrationSummary, RegistrationVersion, history_key_for_status
from regwatch.scan import ScanOptions
from regwatch.target_scan import TargetScanner
from regwatch.targets import TargetPlan
from tests.unit.test_scan import ACCOUNT, REGION, T0, FakeRegistry, MemoryStore, RecordingPublisher
from tests.unit.test_targets_and_health import MemoryHealth

REGISTRATION_ID = "registration-0123456789abcdef0123456789abcdef"
RECORDED_ON_MAIN = [
    ("Registration Discovered", "0c019ed1-cf82-5cfd-9730-f258ae34ce95"),
    ("Registration Version Submitted", "c8b0c09b-fde0-5f74-906f-d9c94f6f66a0"),
    ("Registration Version Reviewing", "a16ff03e-c419-5eae-b28d-0a90c24ef0e1"),
    ("Registration Version Denied", "2572ddcd-b170-566a-97a8-7cd6d4b574a4"),
]


def test_the_deploying_accounts_event_ids_and_table_partition_are_unchanged() -> None:
    registry = FakeRegistry()
    registry.registrations[REGISTRATION_ID] = RegistrationSummary(
        registration_id=REGISTRATION_ID,
        registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:registration/{REGISTRATION_ID}",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status="REQUIRES_UPDATES",
        current_version_number=1,
    )
    registry.versions[REGISTRATION_ID] = [
        RegistrationVersion(
            1,
            "DENIED",
            {
                history_key_for_status("SUBMITTED"): T0,
                history_key_for_status("REVIEWING"): T0 + timedelta(minutes=5),
                history_key_for_status("DENIED"): T0 + timedelta(hours=2),
            },
        )
    ]
    store, publisher = MemoryStore(), RecordingPublisher()
    plan = TargetPlan(own_account_id=ACCOUNT, default_regions=(REGION,))
    [target] = plan.targets()
    assert target.role_arn is None  # the function's own role, no AssumeRole
    scanner = TargetScanner(
        registry_for=lambda _target: registry,
        store=store,
        health=MemoryHealth(),
        publisher=publisher,
        clock=lambda: T0 + timedelta(days=1),
        options=ScanOptions(
            account_id=ACCOUNT,
            event_source="regwatch",
            event_bus_name="regwatch",
            baseline_alerts=BaselineAlerts.ALL,
        ),
    )
    report = scanner.scan(target, TimeBudget.unlimited(), "scan-1")
    assert report.region_report.complete
    produced = [(e["DetailType"], json.loads(str(e["Detail"]))["eventId"]) for e in publisher.entries]
    assert produced == RECORDED_ON_MAIN
    assert {partition for partition, _ in store.items} == {f"{ACCOUNT}#{REGION}"}
    assert set(store.states) == {f"{ACCOUNT}#{REGION}"}
