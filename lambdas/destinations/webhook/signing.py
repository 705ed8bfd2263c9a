"""Standard Webhooks signatures (https://www.standardwebhooks.com/): what a receiver verifies.

    webhook-id:        the event's eventId (the same on every retry: receivers deduplicate on it)
    webhook-timestamp: Unix seconds when this attempt was signed
    webhook-signature: "v1," + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))

`key` is the base64-decoded part of the signing secret `whsec_<base64>`. Signing the
timestamp with the body lets a receiver refuse a captured request replayed later (outside
its window, REPLAY_WINDOW_SECONDS recommended); any library implementing the specification
verifies these headers (docs/destinations.md has a standard-library snippet).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
REPLAY_WINDOW_SECONDS = 300  # what receivers are told to accept, either side of their clock


class BadSigningSecret(ValueError):
    """The signing secret is not `whsec_` + base64 of 24-64 bytes (the message never holds it)."""


def signing_key(secret: str) -> bytes:
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadSigningSecret("the signing secret is not whsec_ followed by base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise BadSigningSecret(
            f"the signing secret's key is {len(key)} bytes; use {MIN_KEY_BYTES}-{MAX_KEY_BYTES} "
            "(e.g. whsec_$(openssl rand -base64 32))"
        )
    return key


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(key: bytes, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, message_id, timestamp, body),
    }
