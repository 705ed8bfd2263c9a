"""Contract 1.2: "RCS Launch Status Change" / "Notify Configuration Status Change" entries.

The producer side of docs/events.md ("Changes in 1.2: RCS launches and Notify
configurations"). Like every regwatch event the detail carries `status`, `previousStatus`
and `severity`, so the destinations' status-based routing applies unchanged: REJECTED and
REQUIRES_VERIFICATION are ACTION_REQUIRED, ACTIVE is GOOD_NEWS, the rest (CREATED, PENDING,
PARTIAL and anything AWS adds) INFO. Event ids are deterministic: the same change of the same
resource, seen by any scan, always has the same id.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from regwatch.events import SCHEMA_VERSION, EventContext, iso_utc
from regwatch.messaging_resources import MessagingKind, MessagingTransition
from regwatch.severity import severity_of

RCS_LAUNCH_DETAIL_TYPE = "RCS Launch Status Change"
NOTIFY_CONFIGURATION_DETAIL_TYPE = "Notify Configuration Status Change"
MESSAGING_DETAIL_TYPES = (RCS_LAUNCH_DETAIL_TYPE, NOTIFY_CONFIGURATION_DETAIL_TYPE)
DETAIL_TYPE_OF_KIND = {
    MessagingKind.RCS_LAUNCH: RCS_LAUNCH_DETAIL_TYPE,
    MessagingKind.NOTIFY_CONFIGURATION: NOTIFY_CONFIGURATION_DETAIL_TYPE,
}
_NAMESPACE = uuid.UUID("3d8f0c5e-7b21-5a9e-b4c6-1e2f3a4b5c6d")


def messaging_event_id(transition: MessagingTransition, account_id: str, region: str) -> str:
    carriers = ",".join(f"{c.carrier_name}={c.status}" for c in transition.carriers)
    reason = transition.configuration.rejection_reason if transition.configuration else None
    parts = [
        "regwatch/messaging/v1",
        account_id,
        region,
        transition.resource_key,
        str(transition.previous_status),
        transition.status,
        carriers,
        reason or "",
    ]
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def _console_url(region: str, kind: MessagingKind) -> str:
    page = "rcs-agents" if kind is MessagingKind.RCS_LAUNCH else "notify-configurations"
    return f"https://{region}.console.aws.amazon.com/sms-voice/home?region={region}#/{page}"


def _resource_detail(transition: MessagingTransition) -> dict[str, Any]:
    if transition.launch is not None:
        launch = transition.launch
        backing = {"registrationId": launch.registration_id} if launch.registration_id else {}
        return {
            **backing,
            "resourceType": "rcs-agent",
            "resourceId": launch.agent_id,
            "resourceArn": launch.agent_arn,
            "resourceName": launch.agent_id,
            "isoCountryCode": launch.iso_country_code,
            "carrierStatuses": [
                {"carrierName": c.carrier_name, "status": c.status, "previousStatus": c.previous_status}
                for c in transition.carriers
            ],
            "changedCarriers": [c.carrier_name for c in transition.carriers if c.changed],
        }
    configuration = transition.configuration
    assert configuration is not None  # noqa: S101 - a transition has a launch or a configuration
    return {
        "resourceType": "notify-configuration",
        "resourceId": configuration.configuration_id,
        "resourceArn": configuration.configuration_arn,
        "resourceName": configuration.display_name,
        "rejectionReason": configuration.rejection_reason,
        "previousRejectionReason": transition.previous_rejection_reason,
        "tier": configuration.tier,
        "tierUpgradeStatus": configuration.tier_upgrade_status,
    }


def build_messaging_detail(transition: MessagingTransition, context: EventContext) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "eventId": messaging_event_id(transition, context.account_id, context.region),
        "scope": transition.kind.value,
        "severity": severity_of(transition.status).value,
        "baseline": transition.baseline,
        "alert": True,
        "accountId": context.account_id,
        "region": context.region,
        "status": transition.status,
        "previousStatus": transition.previous_status,
        "observedAt": iso_utc(transition.observed_at),
        "consoleUrl": _console_url(context.region, transition.kind),
        **_resource_detail(transition),
    }


def build_messaging_entry(transition: MessagingTransition, context: EventContext) -> dict[str, Any]:
    """A PutEvents entry (boto3 request shape). A few carriers and one reason stay far below
    EventBridge's 256 KB, so no trimming is needed (RejectionReason is cut to 2,000 characters)."""
    detail = build_messaging_detail(transition, context)
    if isinstance(detail.get("rejectionReason"), str) and len(detail["rejectionReason"]) > 2000:
        detail["rejectionReason"] = detail["rejectionReason"][:2000] + "… [trimmed by regwatch]"
    return {
        "Source": context.source,
        "DetailType": DETAIL_TYPE_OF_KIND[transition.kind],
        "Detail": json.dumps(detail, ensure_ascii=False, separators=(",", ":")),
        "Time": transition.observed_at,
        "Resources": [detail["resourceArn"]] if detail["resourceArn"] else [],
        "EventBusName": context.event_bus_name,
    }
