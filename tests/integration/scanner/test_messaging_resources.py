"""RCS launches and Notify configurations watched by the real scanner handler (issue 22 item 4).

The emulator serves DescribeRcsAgents / DescribeRcsAgentCountryLaunchStatus /
DescribeNotifyConfigurations; moto holds the snapshot table and the bus (-> SQS). Contract 1.2
events are read back from the queue and parsed with the consumer model.
"""

from __future__ import annotations

from typing import Any

from regwatch.event_models import parse_regwatch_event
from regwatch_aws.messaging_store import MESSAGING_SORT_KEY
from tests.integration.scanner.conftest import ACCOUNT_ID, ScannerWorld

SCENARIO = {
    "rcs_agents": [
        {"id": "rcs-agent-acme", "status": "PARTIAL", "countries": {
            "US": {"status": "PARTIAL", "registration_id": "registration-rcsus",
                   "carriers": {"T-Mobile": "ACTIVE", "AT&T": "PENDING", "Verizon": "PENDING"}},
            "CA": {"status": "PENDING", "registration_id": "registration-rcsca",
                   "carriers": {"Rogers": "PENDING"}},
        }},
    ],
    "notify_configurations": [
        {"id": "notify-otp", "display_name": "Acme OTP", "status": "PENDING"},
        {"id": "notify-login", "display_name": "Acme login", "status": "REQUIRES_VERIFICATION"},
    ],
}  # fmt: skip


def _messaging_events(world: ScannerWorld) -> list[dict[str, Any]]:
    events = [
        e
        for e in world.drain()
        if e["detail-type"] in ("RCS Launch Status Change", "Notify Configuration Status Change")
    ]
    for event in events:
        # The consumer model accepts every one (moto's envelope has no `account`; EventBridge's has).
        parse_regwatch_event({"account": ACCOUNT_ID, **event}, "regwatch")
    return events


def test_baseline_reports_only_what_needs_a_human_then_changes_per_country_and_carrier(
    world: ScannerWorld,
) -> None:
    world.control.seed(SCENARIO)
    summary = world.invoke()
    assert summary["apiCalls"]["DescribeRcsAgents"] == 1
    assert summary["apiCalls"]["DescribeRcsAgentCountryLaunchStatus"] == 1
    assert summary["apiCalls"]["DescribeNotifyConfigurations"] == 1
    first = _messaging_events(world)
    # Baseline (BASELINE_ALERTS=actionable): only the configuration waiting on a human.
    assert [(e["detail"]["resourceId"], e["detail"]["status"], e["detail"]["baseline"]) for e in first] == [
        ("notify-login", "REQUIRES_VERIFICATION", True)
    ]
    assert [i for i in world.snapshot_items() if i["sk"]["S"] == MESSAGING_SORT_KEY]

    world.invoke()
    assert _messaging_events(world) == [], "nothing changed: no event"

    world.control.call(
        "set_rcs_agent", id="rcs-agent-acme", countries={"US": {"carriers": {"AT&T": "ACTIVE"}}}
    )
    world.control.call(
        "set_notify_configuration", id="notify-otp", status="REJECTED",
        rejection_reason="The website does not describe the verification use case.",
    )  # fmt: skip
    world.invoke()
    changed = _messaging_events(world)
    by_type = {e["detail-type"]: e["detail"] for e in changed}
    assert len(changed) == 2
    carrier = by_type["RCS Launch Status Change"]
    assert (carrier["previousStatus"], carrier["status"]) == ("PARTIAL", "PARTIAL")
    assert carrier["severity"] == "INFO"
    assert carrier["changedCarriers"] == ["AT&T"]
    assert {c["carrierName"]: (c["previousStatus"], c["status"]) for c in carrier["carrierStatuses"]} == {
        "AT&T": ("PENDING", "ACTIVE"),
        "T-Mobile": ("ACTIVE", "ACTIVE"),
        "Verizon": ("PENDING", "PENDING"),
    }
    assert carrier["isoCountryCode"] == "US"
    assert carrier["registrationId"] == "registration-rcsus"
    rejected = by_type["Notify Configuration Status Change"]
    assert (rejected["status"], rejected["previousStatus"], rejected["severity"]) == (
        "REJECTED", "PENDING", "ACTION_REQUIRED",
    )  # fmt: skip
    assert rejected["rejectionReason"] == "The website does not describe the verification use case."
    assert rejected["resourceName"] == "Acme OTP"

    world.control.call(
        "set_rcs_agent", id="rcs-agent-acme", status="ACTIVE",
        countries={"US": {"status": "ACTIVE", "carriers": {"Verizon": "ACTIVE"}}},
    )  # fmt: skip
    world.invoke()
    [active] = _messaging_events(world)
    assert (active["detail"]["previousStatus"], active["detail"]["status"]) == ("PARTIAL", "ACTIVE")
    assert active["detail"]["severity"] == "GOOD_NEWS"
    assert active["detail"]["changedCarriers"] == ["Verizon"]


def test_an_unknown_status_flows_through_as_info(world: ScannerWorld) -> None:
    world.control.seed(SCENARIO)
    world.invoke()
    world.drain()
    world.control.call("set_notify_configuration", id="notify-otp", status="SUSPENDED_BY_CARRIER")
    world.invoke()
    [event] = _messaging_events(world)
    assert (event["detail"]["status"], event["detail"]["severity"]) == ("SUSPENDED_BY_CARRIER", "INFO")


def test_a_denied_read_is_reported_and_leaves_registrations_and_snapshot_alone(world: ScannerWorld) -> None:
    world.control.seed(SCENARIO)
    world.control.set_faults("DescribeNotifyConfigurations", error_script=["AccessDeniedException"] * 3)
    summary = world.invoke()
    report = summary["regions"]["us-east-1"]
    assert report["complete"] is True
    assert any("Notify configurations not watched" in e for e in report["errors"])
    assert not [i for i in world.snapshot_items() if i["sk"]["S"] == MESSAGING_SORT_KEY]
    world.control.clear_faults()
    world.invoke()
    assert [e["detail"]["resourceId"] for e in _messaging_events(world)] == ["notify-login"]
