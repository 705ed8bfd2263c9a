"""`regwatch scan --dry-run` (alias `make demo ARGS=--aws-dry-run`): read-only, Describe* only,
printed; checked against the emulator.

boto3's standard AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (set by the `emulator` fixture)
points the user's default session at the emulator, so no code path differs from AWS.
"""

from __future__ import annotations

import io
from typing import Any

from regwatch_cli.dry_run import aws_dry_run

SCENARIO = {
    "registrations": [
        {
            "ref": "brand",
            "id": "registration-drybrand00000000000000000000001",
            "type": "US_TEN_DLC_BRAND_REGISTRATION",
            "region": "us-east-1",
            "versions": [
                {
                    "status": "DENIED",
                    "denied_reasons": [
                        {"Reason": "Tax id mismatch", "ShortDescription": "EIN does not match."}
                    ],
                },
                {"status": "REVIEWING"},
            ],
        },
        {
            "id": "registration-drysender0000000000000000000002",
            "type": "SG_SENDER_ID_REGISTRATION",
            "region": "us-west-2",
            "versions": [{"status": "APPROVED"}],
        },
    ]
}


def test_dry_run_prints_registrations_and_version_histories_with_describe_calls_only(
    emulator_control: Any,
) -> None:
    emulator_control.seed(SCENARIO)
    emulator_control.reset_counters()
    out = io.StringIO()
    total = aws_dry_run(["us-east-1", "us-west-2"], calls_per_second=50, out=out)
    text = out.getvalue()
    assert total == 2
    assert "registration-drybrand00000000000000000000001  US_TEN_DLC_BRAND_REGISTRATION" in text
    assert "v1: DENIED" in text and "v2: REVIEWING" in text
    assert "denied: Tax id mismatch: EIN does not match." in text
    assert "registration-drysender0000000000000000000002  SG_SENDER_ID_REGISTRATION" in text
    assert "nothing was written" in text
    calls = {name: count for name, count in emulator_control.counters().items() if count}
    assert set(calls) <= {"DescribeRegistrations", "DescribeRegistrationVersions"}, calls
    assert calls["DescribeRegistrationVersions"] == 2
