"""boto3 clients of the emulator, built the way regwatch builds them (standard endpoint env)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
CAMPAIGN = "US_TEN_DLC_CAMPAIGN_REGISTRATION"
TOLL_FREE = "US_TOLL_FREE_REGISTRATION"


def make_client(
    region: str = REGION,
    total_attempts: int = 1,
    mode: str = "standard",
    credentials: dict[str, str] | None = None,
) -> Any:
    """`total_attempts` counts the first call too (1 = no retries); `credentials` are
    boto3 client keyword arguments (aws_access_key_id, ...), default: the test env's."""
    # The endpoint comes from AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (set by `emulator`).
    return boto3.client(
        "pinpoint-sms-voice-v2",
        region_name=region,
        config=Config(retries={"mode": mode, "total_max_attempts": total_attempts}),
        **(credentials or {}),
    )


def keys(access_key_id: str, secret: str = "testing", token: str | None = None) -> dict[str, str]:  # noqa: S107
    """Client keyword arguments for explicit credentials."""
    out = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret}
    if token is not None:
        out["aws_session_token"] = token
    return out


def assumed_role_keys(role_arn: str, region: str = REGION) -> dict[str, str]:
    """Credentials from STS AssumeRole (moto server, via AWS_ENDPOINT_URL_STS)."""
    issued = boto3.client("sts", region_name=region).assume_role(
        RoleArn=role_arn, RoleSessionName="regwatch-test"
    )["Credentials"]
    return keys(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
