"""Scenarios, timelines, the in-process server and the `python -m local.emulator` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from local.emulator import EmulatorControl, EmulatorServer
from tests.emulator.clients import make_client

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "local" / "scenarios" / "example.json"
START = 1767603600.0  # 2026-01-05T09:00:00Z, the example's clock start


def _summaries(region: str) -> dict[str, dict[str, Any]]:
    pages = make_client(region).get_paginator("describe_registrations").paginate()
    return {r["RegistrationId"]: r for page in pages for r in page["Registrations"]}


def test_example_scenario_seeds_and_plays_its_timeline(emulator_control: Any) -> None:
    seeded = emulator_control.seed(EXAMPLE)
    refs = seeded["refs"]
    assert refs["brand"] == "registration-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert len(seeded["registrations"]["us-east-1"]) == 2 + 20
    assert seeded["registrations"]["eu-west-2"] == [refs["toll-free-eu"]]
    assert emulator_control.now() == START

    east = _summaries("us-east-1")
    assert east[refs["brand"]]["RegistrationStatus"] == "COMPLETE"
    campaign = east[refs["campaign"]]
    assert (campaign["RegistrationStatus"], campaign["CurrentVersionNumber"]) == ("REVIEWING", 2)
    assert campaign["LatestDeniedVersionNumber"] == 1
    history = make_client().describe_registration_versions(
        RegistrationId=refs["campaign"], VersionNumbers=[2]
    )
    reviewing = history["RegistrationVersions"][0]["RegistrationVersionStatusHistory"]["ReviewingTimestamp"]
    assert reviewing.timestamp() == START - 3600

    played = emulator_control.advance_clock(130)
    assert [entry["step"]["action"] for entry in played["applied"]] == ["set_version_status", "submit"]
    assert all(entry["ok"] for entry in played["applied"])
    assert _summaries("us-east-1")[refs["campaign"]]["RegistrationStatus"] == "COMPLETE"
    assert _summaries("eu-west-2")[refs["toll-free-eu"]]["RegistrationStatus"] == "AWS_REVIEWING"

    emulator_control.advance_clock(600)
    toll_free = _summaries("eu-west-2")[refs["toll-free-eu"]]
    assert (toll_free["RegistrationStatus"], toll_free["LatestDeniedVersionNumber"]) == (
        "REQUIRES_UPDATES",
        1,
    )
    versions = make_client("eu-west-2").describe_registration_versions(RegistrationId=refs["toll-free-eu"])
    stamps = versions["RegistrationVersions"][0]["RegistrationVersionStatusHistory"]
    assert stamps["DeniedTimestamp"].timestamp() == START + 300, "steps stamp their own due time"
    assert _summaries("us-east-1")[refs["brand"]]["RegistrationStatus"] == "REQUIRES_UPDATES"
    assert emulator_control.timeline()["pending"] == []


def test_failed_timeline_steps_are_logged_not_raised(emulator_control: Any) -> None:
    emulator_control.seed(
        {
            "clock": {"start": START},
            "registrations": [{"ref": "r", "versions": [{"status": "APPROVED"}]}],
            "timeline": [
                {"at": 1, "action": "submit", "registration": "r"},
                {"at": 2, "action": "set_version_status", "registration": "r", "status": "REVOKED"},
            ],
        }
    )
    result = emulator_control.advance_clock(5)
    assert [entry["ok"] for entry in result["applied"]] == [False, True]
    assert result["applied"][0]["error"].startswith(
        "ConflictException (SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED)"
    )
    assert emulator_control.timeline()["log"][0]["ok"] is False


def test_in_process_server_starts_on_a_free_port_and_stops(tmp_path: Path) -> None:
    scenario = {"registrations": [{"ref": "only", "region": "ap-south-1", "versions": [{"status": "DRAFT"}]}]}
    with EmulatorServer.start(port=0, scenario=scenario, rate_limit=5) as server:
        assert server.url.startswith("http://127.0.0.1:")
        control = EmulatorControl(server.url)
        assert control.set_faults() == {"*": {"rate_limit": 5}}, "the start-up quota is a fault"
        ids = [r.registration_id for r in server.store.region("ap-south-1").registrations.values()]
        assert len(ids) == 1
        control.reset()
        assert control.set_faults() == {"*": {"rate_limit": 5}}, "reset keeps the start-up quota"
        assert server.store.region("ap-south-1").registrations == {}
    with pytest.raises(OSError):
        EmulatorControl(server.url, timeout=2).now()


def test_command_line_serves_the_api_without_a_quota(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "local.emulator", "--port", "0", "--scenario", str(EXAMPLE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        url = banner.split("listening on ")[1].split("/ ")[0]
        control = EmulatorControl(url)
        assert control.now() == START
        endpoint = os.environ.get("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2")
        os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = url
        try:
            sms = make_client("us-east-1")
            started = time.monotonic()
            for _ in range(20):
                sms.describe_registrations(MaxResults=5)
            assert "DescribeRegistrations:throttled" not in control.counters()
            assert len(sms.describe_registrations()["Registrations"]) == 22
            print(f"20 calls in {time.monotonic() - started:.3f}s")
        finally:
            if endpoint is None:
                os.environ.pop("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2")
            else:
                os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_scenario_file_is_valid_json_with_documented_keys() -> None:
    scenario = json.loads(EXAMPLE.read_text())
    assert set(scenario) <= {"description", "clock", "region", "registrations", "generate", "timeline"}
    actions = {step["action"] for step in scenario["timeline"]}
    assert actions <= {"set_version_status", "submit", "create_version", "discard", "delete"}
