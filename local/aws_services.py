"""The AWS services the local world serves from moto server, by boto3's endpoint variable names.

regwatch's functions reach each through `AWS_ENDPOINT_URL_<SERVICE>`; the SMS API is the
project's own emulator (`AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`). One list for the demo, the
IAM gate and the test fixtures.
"""

from __future__ import annotations

MOTO_SERVICES = (
    "DYNAMODB",
    "EVENTBRIDGE",
    "SNS",
    "SQS",
    "SECRETS_MANAGER",
    "STS",
    "CLOUDWATCH",
    "ORGANIZATIONS",
)
