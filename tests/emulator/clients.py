"""boto3 clients of the emulator, built the way regwatch builds them (standard endpoint env)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
CAMPAIGN = "US_TEN_DLC_CAMPAIGN_REGISTRATION"
TOLL_FREE = "US_TOLL_FREE_REGISTRATION"


def make_client(region: str = REGION, total_attempts: int = 1, mode: str = "standard") -> Any:
    """`total_attempts` counts the first call too (1 = no retries)."""
    # The endpoint comes from AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (set by `emulator`).
    return boto3.client(
        "pinpoint-sms-voice-v2",
        region_name=region,
        config=Config(retries={"mode": mode, "total_max_attempts": total_attempts}),
    )
