"""RCS launches and Notify configurations in the snapshot table: one item per account-region.

pk = "<account>#<region>" (the region's partition), sk = "MSG#RESOURCES". The registration
snapshot store reads `REG#` and `META#SCAN` items only and the evaluator scans for those
two as well, so this item is invisible to them. A target has few of these resources (one
item stays far below DynamoDB's 400 KB for hundreds of launches). Writes are conditional on
`revision`, like every other item of the table.
"""

from __future__ import annotations

import json
from typing import Any

from regwatch.messaging_resources import MessagingSnapshot, NotifyConfiguration, RcsCountryLaunch
from regwatch.snapshot import RegionKey
from regwatch_aws.table_calls import call_table, revision_condition

MESSAGING_SORT_KEY = "MSG#RESOURCES"


def _launch_to_json(launch: RcsCountryLaunch) -> dict[str, Any]:
    return {
        "agentId": launch.agent_id,
        "agentArn": launch.agent_arn,
        "country": launch.iso_country_code,
        "status": launch.status,
        "registrationId": launch.registration_id,
        "carriers": dict(launch.carriers),
    }


def _configuration_to_json(configuration: NotifyConfiguration) -> dict[str, Any]:
    return {
        "id": configuration.configuration_id,
        "arn": configuration.configuration_arn,
        "displayName": configuration.display_name,
        "status": configuration.status,
        "rejectionReason": configuration.rejection_reason,
        "tier": configuration.tier,
        "tierUpgradeStatus": configuration.tier_upgrade_status,
    }


def snapshot_to_json(snapshot: MessagingSnapshot) -> str:
    return json.dumps(
        {
            "launches": [_launch_to_json(item) for _, item in sorted(snapshot.launches.items())],
            "configurations": [
                _configuration_to_json(item) for _, item in sorted(snapshot.configurations.items())
            ],
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def snapshot_from_json(text: str, revision: int | None) -> MessagingSnapshot:
    data = json.loads(text)
    launches = [
        RcsCountryLaunch(
            agent_id=item["agentId"],
            agent_arn=item.get("agentArn") or "",
            iso_country_code=item["country"],
            status=item["status"],
            registration_id=item.get("registrationId"),
            carriers=dict(item.get("carriers") or {}),
        )
        for item in data.get("launches", [])
    ]
    configurations = [
        NotifyConfiguration(
            configuration_id=item["id"],
            configuration_arn=item.get("arn") or "",
            display_name=item.get("displayName") or item["id"],
            status=item["status"],
            rejection_reason=item.get("rejectionReason"),
            tier=item.get("tier"),
            tier_upgrade_status=item.get("tierUpgradeStatus"),
        )
        for item in data.get("configurations", [])
    ]
    return MessagingSnapshot(
        launches={item.key: item for item in launches},
        configurations={item.key: item for item in configurations},
        revision=revision,
    )


class DynamoMessagingStore:
    """MessagingStore port (regwatch.messaging_scan) on the snapshot table."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, key: RegionKey) -> dict[str, Any]:
        return {"pk": {"S": key.partition}, "sk": {"S": MESSAGING_SORT_KEY}}

    def _call(self, operation: str, **request: Any) -> Any:
        conflict = "RCS/Notify snapshot changed meanwhile"
        return call_table(self._client, self._table, operation, conflict, **request)

    def load(self, key: RegionKey) -> MessagingSnapshot:
        item = self._call("get_item", Key=self._key(key), ConsistentRead=True).get("Item")
        if not item:
            return MessagingSnapshot()
        return snapshot_from_json(item["resources"]["S"], int(item["revision"]["N"]))

    def save(self, key: RegionKey, snapshot: MessagingSnapshot) -> None:
        expected = snapshot.revision
        condition = revision_condition(expected)
        item = {
            **self._key(key),
            "resources": {"S": snapshot_to_json(snapshot)},
            "revision": {"N": str((expected or 0) + 1)},
        }
        self._call("put_item", Item=item, **condition)
