"""The target settings of cdk.json (`accounts`, `organization`, `spoke`): pydantic models.

Kept apart from infra/config.py so the multi-account settings have one home; the patterns
come from the domain (regwatch.targets), so synth and the functions agree on what is valid.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from regwatch.targets import ACCOUNT_ID, ORGANIZATION_ID, OU_ID, ROLE_ARN

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _check_account_ids(value: list[str]) -> list[str]:
    bad = [account for account in value if not ACCOUNT_ID.match(account)]
    if bad:
        raise ValueError(f"not 12-digit AWS account ids: {bad}")
    return value


class _Setting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AccountSetting(_Setting):
    """One entry of `regwatch.accounts`."""

    id: str = Field(description="12-digit account id (quote it in JSON: leading zeros matter).")
    role_arn: str | None = Field(
        None, alias="roleArn", description="Role to assume; default `arn:aws:iam::<id>:role/<spokeRoleName>`."
    )
    regions: list[str] = Field(
        default_factory=list, description="Regions of this account; default monitoredRegions."
    )

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        text = str(value)
        if not ACCOUNT_ID.match(text):
            raise ValueError(f"{text[:30]!r} is not a 12-digit AWS account id (quote it as a string)")
        return text

    @field_validator("regions", mode="before")
    @classmethod
    def _regions_list(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        bad = [region for region in value if not _REGION.match(region)]
        if bad:
            raise ValueError(f"not AWS region names: {bad}")
        return value

    @model_validator(mode="after")
    def _role_in_account(self) -> AccountSetting:
        if self.role_arn is not None:
            match = ROLE_ARN.match(self.role_arn)
            if match is None:
                raise ValueError(f"roleArn {self.role_arn[:100]!r} is not an IAM role ARN")
            if match["account"] != self.id:
                raise ValueError(f"roleArn {self.role_arn!r} is in account {match['account']}, not {self.id}")
        return self


class OrganizationSetting(_Setting):
    """`regwatch.organization`: discover member accounts with AWS Organizations."""

    enabled: bool = False
    organization_id: str | None = Field(None, alias="organizationId")
    ou_ids: list[str] = Field(default_factory=list, alias="ouIds")
    exclude_accounts: list[str] = Field(default_factory=list, alias="excludeAccounts")
    include_accounts: list[str] = Field(default_factory=list, alias="includeAccounts")

    @field_validator("ou_ids", "exclude_accounts", "include_accounts", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return [str(v) for v in _split(value)] if isinstance(_split(value), list) else value

    @field_validator("ou_ids")
    @classmethod
    def _ous(cls, value: list[str]) -> list[str]:
        bad = [ou for ou in value if not OU_ID.match(ou)]
        if bad:
            raise ValueError(f"not organizational unit (ou-…) or root (r-…) ids: {bad}")
        return value

    @field_validator("exclude_accounts", "include_accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        return _check_account_ids(value)

    @field_validator("organization_id")
    @classmethod
    def _organization_id(cls, value: str | None) -> str | None:
        if value is not None and not ORGANIZATION_ID.match(value):
            raise ValueError(f"{value[:40]!r} is not an organization id (o-…)")
        return value

    @model_validator(mode="after")
    def _id_when_enabled(self) -> OrganizationSetting:
        if self.enabled and self.organization_id is None:
            raise ValueError(
                "organizationId is required when enabled: the spoke role trust and the hub bus policy "
                "are limited to it (aws:PrincipalOrgID); "
                "find it with `aws organizations describe-organization`"
            )
        return self


class SpokeSetting(_Setting):
    """`regwatch.spoke`: defaults of the RegwatchSpoke stack's parameters."""

    hub_account_id: str | None = Field(None, alias="hubAccountId")
    hub_region: str | None = Field(None, alias="hubRegion")
    forward_native_events: bool = Field(True, alias="forwardNativeEvents")

    @field_validator("hub_account_id", mode="before")
    @classmethod
    def _hub_account(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        if not ACCOUNT_ID.match(text):
            raise ValueError(f"{text[:30]!r} is not a 12-digit AWS account id")
        return text

    @field_validator("hub_region")
    @classmethod
    def _hub_region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.match(value):
            raise ValueError(f"{value!r} is not an AWS region name")
        return value
