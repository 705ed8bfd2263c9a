"""The AWS JSON 1.0 wire format of pinpoint-sms-voice-v2: errors and bodies.

Errors carry `__type` (the shape name, which botocore maps to `Error.Code`), `Message`
and the modeled members under their exact names; botocore copies those members to the
top level of `e.response` (`e.response["Reason"]`).
"""

from __future__ import annotations

import json
from typing import Any

CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "PinpointSMSVoiceV2."
ACCOUNT_ID = "123456789012"  # the default account (moto's); see accounts.py


class ApiError(Exception):
    """An error answer of the AWS API (not a bug of the emulator)."""

    def __init__(self, code: str, message: str, status: int = 400, **members: Any) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.members = {k: v for k, v in members.items() if v is not None}
        reason = f" ({self.members['Reason']})" if "Reason" in self.members else ""
        super().__init__(f"{code}{reason}: {message}")

    def body(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"__type": self.code, "Message": self.message, **self.members}
        if self.code == "InternalServerException":
            body["RequestId"] = request_id
        return body


def validation_error(reason: str, message: str, fields: list[dict[str, str]] | None = None) -> ApiError:
    return ApiError("ValidationException", message, Reason=reason, Fields=fields or None)


def not_found(resource_id: str, resource_type: str = "registration") -> ApiError:
    return ApiError(
        "ResourceNotFoundException",
        f"The {resource_type} {resource_id} does not exist.",
        ResourceType=resource_type,
        ResourceId=resource_id,
    )


def conflict(reason: str, resource_id: str, message: str) -> ApiError:
    return ApiError(
        "ConflictException", message, Reason=reason, ResourceType="registration", ResourceId=resource_id
    )


def throttled() -> ApiError:
    return ApiError("ThrottlingException", "Rate exceeded")


def internal_error() -> ApiError:
    return ApiError("InternalServerException", "An internal error occurred. Try again later.", status=500)


def service_unavailable() -> ApiError:
    return ApiError("ServiceUnavailableException", "Service unavailable. Try again later.", status=503)


def expired_token() -> ApiError:
    return ApiError("ExpiredTokenException", "The security token included in the request is expired")


def unknown_operation(target: str) -> ApiError:
    return ApiError("UnknownOperationException", f"Operation {target!r} is not supported by the emulator.")


def encode(body: dict[str, Any]) -> bytes:
    # Compact separators: listing 100k registrations is mostly JSON encoding.
    return json.dumps(body, separators=(",", ":")).encode()


def registration_arn(region: str, registration_id: str, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:sms-voice:{region}:{account}:registration/{registration_id}"
