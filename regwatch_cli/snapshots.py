"""`status` and `history`: what regwatch stored in its snapshot table (no SMS API calls)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from regwatch.model import status_for_history_key
from regwatch.severity import ACTION_REQUIRED_STATUSES
from regwatch.snapshot import RegistrationSnapshot
from regwatch_alerts.alert_content import AUTHENTICATION_LINK_VALIDITY, AUTHENTICATION_RESEND_WINDOW
from regwatch_aws.snapshot_store import REGISTRATION_PREFIX, registration_from_item
from regwatch_cli.errors import CliError, ExitCode


@dataclass(frozen=True)
class StoredRegistration:
    account_id: str
    region: str
    snapshot: RegistrationSnapshot
    name: str | None

    @property
    def current_status(self) -> str | None:
        version = self.snapshot.versions.get(self.snapshot.current_version_number)
        return version.status if version else None

    @property
    def status_since(self) -> datetime | None:
        version = self.snapshot.versions.get(self.snapshot.current_version_number)
        return version.latest_timestamp() if version else None

    @property
    def needs_action(self) -> bool:
        if self.snapshot.is_tombstone:
            return False
        return bool({self.snapshot.registration_status, self.current_status or ""} & ACTION_REQUIRED_STATUSES)

    def next_deadline(self, now: datetime) -> tuple[datetime, str] | None:
        """The clock a person is racing, if any (estimates from the user guide, as alerts say)."""
        version = self.snapshot.versions.get(self.snapshot.current_version_number)
        if version is None or version.status != "REQUIRES_AUTHENTICATION":
            return None
        started = version.status_history.get("RequiresAuthenticationTimestamp")
        if started is None:
            return None
        link = started + AUTHENTICATION_LINK_VALIDITY
        if link > now:
            return link, "authentication link expires (estimate)"
        submitted = version.status_history.get("SubmittedTimestamp", started)
        resend = submitted + AUTHENTICATION_RESEND_WINDOW
        if resend > link and resend > now:
            return resend, "link expired; resending the email possible until (estimate)"
        return link, "link expired; resend window closed: discard and submit again"

    def row(self, now: datetime) -> dict[str, Any]:
        since = self.status_since
        deadline = self.next_deadline(now)
        return {
            "account": self.account_id,
            "region": self.region,
            "registrationId": self.snapshot.registration_id,
            "name": self.name,
            "type": self.snapshot.registration_type,
            "status": "DELETED" if self.snapshot.is_tombstone else self.snapshot.registration_status,
            "currentVersion": self.snapshot.current_version_number,
            "currentVersionStatus": self.current_status,
            "approvedVersion": self.snapshot.approved_version_number,
            "statusSince": since.isoformat() if since else None,
            "statusAge": _age(now - since) if since else None,
            "nextDeadline": deadline[0].isoformat() if deadline else None,
            "nextDeadlineWhat": deadline[1] if deadline else None,
            "deadline": f"{deadline[0]:%Y-%m-%d %H:%M}Z {deadline[1]}" if deadline else None,
            "needsAction": self.needs_action,
        }


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86_400:
        return f"{seconds // 86_400}d {seconds % 86_400 // 3600}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 60}m"


def _stored(raw: dict[str, Any]) -> StoredRegistration:
    account_id, _, region = str(raw["pk"]["S"]).partition("#")
    snapshot = registration_from_item(raw)
    # The name the owners know it by, as the scanner stored it (field value or Name tag).
    name = snapshot.profile.name if snapshot.profile is not None else None
    return StoredRegistration(account_id, region, snapshot, name)


def read_registrations(
    client: Any, table_name: str, on_page: Callable[[int], None] | None = None
) -> Iterator[StoredRegistration]:
    """Every registration item of the table (one Scan, paginated; META/LISTED items skipped)."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":prefix": {"S": REGISTRATION_PREFIX}},
    }
    while True:
        page = client.scan(**request)
        if on_page is not None:
            on_page(len(page.get("Items", [])))
        for raw in page.get("Items", []):
            yield _stored(raw)
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


def find_registration(client: Any, table_name: str, registration_id: str) -> list[StoredRegistration]:
    """Items for one registration id (one per account-region it was seen in)."""
    found = [
        r for r in read_registrations(client, table_name) if r.snapshot.registration_id == registration_id
    ]
    if not found:
        raise CliError(
            f"registration {registration_id} is not in regwatch's snapshot table {table_name} "
            "(check the id with `regwatch status`; a registration appears after its first scan)",
            ExitCode.NOT_FOUND,
        )
    return found


def history_rows(stored: StoredRegistration) -> list[dict[str, Any]]:
    """Every stored status step of every version, in time order, with the status before it."""
    rows: list[dict[str, Any]] = []
    for number, version in sorted(stored.snapshot.versions.items()):
        previous: str | None = None
        for key, moment in sorted(version.status_history.items(), key=lambda item: item[1]):
            status = status_for_history_key(key)
            rows.append(
                {
                    "time": moment.isoformat(),
                    "account": stored.account_id,
                    "region": stored.region,
                    "registrationId": stored.snapshot.registration_id,
                    "version": number,
                    "previousStatus": previous,
                    "status": status,
                }
            )
            previous = status
    if stored.snapshot.deleted_at is not None:
        rows.append(
            {
                "time": stored.snapshot.deleted_at.isoformat(),
                "account": stored.account_id,
                "region": stored.region,
                "registrationId": stored.snapshot.registration_id,
                "version": None,
                "previousStatus": stored.snapshot.registration_status,
                "status": "DELETED",
            }
        )
    rows.sort(key=lambda row: (row["time"], row["version"] or 0))
    return rows
