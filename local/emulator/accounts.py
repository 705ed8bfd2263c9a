"""Accounts: which account a request belongs to, and accounts made to deny or suspended.

Attribution, in order (docs/emulator.md, "Accounts"):

1. an access key id registered with the control API (`register_credentials`);
2. the account encoded in an AWS-format access key id: `AKIA`/`ASIA` + 16 base-32
   characters whose first bit is set carry the account id in bits 46..7 of their first
   six decoded bytes. AWS's own keys issued since 2019 do (`sts:GetAccessKeyInfo` reads
   it back) and so do moto's, so credentials from moto STS `AssumeRole` on
   `arn:aws:iam::111111111111:role/x` land in 111111111111 without any set-up;
3. otherwise the default account 123456789012 (moto's default; `testing`, `AKIAIOSFODNN7EXAMPLE`).
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from dataclasses import dataclass
from typing import Any

from local.emulator.protocol import ACCOUNT_ID, ApiError

DEFAULT_ACCOUNT = ACCOUNT_ID
ACCOUNT_PATTERN = re.compile(r"\d{12}")
_AWS_KEY_ID = re.compile(r"(AKIA|ASIA)[A-Z2-7]{16}")
_ACCOUNT_MASK = 0x7FFFFFFFFF80
_NEW_FORMAT_BIT = 1 << 47


def check_account(account: Any) -> str:
    """A 12-digit account id, or ValueError (control-API input)."""
    text = str(account)
    if not ACCOUNT_PATTERN.fullmatch(text):
        raise ValueError(f"an account id is 12 digits, got {account!r}")
    return text


def account_from_access_key_id(access_key_id: str) -> str | None:
    """The account an AWS-format access key id encodes, or None for other key ids."""
    if not _AWS_KEY_ID.fullmatch(access_key_id):
        return None
    try:
        decoded = base64.b32decode(access_key_id[4:])
    except (binascii.Error, ValueError):
        return None
    value = int.from_bytes(decoded[:6], "big")
    if not value & _NEW_FORMAT_BIT:
        return None  # an older key format, which does not carry the account
    return f"{(value & _ACCOUNT_MASK) >> 7:012d}"


@dataclass(frozen=True)
class Denial:
    """`deny_account`: every call of the account (in `region`, or all regions) is refused."""

    reason: str | None = None
    principal: str | None = None

    def error(self, account: str, region: str, operation: str) -> ApiError:
        principal = self.principal or f"arn:aws:iam::{account}:user/emulator-caller"
        action = f"sms-voice:{operation}"
        tail = (self.reason or "because no identity-based policy allows the {action} action").format(
            action=action, operation=operation, account=account, region=region
        )
        return ApiError(
            "AccessDeniedException",
            f"User: {principal} is not authorized to perform: {action} on resource: "
            f"arn:aws:sms-voice:{region}:{account}:registration/* {tail}",
        )


def suspended_error(account: str) -> ApiError:
    return ApiError(
        "AccessDeniedException",
        f"Account {account} is suspended; its requests are refused.",
        Reason="ACCOUNT_DISABLED",
    )


class Accounts:
    """Credential -> account registry, denials and suspensions (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.credentials: dict[str, str] = {}
        self.principals: dict[str, str] = {}
        self.denied: dict[tuple[str, str | None], Denial] = {}
        self.suspended: set[str] = set()

    def reset(self) -> None:
        with self._lock:
            self.credentials.clear()
            self.principals.clear()
            self.denied.clear()
            self.suspended.clear()

    def register(self, access_key_id: str, account: str, principal: str | None = None) -> None:
        with self._lock:
            self.credentials[access_key_id] = check_account(account)
            if principal:
                self.principals[access_key_id] = principal
            else:
                self.principals.pop(access_key_id, None)

    def resolve(self, access_key_id: str) -> str:
        """The account of a request signed with `access_key_id` (see the module doc)."""
        registered = self.credentials.get(access_key_id)
        if registered is not None:
            return registered
        return account_from_access_key_id(access_key_id) or DEFAULT_ACCOUNT

    def deny(
        self, account: str, region: str | None = None, reason: str | None = None, principal: str | None = None
    ) -> None:
        with self._lock:
            self.denied[(check_account(account), region)] = Denial(reason, principal)

    def suspend(self, account: str) -> None:
        with self._lock:
            self.suspended.add(check_account(account))

    def restore(self, account: str) -> None:
        """Undo `deny` (every region) and `suspend` for the account."""
        account = check_account(account)
        with self._lock:
            self.suspended.discard(account)
            for key in [key for key in self.denied if key[0] == account]:
                del self.denied[key]

    def check(self, account: str, region: str, operation: str, access_key_id: str) -> ApiError | None:
        """The error a suspended or denied account gets, or None."""
        if not self.suspended and not self.denied:
            return None
        with self._lock:
            if account in self.suspended:
                return suspended_error(account)
            denial = self.denied.get((account, region)) or self.denied.get((account, None))
        if denial is None:
            return None
        if denial.principal is None and access_key_id in self.principals:
            denial = Denial(denial.reason, self.principals[access_key_id])
        return denial.error(account, region, operation)

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "default": DEFAULT_ACCOUNT,
                "credentials": dict(self.credentials),
                "denied": [
                    {"account": account, "region": region, "reason": d.reason, "principal": d.principal}
                    for (account, region), d in sorted(
                        self.denied.items(), key=lambda item: (item[0][0], item[0][1] or "")
                    )
                ],
                "suspended": sorted(self.suspended),
            }
