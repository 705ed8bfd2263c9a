"""The scanner's RCS launch / Notify configuration watch (regwatch.messaging_scan), wired to
the same per-target SMS API client (rate limiter and counters included) and snapshot table."""

from __future__ import annotations

from datetime import UTC, datetime

from regwatch.messaging_scan import MessagingWatch
from regwatch.targets import ScanTarget
from regwatch_aws.messaging_api import SmsMessagingResources
from regwatch_aws.messaging_store import DynamoMessagingStore
from scanner.dependencies import Dependencies


def messaging_watch(deps: Dependencies) -> MessagingWatch:
    settings = deps.settings

    def source_for(target: ScanTarget) -> SmsMessagingResources:
        return SmsMessagingResources(deps.registry_for_target(target).client)

    return MessagingWatch(
        source_for=source_for,
        store=DynamoMessagingStore(deps.store.client, settings.snapshot_table_name),
        publisher=deps.publisher,
        clock=lambda: datetime.now(UTC),
        event_source=settings.event_source,
        event_bus_name=settings.event_bus_name,
        baseline_alerts=settings.baseline_alerts,
    )
