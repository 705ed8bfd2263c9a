"""Opaque NextTokens bound to the request that produced them.

A token carries the last key returned and a fingerprint of the filters; a token that
does not decode, or that is replayed with other filters, answers INVALID_NEXT_TOKEN
like AWS.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from local.emulator.protocol import validation_error


def fingerprint(*parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def make_token(after: str | int, request_fingerprint: str, issued_at: float = 0.0) -> str:
    raw = json.dumps({"a": after, "f": request_fingerprint, "t": issued_at}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def check_not_expired(token: str | None, now: float, ttl_seconds: float | None) -> None:
    """The `next_token_ttl_seconds` fault: a NextToken older than the TTL is refused.

    AWS does not document how long its NextTokens live; refusing an old one with
    INVALID_NEXT_TOKEN is what a client must survive either way.
    """
    if token is None or ttl_seconds is None:
        return
    try:
        issued_at = float(json.loads(base64.urlsafe_b64decode(token.encode())).get("t", 0.0))
    except (ValueError, TypeError, AttributeError):
        return  # not one of ours: read_token answers INVALID_NEXT_TOKEN itself
    if now - issued_at > ttl_seconds:
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken has expired.")


def read_token(token: str | None, request_fingerprint: str) -> Any:
    """The key to continue after, or None for the first page."""
    if token is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = data["a"]
        matches = data["f"] == request_fingerprint
    except (ValueError, KeyError, TypeError):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.") from None
    if not matches:
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken does not belong to this request.")
    return after
