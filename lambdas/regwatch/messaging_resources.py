"""RCS agent launches and Notify configurations: what regwatch keeps of them and how they change.

Two newer resources of the SMS API are backed by registrations and reviewed like them:
- an RCS agent launches per country (`DescribeRcsAgentCountryLaunchStatus`): one status per
  country (CREATED / PENDING / PARTIAL / ACTIVE / REJECTED) and one per carrier (PENDING /
  ACTIVE / REJECTED); a carrier can change while the country stays PARTIAL;
- a Notify configuration (`DescribeNotifyConfigurations`) has a status (PENDING / ACTIVE /
  REJECTED / REQUIRES_VERIFICATION) and, when rejected, AWS's `RejectionReason`.

Statuses are plain strings: values AWS adds later flow through (as INFO, regwatch.severity).
`diff_messaging` compares what the API says now with the stored snapshot and returns one
transition per country launch or configuration whose status (or a carrier's) changed. A
resource seen for the first time is a baseline transition (no previous status); one that
disappeared is dropped from the snapshot without an event (AWS deletes them on request only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MessagingKind(StrEnum):
    """Which resource a transition is about; also the event's `scope` (contract 1.2)."""

    RCS_LAUNCH = "RCS_LAUNCH"
    NOTIFY_CONFIGURATION = "NOTIFY_CONFIGURATION"


@dataclass(frozen=True, slots=True)
class RcsCountryLaunch:
    """One country of one RCS agent, with its carriers' statuses (name -> status)."""

    agent_id: str
    agent_arn: str
    iso_country_code: str
    status: str
    registration_id: str | None = None
    carriers: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"RCS#{self.agent_id}#{self.iso_country_code}"


@dataclass(frozen=True, slots=True)
class NotifyConfiguration:
    configuration_id: str
    configuration_arn: str
    display_name: str
    status: str
    rejection_reason: str | None = None
    tier: str | None = None
    tier_upgrade_status: str | None = None

    @property
    def key(self) -> str:
        return f"NOTIFY#{self.configuration_id}"


@dataclass(frozen=True, slots=True)
class MessagingSnapshot:
    """What the last scan saw, by key (`RCS#<agent>#<country>`, `NOTIFY#<id>`).

    `revision` is None for a target never stored; writes are conditional on it.
    """

    launches: Mapping[str, RcsCountryLaunch] = field(default_factory=dict)
    configurations: Mapping[str, NotifyConfiguration] = field(default_factory=dict)
    revision: int | None = None


@dataclass(frozen=True, slots=True)
class CarrierChange:
    carrier_name: str
    status: str
    previous_status: str | None

    @property
    def changed(self) -> bool:
        return self.status != self.previous_status


@dataclass(frozen=True, slots=True)
class MessagingTransition:
    """One change of a country launch or a Notify configuration, as the event reports it."""

    kind: MessagingKind
    status: str
    previous_status: str | None
    observed_at: datetime
    baseline: bool
    launch: RcsCountryLaunch | None = None
    configuration: NotifyConfiguration | None = None
    # Every carrier of the launch (sorted by name), with its previous status.
    carriers: tuple[CarrierChange, ...] = ()
    previous_rejection_reason: str | None = None

    @property
    def resource_key(self) -> str:
        resource = self.launch or self.configuration
        assert resource is not None  # noqa: S101 - built by diff_messaging with one of them
        return resource.key


def _launch_transition(
    now: RcsCountryLaunch, before: RcsCountryLaunch | None, observed_at: datetime
) -> MessagingTransition | None:
    previous_carriers = before.carriers if before else {}
    carriers = tuple(
        CarrierChange(name, status, previous_carriers.get(name))
        for name, status in sorted(now.carriers.items())
    )
    if before is not None and before.status == now.status and dict(before.carriers) == dict(now.carriers):
        return None
    return MessagingTransition(
        kind=MessagingKind.RCS_LAUNCH,
        status=now.status,
        previous_status=before.status if before else None,
        observed_at=observed_at,
        baseline=before is None,
        launch=now,
        carriers=carriers,
    )


def _configuration_transition(
    now: NotifyConfiguration, before: NotifyConfiguration | None, observed_at: datetime
) -> MessagingTransition | None:
    if before is not None and (before.status, before.rejection_reason) == (now.status, now.rejection_reason):
        return None
    return MessagingTransition(
        kind=MessagingKind.NOTIFY_CONFIGURATION,
        status=now.status,
        previous_status=before.status if before else None,
        observed_at=observed_at,
        baseline=before is None,
        configuration=now,
        previous_rejection_reason=before.rejection_reason if before else None,
    )


def diff_messaging(
    launches: list[RcsCountryLaunch],
    configurations: list[NotifyConfiguration],
    snapshot: MessagingSnapshot,
    observed_at: datetime,
) -> tuple[list[MessagingTransition], MessagingSnapshot]:
    """Transitions (launches first, each in key order) and the snapshot to store after publishing."""
    transitions: list[MessagingTransition] = []
    for launch in sorted(launches, key=lambda item: item.key):
        found = _launch_transition(launch, snapshot.launches.get(launch.key), observed_at)
        if found is not None:
            transitions.append(found)
    for configuration in sorted(configurations, key=lambda item: item.key):
        changed = _configuration_transition(
            configuration, snapshot.configurations.get(configuration.key), observed_at
        )
        if changed is not None:
            transitions.append(changed)
    new = MessagingSnapshot(
        launches={item.key: item for item in launches},
        configurations={item.key: item for item in configurations},
        revision=snapshot.revision,
    )
    return transitions, new
