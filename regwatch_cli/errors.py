"""Exit codes and the one-line errors the command prints instead of a traceback."""

from __future__ import annotations

import re
from enum import IntEnum

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)


class ExitCode(IntEnum):
    """What `regwatch` returns (documented in `regwatch --help` and docs/operations.md)."""

    OK = 0
    PARTIAL = 1  # the command ran, but some items failed (a redrive that failed again)
    USAGE = 2  # a bad flag or argument (argparse's own code)
    STACK = 3  # the stack or one of its resources was not found / not usable
    AUTH = 4  # no credentials, rejected credentials, missing permission, no region
    NOT_FOUND = 5  # the registration / message asked for does not exist
    AWS = 6  # AWS answered with an error or could not be reached (throttling, 5xx, network)
    INTERRUPTED = 130


class CliError(Exception):
    """An error the user can fix: printed as `regwatch: <message>` with its exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


_ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
_BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "RequestExpired",
    }
)
_NOT_AUTHORIZED_TO = re.compile(r"not authorized to perform:? ([\w-]+:[\w*]+)")
# botocore's signing names differ from the IAM prefixes for a few services.
_IAM_PREFIX = {"pinpoint-sms-voice-v2": "sms-voice", "eventbridge": "events", "cloudwatch-logs": "logs"}

CREDENTIALS_FIX = (
    "configure credentials (`aws configure`, `aws sso login`, or AWS_PROFILE / AWS_ACCESS_KEY_ID) "
    "or pass --profile"
)


def iam_action(error: ClientError, service: str) -> str:
    """The IAM action a denied call needed: from AWS's message when it says, else service:Operation."""
    message = str(error.response.get("Error", {}).get("Message", ""))
    match = _NOT_AUTHORIZED_TO.search(message)
    if match:
        return match.group(1)
    return f"{_IAM_PREFIX.get(service, service)}:{error.operation_name}"


def translate(  # noqa: PLR0911 - one return per kind of failure reads best
    error: BaseException, service: str = "", region: str | None = None
) -> CliError:
    """Any boto3/botocore failure as one line naming what to fix."""
    where = f" in {region}" if region else ""
    if isinstance(error, CliError):
        return error
    if isinstance(error, NoCredentialsError | PartialCredentialsError | TokenRetrievalError):
        return CliError(f"no usable AWS credentials: {CREDENTIALS_FIX}", ExitCode.AUTH)
    if isinstance(error, ProfileNotFound):
        return CliError(f"{error}: check --profile / AWS_PROFILE against ~/.aws/config", ExitCode.AUTH)
    if isinstance(error, NoRegionError):
        return CliError("no AWS region: pass --region or set AWS_REGION", ExitCode.AUTH)
    if isinstance(error, EndpointConnectionError):
        return CliError(
            f"cannot reach {error.kwargs.get('endpoint_url', 'the AWS endpoint')}: check the network, and "
            "that the region (--stack-region, --region) is one where the service exists",
            ExitCode.AWS,
        )
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", "")).strip()
        if code in _ACCESS_DENIED:
            return CliError(
                f"access denied{where}: your credentials lack {iam_action(error, service)} "
                "(add it to your IAM policy; docs/runbook.md lists what each command needs)",
                ExitCode.AUTH,
            )
        if code in _BAD_CREDENTIALS:
            return CliError(f"AWS rejected the credentials ({code}): {CREDENTIALS_FIX}", ExitCode.AUTH)
        return CliError(f"{error.operation_name}{where} failed: {code}: {message}", ExitCode.AWS)
    if isinstance(error, BotoCoreError):
        return CliError(f"AWS call failed{where}: {error}", ExitCode.AWS)
    return CliError(f"{type(error).__name__}: {error}", ExitCode.AWS)
