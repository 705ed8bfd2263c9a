"""`regwatch resubmit-draft` on the emulator seeded with the demo story: dry run, then --apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from regwatch_cli.main import main

DEMO = Path(__file__).resolve().parents[3] / "local" / "scenarios" / "demo.json"
PROMO = "registration-acmepromo000000000000000000000003"
MARKETING = "registration-acmemarketing00000000000000000002"


@pytest.fixture
def sms(emulator_control: Any) -> Any:
    emulator_control.seed(json.loads(DEMO.read_text()))
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")


def versions(sms: Any, registration_id: str) -> list[dict[str, Any]]:
    return list(sms.describe_registration_versions(RegistrationId=registration_id)["RegistrationVersions"])


def values(sms: Any, registration_id: str, version: int) -> dict[str, Any]:
    page = sms.describe_registration_field_values(RegistrationId=registration_id, VersionNumber=version)
    keys = ("TextValue", "SelectChoices", "RegistrationAttachmentId")
    return {v["FieldPath"]: {k: v[k] for k in keys if k in v} for v in page["RegistrationFieldValues"]}


def test_a_dry_run_lists_the_fields_to_edit_and_writes_nothing(sms: Any, capsys: Any) -> None:
    before = versions(sms, PROMO)
    assert main(["resubmit-draft", PROMO]) == 0
    out = capsys.readouterr().out
    assert "version 1 has 20 field value(s)" in out
    assert "  campaignInfo.optInWorkflow\n    - check: REQUIRED" in out
    assert "dry run: nothing written" in out and "sms-voice:CreateRegistrationVersion" in out
    assert versions(sms, PROMO) == before


def test_apply_creates_a_draft_carrying_the_denied_versions_values(
    sms: Any, emulator_control: Any, capsys: Any
) -> None:
    # The marketing campaign's version 2 is denied with field-level notes.
    emulator_control.set_version_status("us-east-1", MARKETING, 2, "DENIED")
    denied = values(sms, MARKETING, 2)
    assert main(["resubmit-draft", MARKETING, "--apply", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["sourceVersion"], plan["newVersion"], plan["applied"]) == (2, 3, True)
    flagged = {f["fieldPath"]: f["why"] for f in plan["flaggedFields"]}
    assert flagged["campaignInfo.privacyPolicyLink"] == [
        "reviewer: URL unreachable / The page returned HTTP 404; publish the privacy policy at a public URL."
    ]
    assert flagged["messageSamples.messageSample2"][0].startswith("reviewer: Missing opt-out language")
    assert flagged["messageSamples.messageSample1"][0].startswith("check: SAMPLE_OPT_OUT_MISSING")
    newest = versions(sms, MARKETING)[-1]
    assert (newest["VersionNumber"], newest["RegistrationVersionStatus"]) == (3, "DRAFT")
    assert values(sms, MARKETING, 3) == denied


def test_apply_from_an_older_version_clears_what_it_lacked(sms: Any, capsys: Any) -> None:
    # Start from the approved version 1 of the 2FA campaign after dropping a field in the draft v2.
    sms.put_registration_field_value(
        RegistrationId="registration-acme2fa00000000000000000000000004",
        FieldPath="campaignInfo.optInKeyword",
        TextValue="CODES",
    )
    sms.discard_registration_version(RegistrationId="registration-acme2fa00000000000000000000000004")
    assert (
        main(
            ["resubmit-draft", "registration-acme2fa00000000000000000000000004", "--version", "1", "--apply"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "created version 3 (DRAFT) from version 1, 1 field(s) cleared" in out
    registration = "registration-acme2fa00000000000000000000000004"
    assert values(sms, registration, 3) == values(sms, registration, 1)


def test_a_registration_without_a_denied_version_needs_version(sms: Any, capsys: Any) -> None:
    assert main(["resubmit-draft", "registration-acmebrand0000000000000000000001"]) == 2
    assert "has no denied version: pass --version N" in capsys.readouterr().err


def test_apply_refused_by_aws_is_one_line(sms: Any, emulator_control: Any, capsys: Any) -> None:
    # The toll-free registration's version is SUBMITTED: AWS refuses a new version now.
    with pytest.raises(ClientError):
        sms.create_registration_version(RegistrationId="registration-acmetollfree0000000000000000000005")
    code = main(
        ["resubmit-draft", "registration-acmetollfree0000000000000000000005", "--version", "1", "--apply"]
    )
    err = capsys.readouterr().err
    assert code == 6 and len(err.strip().splitlines()) == 1
    assert "CreateRegistrationVersion" in err and "ConflictException" in err
