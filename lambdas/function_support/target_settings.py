"""The target settings shared by the dispatcher and the scanner, parsed from their environment.

TARGET_ACCOUNTS   JSON list of {"id", "roleArn"?, "regions"?} (regwatch.accounts)
ORGANIZATION      JSON {"enabled", "ouIds", "excludeAccounts", "includeAccounts"} (regwatch.organization)
SPOKE_ROLE_NAME   role assumed in member accounts (regwatch.spokeRoleName)
EXTERNAL_ID       sts:ExternalId passed to AssumeRole (regwatch.externalId), optional
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from regwatch.targets import (
    ACCOUNT_ID,
    DEFAULT_SPOKE_ROLE_NAME,
    EXTERNAL_ID,
    OU_ID,
    ROLE_NAME,
    OrganizationScope,
    StaticAccount,
    TargetConfigError,
    TargetPlan,
)


@dataclass(frozen=True, slots=True)
class TargetSettings:
    static_accounts: tuple[StaticAccount, ...] = ()
    organization: OrganizationScope = field(default_factory=OrganizationScope)
    spoke_role_name: str = DEFAULT_SPOKE_ROLE_NAME
    external_id: str | None = None

    def plan(self, own_account_id: str, regions: tuple[str, ...], partition: str = "aws") -> TargetPlan:
        return TargetPlan(
            own_account_id=own_account_id,
            default_regions=regions,
            static_accounts=self.static_accounts,
            organization=self.organization,
            spoke_role_name=self.spoke_role_name,
            partition=partition,
        )


def _json(environ: Mapping[str, str], name: str, problems: list[str]) -> Any:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        problems.append(f"{name} is not JSON ({error.msg} at position {error.pos})")
        return None


def _accounts(environ: Mapping[str, str], problems: list[str]) -> tuple[StaticAccount, ...]:
    raw = _json(environ, "TARGET_ACCOUNTS", problems)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("TARGET_ACCOUNTS must be a JSON list of {id, roleArn, regions}")
        return ()
    accounts = []
    for index, entry in enumerate(raw):
        try:
            if not isinstance(entry, dict):
                raise TargetConfigError(f"TARGET_ACCOUNTS[{index}] must be an object")
            accounts.append(StaticAccount.from_mapping(entry, where=f"TARGET_ACCOUNTS[{index}]"))
        except TargetConfigError as error:
            problems.append(str(error))
    return tuple(accounts)


def _organization(environ: Mapping[str, str], problems: list[str]) -> OrganizationScope:
    raw = _json(environ, "ORGANIZATION", problems)
    if raw is None:
        return OrganizationScope()
    if not isinstance(raw, dict):
        problems.append("ORGANIZATION must be a JSON object")
        return OrganizationScope()
    ou_ids = tuple(str(ou) for ou in raw.get("ouIds") or ())
    exclude = frozenset(str(a) for a in raw.get("excludeAccounts") or ())
    include = tuple(str(a) for a in raw.get("includeAccounts") or ())
    bad_ous = [ou for ou in ou_ids if not OU_ID.match(ou)]
    if bad_ous:
        problems.append(f"ORGANIZATION.ouIds holds ids that are not OU or root ids: {bad_ous}")
    bad_accounts = [a for a in (*exclude, *include) if not ACCOUNT_ID.match(a)]
    if bad_accounts:
        problems.append(f"ORGANIZATION lists malformed account ids: {sorted(bad_accounts)}")
    return OrganizationScope(bool(raw.get("enabled", False)), ou_ids, exclude, include)


def target_settings_from(environ: Mapping[str, str], problems: list[str]) -> TargetSettings:
    """Parse the target settings; problems are appended (each naming its variable), not raised."""
    role_name = environ.get("SPOKE_ROLE_NAME", "").strip() or DEFAULT_SPOKE_ROLE_NAME
    if not ROLE_NAME.match(role_name):
        problems.append(f"SPOKE_ROLE_NAME is not an IAM role name: {role_name[:80]!r}")
    external_id = environ.get("EXTERNAL_ID", "").strip() or None
    if external_id is not None and not EXTERNAL_ID.match(external_id):
        problems.append("EXTERNAL_ID is not a usable sts:ExternalId (2-1224 of [\\w+=,.@:/-])")
    return TargetSettings(
        static_accounts=_accounts(environ, problems),
        organization=_organization(environ, problems),
        spoke_role_name=role_name,
        external_id=external_id,
    )
