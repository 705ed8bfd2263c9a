"""Member accounts from AWS Organizations, for organization mode.

ListAccounts (whole organization) or, with OU ids, ListAccountsForParent on each OU and,
recursively, its child OUs (ListChildren). Works only in the management account or a
delegated administrator account; every other answer becomes TargetDiscoveryFailed with a
message naming the setting and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import TargetDiscoveryFailed
from regwatch.targets import DiscoveredAccount

# What Organizations calls are made (the infra grants exactly these in organization mode).
ORGANIZATIONS_READ_ACTIONS = (
    "organizations:DescribeAccount",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListChildren",
)
_NOT_ALLOWED = (
    "regwatch.organization: Organizations refused {operation} ({code}): organization mode needs the "
    "hub deployed in the management account or in a delegated administrator account for Organizations "
    "(docs/organizations.md); otherwise list the accounts in regwatch.accounts instead"
)


def _account(item: dict[str, Any]) -> DiscoveredAccount:
    # `State` (ACTIVE/SUSPENDED/PENDING_CLOSURE/CLOSED) supersedes the deprecated `Status`.
    status = str(item.get("State") or item.get("Status") or "UNKNOWN").upper()
    return DiscoveredAccount(account_id=str(item["Id"]), status=status, name=str(item.get("Name", "")))


class OrganizationDirectory:
    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        return self._client

    def _pages(self, operation: str, key: str, **request: Any) -> Iterator[dict[str, Any]]:
        try:
            for page in self._client.get_paginator(operation).paginate(**request):
                yield from page.get(key, [])
        except ClientError as error:
            raise self._translate(error, operation, request.get("ParentId")) from error
        except BotoCoreError as error:
            raise TargetDiscoveryFailed(f"regwatch.organization: {operation} failed: {error}") from error

    @staticmethod
    def _translate(error: ClientError, operation: str, parent: str | None) -> TargetDiscoveryFailed:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in {"ParentNotFoundException", "ChildNotFoundException", "InvalidInputException"} and parent:
            return TargetDiscoveryFailed(
                f"regwatch.organization.ouIds: {parent!r} is not an OU or root of this organization "
                f"({code}); check the id with `aws organizations list-children`"
            )
        if code in {"AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied"}:
            return TargetDiscoveryFailed(_NOT_ALLOWED.format(operation=operation, code=code))
        return TargetDiscoveryFailed(f"regwatch.organization: {operation} failed: {code}: {error}")

    def accounts(self, ou_ids: Sequence[str] = (), include: Sequence[str] = ()) -> list[DiscoveredAccount]:
        """Accounts of the organization, or of the OUs (nested OUs included) plus `include`."""
        if not ou_ids:
            return [_account(item) for item in self._pages("list_accounts", "Accounts")]
        found: dict[str, DiscoveredAccount] = {}
        pending = list(ou_ids)
        seen: set[str] = set()
        while pending:
            parent = pending.pop(0)
            if parent in seen:
                continue
            seen.add(parent)
            for item in self._pages("list_accounts_for_parent", "Accounts", ParentId=parent):
                account = _account(item)
                found.setdefault(account.account_id, account)
            for child in self._pages(
                "list_children", "Children", ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"
            ):
                pending.append(str(child["Id"]))
        for account_id in include:
            if account_id not in found:
                found[account_id] = self._describe(account_id)
        return list(found.values())

    def _describe(self, account_id: str) -> DiscoveredAccount:
        try:
            return _account(self._client.describe_account(AccountId=account_id)["Account"])
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code == "AccountNotFoundException":
                raise TargetDiscoveryFailed(
                    f"regwatch.organization.includeAccounts: {account_id} "
                    "is not an account of this organization"
                ) from error
            raise self._translate(error, "describe_account", None) from error
