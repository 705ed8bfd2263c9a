"""RCS agents' country launches and Notify configurations on the emulator, in the model's shapes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.emulator.messaging_resources import HANDLERS
from tests.emulator.shapes import error_problems, output_problems

SCENARIO = {
    "rcs_agents": [
        {
            "id": "rcs-agent-acme",
            "status": "PARTIAL",
            "countries": {
                "US": {"status": "PARTIAL", "registration_id": "registration-rcsus",
                       "carriers": {"T-Mobile": "ACTIVE", "AT&T": "PENDING", "Verizon": "PENDING"}},
                "CA": {"status": "REJECTED", "registration_id": "registration-rcsca",
                       "carriers": {"Rogers": "REJECTED"}},
                "GB": {"status": "ACTIVE", "registration_id": "registration-rcsgb",
                       "carriers": {"EE": "ACTIVE"}},
            },
        },
        {"id": "rcs-agent-test", "status": "CREATED"},
    ],
    "notify_configurations": [
        {"id": "notify-otp", "display_name": "Acme OTP", "status": "REJECTED",
         "rejection_reason": "The website does not describe the verification use case."},
        {"id": "notify-login", "display_name": "Acme login", "status": "ACTIVE",
         "tier_upgrade_status": "PENDING_UPGRADE"},
    ],
}  # fmt: skip


def checked(operation: str, response: dict[str, Any]) -> dict[str, Any]:
    assert output_problems(operation, response) == []
    return response


@pytest.fixture
def seeded(sms: Any, emulator_control: Any) -> Any:
    emulator_control.seed(SCENARIO)
    return sms


def test_rcs_agents_and_their_launch_per_country_and_carrier(seeded: Any, emulator_control: Any) -> None:
    agents = checked("DescribeRcsAgents", seeded.describe_rcs_agents())["RcsAgents"]
    assert [(a["RcsAgentId"], a["Status"]) for a in agents] == [
        ("rcs-agent-acme", "PARTIAL"),
        ("rcs-agent-test", "CREATED"),
    ]
    partial = checked(
        "DescribeRcsAgents", seeded.describe_rcs_agents(Filters=[{"Name": "status", "Values": ["PARTIAL"]}])
    )
    assert [a["RcsAgentId"] for a in partial["RcsAgents"]] == ["rcs-agent-acme"]
    launch = checked(
        "DescribeRcsAgentCountryLaunchStatus",
        seeded.describe_rcs_agent_country_launch_status(RcsAgentId=agents[0]["RcsAgentArn"]),
    )
    us = next(c for c in launch["CountryLaunchStatus"] if c["IsoCountryCode"] == "US")
    assert us["RegistrationId"] == "registration-rcsus"
    assert {c["CarrierName"]: c["Status"] for c in us["CarrierStatus"]} == {
        "AT&T": "PENDING", "T-Mobile": "ACTIVE", "Verizon": "PENDING",
    }  # fmt: skip
    # The launch moves on, carrier by carrier: PARTIAL -> ACTIVE.
    emulator_control.call(
        "set_rcs_agent", id="rcs-agent-acme", status="ACTIVE",
        countries={"US": {"status": "ACTIVE", "carriers": {"AT&T": "ACTIVE", "Verizon": "ACTIVE"}}},
    )  # fmt: skip
    page = seeded.describe_rcs_agent_country_launch_status(
        RcsAgentId="rcs-agent-acme", IsoCountryCodes=["US"], MaxResults=1
    )
    assert {c["Status"] for c in page["CountryLaunchStatus"][0]["CarrierStatus"]} == {"ACTIVE"}
    first = seeded.describe_rcs_agent_country_launch_status(RcsAgentId="rcs-agent-acme", MaxResults=2)
    rest = seeded.describe_rcs_agent_country_launch_status(
        RcsAgentId="rcs-agent-acme", NextToken=first["NextToken"]
    )
    assert [c["IsoCountryCode"] for c in first["CountryLaunchStatus"] + rest["CountryLaunchStatus"]] == [
        "CA",
        "GB",
        "US",
    ]


def test_notify_configurations_with_status_reason_and_tier(seeded: Any) -> None:
    found = checked("DescribeNotifyConfigurations", seeded.describe_notify_configurations())
    rejected = next(c for c in found["NotifyConfigurations"] if c["NotifyConfigurationId"] == "notify-otp")
    assert (rejected["Status"], rejected["RejectionReason"]) == (
        "REJECTED", "The website does not describe the verification use case.",
    )  # fmt: skip
    upgrading = seeded.describe_notify_configurations(
        Filters=[{"Name": "tier-upgrade-status", "Values": ["PENDING_UPGRADE"]}]
    )["NotifyConfigurations"]
    assert [c["NotifyConfigurationId"] for c in upgrading] == ["notify-login"]


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("DescribeRcsAgents", lambda c: c.describe_rcs_agents(RcsAgentIds=["rcs-agent-nope"])),
        (
            "DescribeRcsAgentCountryLaunchStatus",
            lambda c: c.describe_rcs_agent_country_launch_status(RcsAgentId="x"),
        ),
        (
            "DescribeNotifyConfigurations",
            lambda c: c.describe_notify_configurations(NotifyConfigurationIds=["x"]),
        ),
    ],
)
def test_unknown_ids_answer_the_modeled_not_found(seeded: Any, operation: str, call: Any) -> None:
    assert operation in HANDLERS
    with pytest.raises(ClientError) as caught:
        call(seeded)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error_problems(operation, caught.value.response) == []
