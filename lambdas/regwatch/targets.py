"""Scan targets: one (account, region) each, and how the set of targets is decided.

Pure: which accounts exist (Organizations) is asked by an adapter; this module only
combines what the configuration says with what discovery found. The deploying account
is always scanned with the function's own role; every other account through a role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from regwatch.snapshot import RegionKey

ACCOUNT_ID = re.compile(r"^\d{12}$")
# IAM role names: 1-64 of [A-Za-z0-9+=,.@_-].
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
ROLE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})$"
)
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
DEFAULT_SPOKE_ROLE_NAME = "regwatch-spoke-reader"
# STS limits RoleSessionName to 64 characters of [\w+=,.@-].
MAX_SESSION_NAME = 64


class TargetConfigError(ValueError):
    """A target setting is unusable; the message names the setting (regwatch.<key>)."""


@dataclass(frozen=True, slots=True, order=True)
class ScanTarget:
    """One unit of scanning: an account in a region, reached with `role_arn` (None: own role)."""

    account_id: str
    region: str
    role_arn: str | None = None

    @property
    def key(self) -> RegionKey:
        return RegionKey(self.account_id, self.region)

    @property
    def label(self) -> str:
        return f"{self.account_id}/{self.region}"

    @property
    def session_name(self) -> str:
        return session_name_for(self.account_id, self.region)

    def as_message(self) -> dict[str, Any]:
        return {"accountId": self.account_id, "region": self.region, "roleArn": self.role_arn}


def session_name_for(account_id: str, region: str) -> str:
    """`regwatch-<account>-<region>`: CloudTrail in the member account shows who and why."""
    return f"regwatch-{account_id}-{region}"[:MAX_SESSION_NAME]


def role_arn_for(account_id: str, role_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


@dataclass(frozen=True, slots=True)
class StaticAccount:
    """One entry of `regwatch.accounts`."""

    account_id: str
    role_arn: str | None = None
    regions: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "regwatch.accounts") -> StaticAccount:
        account_id = str(raw.get("id", "")).strip()
        if not ACCOUNT_ID.match(account_id):
            raise TargetConfigError(f"{where}: {account_id[:30]!r} is not a 12-digit AWS account id")
        role_arn = raw.get("roleArn")
        if role_arn is not None:
            match = ROLE_ARN.match(str(role_arn))
            if match is None:
                raise TargetConfigError(f"{where}: roleArn {str(role_arn)[:100]!r} is not an IAM role ARN")
            if match["account"] != account_id:
                raise TargetConfigError(
                    f"{where}: roleArn {role_arn!r} is in account {match['account']}, not {account_id}"
                )
        regions = tuple(str(r) for r in raw.get("regions") or ())
        return cls(account_id, str(role_arn) if role_arn else None, regions)

    def as_mapping(self) -> dict[str, Any]:
        return {"id": self.account_id, "roleArn": self.role_arn, "regions": list(self.regions)}


@dataclass(frozen=True, slots=True)
class OrganizationScope:
    """`regwatch.organization`: which member accounts discovery keeps."""

    enabled: bool = False
    ou_ids: tuple[str, ...] = ()
    exclude_accounts: frozenset[str] = field(default_factory=frozenset)
    include_accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DiscoveredAccount:
    account_id: str
    status: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Fleet:
    """The member accounts the last dispatch found in scope (organization mode).

    `active`: in `ouIds` / `includeAccounts`, ACTIVE and not excluded (scanned);
    `inactive`: in scope but SUSPENDED, PENDING_CLOSURE, … (not scanned).
    """

    active: frozenset[str]
    inactive: frozenset[str] = frozenset()

    @classmethod
    def of(cls, discovered: Iterable[DiscoveredAccount], exclude: frozenset[str] = frozenset()) -> Fleet:
        accounts = [a for a in discovered if a.account_id not in exclude]
        return cls(
            frozenset(a.account_id for a in accounts if a.status == "ACTIVE"),
            frozenset(a.account_id for a in accounts if a.status != "ACTIVE"),
        )


# Why an event of an account or region is not regwatch's (the `reason` dimension and log field).
REGION_NOT_MONITORED = "region-not-monitored"
ACCOUNT_EXCLUDED = "account-excluded"
ACCOUNT_NOT_LISTED = "account-not-listed"
ACCOUNT_NOT_ACTIVE = "account-not-active"
ACCOUNT_OUTSIDE_SCOPE = "account-outside-organization-scope"
FLEET_NOT_DISCOVERED = "organization-not-yet-discovered"


@dataclass(frozen=True, slots=True)
class NotMonitored:
    """An (account, region) regwatch does not scan, and why (one of the reasons above)."""

    account_id: str
    region: str
    reason: str


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """Everything needed to list targets, except what discovery finds at run time."""

    own_account_id: str
    default_regions: tuple[str, ...]
    static_accounts: tuple[StaticAccount, ...] = ()
    organization: OrganizationScope = field(default_factory=OrganizationScope)
    spoke_role_name: str = DEFAULT_SPOKE_ROLE_NAME
    partition: str = "aws"

    def role_for(self, account_id: str) -> str | None:
        """The role reaching `account_id` (None for the deploying account: the function's role)."""
        if account_id == self.own_account_id:
            return None
        for account in self.static_accounts:
            if account.account_id == account_id and account.role_arn:
                return account.role_arn
        return role_arn_for(account_id, self.spoke_role_name, self.partition)

    def regions_for(self, account_id: str) -> tuple[str, ...]:
        for account in self.static_accounts:
            if account.account_id == account_id and account.regions:
                return account.regions
        return self.default_regions

    def _account_refusal(self, account_id: str, fleet: Fleet | None) -> str | None:
        """Why `account_id` is not scanned (None: it is), as `targets()` decides it."""
        if account_id in self.organization.exclude_accounts:
            return ACCOUNT_EXCLUDED
        if account_id == self.own_account_id or any(a.account_id == account_id for a in self.static_accounts):
            return None
        if not self.organization.enabled:
            return ACCOUNT_NOT_LISTED
        if fleet is None:
            return FLEET_NOT_DISCOVERED
        if account_id in fleet.inactive:
            return ACCOUNT_NOT_ACTIVE
        return None if account_id in fleet.active else ACCOUNT_OUTSIDE_SCOPE

    def target_for(
        self, account_id: str, region: str, fleet: Fleet | None = None
    ) -> ScanTarget | NotMonitored:
        """The target an event from `account_id`/`region` belongs to, or why it is not monitored.

        Exactly the targets `targets()` would list: in organization mode a member account
        counts only if the last dispatch found it in scope and ACTIVE (`fleet`; None: no
        dispatch has recorded one yet).
        """
        reason = self._account_refusal(account_id, fleet)
        if reason is None and region not in self.regions_for(account_id):
            reason = REGION_NOT_MONITORED
        if reason is not None:
            return NotMonitored(account_id, region, reason)
        return ScanTarget(account_id, region, self.role_for(account_id))

    def targets(self, discovered: Iterable[DiscoveredAccount] = ()) -> list[ScanTarget]:
        """Deploying account first, then static accounts, then discovered ones; no duplicates.

        Discovered accounts that are not ACTIVE (SUSPENDED, PENDING_CLOSURE, CLOSED) are
        skipped: a suspended account cannot be scanned and is not an error.
        """
        accounts: dict[str, None] = {self.own_account_id: None}
        for account in self.static_accounts:
            accounts.setdefault(account.account_id, None)
        if self.organization.enabled:
            for found in discovered:
                if found.status != "ACTIVE" or found.account_id in self.organization.exclude_accounts:
                    continue
                accounts.setdefault(found.account_id, None)
        targets = []
        for account_id in accounts:
            if account_id in self.organization.exclude_accounts:
                continue  # also the deploying account: a hub in a tooling account scans only members
            for region in self.regions_for(account_id):
                targets.append(ScanTarget(account_id, region, self.role_for(account_id)))
        return targets
