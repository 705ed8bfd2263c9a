"""`regwatch check` against the emulator seeded with the demo story, and on local files.

The command runs in-process (`regwatch_cli.main.main`) with boto3 reaching the emulator
through AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2, as a user's shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import boto3
import pytest

from regwatch_cli.main import main

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "local" / "scenarios" / "demo.json"
PROMO = "registration-acmepromo000000000000000000000003"
MARKETING = "registration-acmemarketing00000000000000000002"
APPROVED = {  # registration id -> (region, approved version)
    "registration-acmemarketing00000000000000000002": ("us-east-1", 1),
    "registration-acme2fa00000000000000000000000004": ("us-east-1", 1),
    "registration-acmetollfreewest00000000000000008": ("us-west-2", 1),
    "registration-acmebrandwest0000000000000000009": ("us-west-2", 1),
}
# Registrations the demo's timeline approves later: their seeded version is the approved one.
APPROVED_LATER = {
    "registration-acmebrand0000000000000000000001": ("us-east-1", 1),
    "registration-acmetollfree0000000000000000000005": ("us-east-1", 1),
    "registration-acmesenderid000000000000000000007": ("us-west-2", 1),
}


@pytest.fixture
def demo(emulator_control: Any) -> Any:
    emulator_control.seed(json.loads(DEMO.read_text()))
    return emulator_control


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_denied_campaign_lists_what_its_denial_reason_names(demo: Any, capsys: Any) -> None:
    reasons = json.loads(DEMO.read_text())["registrations"][2]["versions"][0]["denied_reasons"]
    assert [r["Reason"] for r in reasons] == ["Opt-in workflow not provided"]
    code, out, err = run(capsys, "--registration", PROMO)
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith("campaignInfo.optInWorkflow: REQUIRED: ")
    assert "fix: " in line and "OPT_IN_WORKFLOW_MISSING" in line
    assert f"1 problem(s) in {PROMO} version 1" in err


def test_the_denied_marketing_version_lists_the_missing_opt_out(demo: Any, capsys: Any) -> None:
    code, out, _ = run(capsys, "--registration", MARKETING, "--version", "2", "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [(p["fieldPath"], p["rule"]) for p in problems] == [
        ("messageSamples.messageSample1", "SAMPLE_OPT_OUT_MISSING"),
    ], "the denial's 'Sample messages missing opt-out'; an unreachable URL cannot be seen offline"


@pytest.mark.parametrize("registration", sorted({**APPROVED, **APPROVED_LATER}))
def test_the_demos_approved_versions_have_no_problems(demo: Any, capsys: Any, registration: str) -> None:
    region, version = {**APPROVED, **APPROVED_LATER}[registration]
    code, out, err = run(
        capsys, "--registration", registration, "--version", str(version), "--region", region
    )
    assert (code, out) == (0, ""), out
    assert "no problems" in err


def test_a_campaign_against_its_brands_name(demo: Any, capsys: Any) -> None:
    code, out, _ = run(capsys, "--registration", MARKETING, "--version", "1", "--company-name", "Acme Corp")
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, "--registration", MARKETING, "--version", "1", "--company-name", "Globex LLC")
    assert code == 1
    assert {line.split(": ")[1] for line in out.splitlines()} == {"COMPANY_NAME_MISMATCH"}
    assert "heads off SAMPLE_MESSAGE_MISMATCH" in out and "mention 'globex'" in out


def test_a_file_of_values_checks_like_the_registration(demo: Any, capsys: Any, tmp_path: Path) -> None:
    sms = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")
    saved = sms.describe_registration_field_values(RegistrationId=PROMO, VersionNumber=1)
    values = tmp_path / "promo.json"
    values.write_text(json.dumps({"RegistrationFieldValues": saved["RegistrationFieldValues"]}))
    code, out, err = run(capsys, "--file", str(values))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"regwatch: {values} names no registration type: pass --type"]
    code, file_out, _ = run(capsys, "--file", str(values), "--type", "US_TEN_DLC_CAMPAIGN_REGISTRATION")
    assert code == 1
    _, registration_out, _ = run(capsys, "--registration", PROMO)
    assert file_out == registration_out

    # Offline: definitions saved from the API, no SMS call at all.
    definitions = tmp_path / "definitions.json"
    definitions.write_text(
        json.dumps(
            sms.describe_registration_field_definitions(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION"),
            default=str,
        )
    )
    demo.set_faults(operation="DescribeRegistrationFieldDefinitions", error_rate=1.0)  # any call fails
    code, offline_out, _ = run(
        capsys,
        "--file",
        str(values),
        "--definitions",
        str(definitions),
        "--type",
        "US_TEN_DLC_CAMPAIGN_REGISTRATION",
    )
    assert (code, offline_out) == (1, registration_out)


def test_a_yaml_file_in_the_short_form(emulator_control: Any, capsys: Any, tmp_path: Path) -> None:
    values = tmp_path / "brand.yaml"
    values.write_text(
        "registrationType: US_TEN_DLC_BRAND_REGISTRATION\n"
        "fields:\n"
        "  companyInfo.companyName: Acme Corp\n"
        "  companyInfo.legalType: [PUBLIC_PROFIT]\n"
        "  contactInfo.supportEmail: acme.brand@gmail.com\n"
    )
    code, out, _ = run(capsys, "--file", str(values), "--json")
    assert code == 1
    found = {(p["fieldPath"], p["rule"]) for p in json.loads(out)["problems"]}
    assert ("companyInfo.stockSymbol", "CONDITIONALLY_REQUIRED") in found, (
        "public companies give their symbol"
    )
    assert ("contactInfo.supportEmail", "PUBLIC_EMAIL_DOMAIN") in found
    assert ("companyInfo.website", "REQUIRED") in found


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("{not json", "v.json", "is not valid JSON (line 1"),
        ("fields: [unclosed", "v.yaml", "is not valid YAML (line 1)"),
        ('{"fields": {"a.b": 3}}', "v.json", "field a.b must be a text, a list of choices"),
        ("[]", "v.json", "expected an object with `fields` or `RegistrationFieldValues`"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(
    capsys: Any, tmp_path: Path, content: str, name: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, out, err = run(capsys, "--file", str(path), "--type", "US_TOLL_FREE_REGISTRATION")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and expected in err and "Traceback" not in err
    code, _, err = run(
        capsys, "--file", str(tmp_path / "missing.json"), "--type", "US_TOLL_FREE_REGISTRATION"
    )
    assert code == 2 and err.startswith("regwatch: cannot read values file")


def test_without_pyyaml_a_yaml_file_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    """Outside an install from requirements-cli.txt PyYAML may be absent: the command, in its
    own interpreter where `import yaml` fails, says so in one line and names the fix."""
    values = tmp_path / "brand.yaml"
    values.write_text("fields: {companyInfo.companyName: Acme Corp}\n")
    no_yaml = (
        "import sys; sys.modules['yaml'] = None; from regwatch_cli.main import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            no_yaml,
            "check",
            "--file",
            str(values),
            "--type",
            "US_TOLL_FREE_REGISTRATION",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lambdas"), str(ROOT)])},
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "PyYAML is not installed: pip install -r requirements-cli.txt" in done.stderr
    assert "give the file as JSON" in done.stderr


def test_pyyaml_is_pinned_for_the_command_and_not_in_the_lambda_bundle() -> None:
    """requirements-cli.txt (the command's install, docs/check.md) pins the PyYAML the tests
    run with; the dev venv installs it; the bundle (requirements.txt) does not carry it."""

    def pins(name: str) -> list[str]:
        return [line.strip() for line in (ROOT / name).read_text().splitlines() if not line.startswith("#")]

    assert f"PyYAML=={version('PyYAML')}" in pins("requirements-cli.txt")
    assert "-r requirements.txt" in pins("requirements-cli.txt")
    assert "-r requirements-cli.txt" in pins("requirements-dev.txt")
    assert not any(line.lower().startswith("pyyaml") for line in pins("requirements.txt"))
    assert "pip install -r regwatch/requirements-cli.txt" in (ROOT / "docs" / "check.md").read_text()


def test_missing_credentials_are_one_line_and_exit_2(
    demo: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out, err = run(capsys, "--registration", PROMO)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [err.strip()] and "no usable AWS credentials" in err


def test_an_unknown_registration_and_bad_usage_exit_2(demo: Any, capsys: Any) -> None:
    code, _, err = run(capsys, "--registration", "registration-" + "0" * 32)
    assert code == 2 and "does not exist in us-east-1" in err
    code, _, err = run(capsys, "--version", "2", "--file", "x.json")
    assert code == 2 and "--version needs --registration" in err
