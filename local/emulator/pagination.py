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


def make_token(after: str | int, request_fingerprint: str) -> str:
    raw = json.dumps({"a": after, "f": request_fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


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
