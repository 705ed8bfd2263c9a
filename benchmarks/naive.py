"""The naive reference scanner: what a simple poller does, kept as the benchmark's baseline.

Every scan lists every registration, reads every registration's versions, and does
one GetItem and one PutItem per registration. It has no budget, no reconciliation
spreading and no summary shortcut, so it sees every change in the next scan — at a
price that grows with the fleet, not with the change rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from benchmarks.transitions import VersionState, VersionTransition, diff_version, version_state

PAGE_SIZE = 100  # the API's maximum


@dataclass
class NaiveScanResult:
    transitions: list[VersionTransition] = field(default_factory=list)
    registrations: int = 0
    baseline_registrations: int = 0


def _encode(versions: dict[int, VersionState]) -> str:
    return json.dumps({str(n): [status, dict(history)] for n, (status, history) in versions.items()})


def _decode(text: str) -> dict[int, VersionState]:
    return {int(n): (status, history) for n, (status, history) in json.loads(text).items()}


class NaiveScanner:
    """Lists, reads and rewrites everything, one registration at a time."""

    def __init__(self, sms_client: Any, dynamodb_client: Any, table_name: str) -> None:
        self._sms = sms_client
        self._dynamodb = dynamodb_client
        self._table_name = table_name

    def _registrations(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        while True:
            page = self._sms.describe_registrations(**request)
            found.extend(page.get("Registrations", []))
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    def _versions(self, registration_id: str) -> dict[int, VersionState]:
        versions: dict[int, VersionState] = {}
        request: dict[str, Any] = {"RegistrationId": registration_id, "MaxResults": PAGE_SIZE}
        while True:
            page = self._sms.describe_registration_versions(**request)
            for version in page.get("RegistrationVersions", []):
                versions[int(version["VersionNumber"])] = version_state(version)
            if not page.get("NextToken"):
                return versions
            request["NextToken"] = page["NextToken"]

    def scan(self) -> NaiveScanResult:
        result = NaiveScanResult()
        for registration in self._registrations():
            registration_id = str(registration["RegistrationId"])
            result.registrations += 1
            current = self._versions(registration_id)
            stored = self._dynamodb.get_item(TableName=self._table_name, Key={"pk": {"S": registration_id}})
            if "Item" not in stored:
                # First sighting: remember it, alert on nothing (a baseline, like regwatch's).
                result.baseline_registrations += 1
            else:
                previous = _decode(stored["Item"]["versions"]["S"])
                for number, state in current.items():
                    result.transitions.extend(
                        diff_version(registration_id, number, previous.get(number), state)
                    )
            self._dynamodb.put_item(
                TableName=self._table_name,
                Item={"pk": {"S": registration_id}, "versions": {"S": _encode(current)}},
            )
        return result
