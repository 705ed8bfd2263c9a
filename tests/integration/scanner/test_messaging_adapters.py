"""The RCS/Notify adapters on their own: every page read (emulator), the snapshot item's
round trip and revision condition (moto DynamoDB), and exact fault shapes (Stubber)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from regwatch.errors import RegistryRejected, RegistryThrottled, SnapshotConflict
from regwatch.messaging_resources import MessagingSnapshot, NotifyConfiguration, RcsCountryLaunch
from regwatch.snapshot import RegionKey
from regwatch_aws.messaging_api import SmsMessagingResources
from regwatch_aws.messaging_store import DynamoMessagingStore
from tests.integration.scanner.conftest import REGION, TABLE, ScannerWorld

KEY = RegionKey("123456789012", REGION)


def test_every_page_of_agents_countries_and_configurations_is_read(world: ScannerWorld) -> None:
    world.control.seed(
        {
            "rcs_agents": [
                {"id": f"rcs-agent-{n}", "status": "PARTIAL", "countries": {
                    iso: {"status": "PENDING", "registration_id": f"registration-{n}{iso}",
                          "carriers": {"Carrier A": "PENDING", "Carrier B": "ACTIVE"}}
                    for iso in ("CA", "GB", "US")
                }}
                for n in range(3)
            ],
            "notify_configurations": [
                {"id": f"notify-{n}", "display_name": f"OTP {n}", "status": "ACTIVE"} for n in range(3)
            ],
        }
    )  # fmt: skip
    world.control.reset_counters()
    source = SmsMessagingResources(world.sms, page_size=2)
    launches = source.rcs_country_launches()
    configurations = source.notify_configurations()
    assert len(launches) == 9 and len(configurations) == 3
    assert {(item.agent_id, item.iso_country_code) for item in launches} == {
        (f"rcs-agent-{n}", iso) for n in range(3) for iso in ("CA", "GB", "US")
    }
    assert all(item.carriers == {"Carrier A": "PENDING", "Carrier B": "ACTIVE"} for item in launches)
    assert launches[0].agent_arn.endswith(":rcs-agent/rcs-agent-0")
    counters = world.control.counters()
    # 3 agents in pages of 2; 3 countries per agent in pages of 2; 3 configurations in pages of 2.
    assert counters["DescribeRcsAgents"] == 2
    assert counters["DescribeRcsAgentCountryLaunchStatus"] == 3 * 2
    assert counters["DescribeNotifyConfigurations"] == 2


def test_the_snapshot_round_trips_and_writes_are_conditional_on_its_revision(world: ScannerWorld) -> None:
    store = DynamoMessagingStore(world.dynamodb, TABLE)
    assert store.load(KEY) == MessagingSnapshot()
    launch = RcsCountryLaunch("rcs-a", "arn:a", "US", "PARTIAL", None, {"AT&T": "ACTIVE"})
    configuration = NotifyConfiguration(
        "notify-1", "arn:n", "OTP", "REJECTED", "Website unclear", "BASIC", None
    )
    snapshot = MessagingSnapshot({launch.key: launch}, {configuration.key: configuration})
    store.save(KEY, snapshot)
    loaded = store.load(KEY)
    assert (loaded.launches, loaded.configurations, loaded.revision) == (
        snapshot.launches, snapshot.configurations, 1,
    )  # fmt: skip
    with pytest.raises(SnapshotConflict):
        store.save(KEY, snapshot)  # written meanwhile: revision None no longer holds
    store.save(KEY, loaded)
    with pytest.raises(SnapshotConflict):
        store.save(KEY, loaded)  # revision 1 was replaced by 2
    [item] = [i for i in world.snapshot_items() if i["sk"]["S"] == "MSG#RESOURCES"]
    assert item["pk"]["S"] == "123456789012#us-east-1" and item["revision"]["N"] == "2"


def _stubbed() -> tuple[SmsMessagingResources, Stubber]:
    client = boto3.client(
        "pinpoint-sms-voice-v2",
        region_name=REGION,
        endpoint_url="https://sms-voice.invalid",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    return SmsMessagingResources(client), Stubber(client)


def test_an_agent_deleted_between_listing_and_reading_is_skipped() -> None:
    source, stub = _stubbed()
    stub.add_response(
        "describe_rcs_agents",
        {"RcsAgents": [_agent("rcs-gone"), _agent("rcs-here")]},
    )
    stub.add_client_error(
        "describe_rcs_agent_country_launch_status", "ResourceNotFoundException", "gone", 404
    )
    stub.add_response(
        "describe_rcs_agent_country_launch_status",
        {"RcsAgentId": "rcs-here", "RcsAgentArn": "arn:here", "CountryLaunchStatus": [
            {"IsoCountryCode": "US", "Status": "NEW_STATUS", "RegistrationId": "registration-1",
             "CarrierStatus": [{"CarrierName": "AT&T", "Status": "ACTIVE"}]},
        ]},
    )  # fmt: skip
    with stub:
        [launch] = source.rcs_country_launches()
    assert (launch.agent_id, launch.status, dict(launch.carriers)) == (
        "rcs-here",
        "NEW_STATUS",
        {"AT&T": "ACTIVE"},
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ThrottlingException", RegistryThrottled), ("AccessDeniedException", RegistryRejected)],
)
def test_client_errors_become_domain_errors(code: str, expected: type[Exception]) -> None:
    source, stub = _stubbed()
    stub.add_client_error("describe_notify_configurations", code, "no", 400)
    with stub, pytest.raises(expected):
        source.notify_configurations()


def _agent(agent_id: str) -> dict[str, Any]:
    return {
        "RcsAgentArn": f"arn:aws:sms-voice:{REGION}:123456789012:rcs-agent/{agent_id}",
        "RcsAgentId": agent_id,
        "Status": "PARTIAL",
        "CreatedTimestamp": 1_700_000_000,
        "DeletionProtectionEnabled": False,
        "SelfManagedOptOutsEnabled": False,
        "TwoWayEnabled": False,
    }
