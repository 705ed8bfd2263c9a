"""`python -m local.run` as a user runs it: finishes by itself, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMALL_SCENARIO = {
    "clock": {"start": "2026-05-04T09:00:00Z"},
    "scan_interval_seconds": 300,
    "quiet_scans_after_story": 0,
    "registrations": [
        {
            "ref": "campaign",
            "id": "registration-smallcampaign000000000000000001",
            "type": "US_TEN_DLC_CAMPAIGN_REGISTRATION",
            "region": "eu-west-1",
            "versions": [{"status": "REVIEWING"}],
        }
    ],
    "timeline": [
        {
            "at": 120,
            "action": "set_version_status",
            "registration": "campaign",
            "status": "DENIED",
            "denied_reasons": [
                {"Reason": "Website unreachable", "ShortDescription": "The URL did not load."}
            ],
            "note": "The only campaign is denied",
        }
    ],
}


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _demo(*args: str, sigint_ignored: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "local.run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A parent that ignores SIGINT (a test runner's worker, `nohup`) passes that on.
        preexec_fn=_ignore_sigint if sigint_ignored else None,  # noqa: PLW1509 - before exec only
    )


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in lines if line.startswith("PPid:")), "")
        if ppid == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_custom_scenario_runs_to_the_end_with_summary_and_slack_page(tmp_path: Path) -> None:
    scenario = tmp_path / "small.json"
    scenario.write_text(json.dumps(SMALL_SCENARIO))
    output = tmp_path / "out"
    demo = _demo("--scenario", str(scenario), "--regions", "eu-west-1", "--output", str(output))
    stdout, _ = demo.communicate(timeout=240)
    assert demo.returncode == 0, stdout
    assert "The only campaign is denied" in stdout
    assert "REVIEWING → DENIED" in stdout
    assert "denied: Website unreachable" in stdout
    assert "→ Slack" in stdout and "→ SNS" in stdout
    assert "dead letters           0" in stdout
    html_page = output / "slack.html"
    assert f"Slack messages as they would look: {html_page.resolve()}" in stdout
    page = html_page.read_text()
    # One post per change: the denial (with "Requires updates" beside it), not a second post
    # for the registration; the epilogue adds the day's digest (and reminders, if any are due).
    messages = page.split('class="message"')[1:]
    alerts = [m for m in messages if "Reminder:" not in m and "daily digest" not in m]
    assert len(alerts) == 1 and "was denied" in alerts[0], (
        "version denied, with the registration status beside it"
    )
    # The epilogue spans two local days after 09:00 UTC: one digest for each, never two for one.
    digest_days = [
        re.search(r"daily digest for (\d{4}-\d{2}-\d{2})", m) for m in messages if "daily digest" in m
    ]
    days = [d.group(1) for d in digest_days if d]
    assert len(days) == 2 and len(set(days)) == 2, days
    assert "Website unreachable" in page
    assert 'class="button danger"' in page


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="finds the demo's function processes through Linux /proc; without it this proves nothing",
)
def test_ctrl_c_stops_the_demo_and_leaves_no_process_behind(tmp_path: Path) -> None:
    # Started with SIGINT ignored, as a parent may pass on: Ctrl-C must stop the demo anyway.
    demo = _demo("--output", str(tmp_path / "out"), sigint_ignored=True)
    assert demo.stdout is not None
    functions: list[int] = []
    seen: list[str] = []
    deadline = time.monotonic() + 180
    for line in demo.stdout:
        seen.append(line)
        if "⟳ scan #2" in line:
            functions = [pid for pid in _children(demo.pid) if _alive(pid)]
            break
        assert time.monotonic() < deadline, "".join(seen)
    assert len(functions) >= 3, f"expected the three function processes, got {functions}: {''.join(seen)}"
    demo.send_signal(signal.SIGINT)
    rest, _ = demo.communicate(timeout=60)
    assert demo.returncode == 130, rest
    assert "stopped; every local process has been shut down" in rest
    time.sleep(0.5)
    assert [pid for pid in functions if _alive(pid)] == []
