"""The soak's local stack, outside pytest: moto in its own process, the emulator and the
Slack-compatible webhook server in this one, and tests/faults' Pipeline wiring the three
handlers to them (EventBridge rules, target retries, dead-letter queues).

moto runs as a separate process so that the memory of "AWS" (which keeps every item and
message it is given) is measured apart from the process that hosts regwatch's functions.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from benchmarks.stack import MOTO_SERVICES, fake_aws_environment
from local.functions import _die_with_parent


@dataclass
class SoakStack:
    moto: subprocess.Popen[bytes]
    moto_url: str
    emulator: Any  # local.emulator.EmulatorServer
    control: Any  # local.emulator.EmulatorControl
    slack: Any  # local.slack_webhook.SlackWebhookServer
    monkeypatch: pytest.MonkeyPatch


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"moto server did not answer on {url} within {timeout:.0f} s")


@contextmanager
def soak_stack() -> Iterator[SoakStack]:
    from local.emulator import EmulatorControl, EmulatorServer
    from local.slack_webhook import SlackWebhookServer

    monkeypatch = pytest.MonkeyPatch()
    for name, value in fake_aws_environment().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # slack_sdk logs every timed-out request; the soak injects them on purpose.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    port = _free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # If the soak dies without cleaning up, the kernel ends moto too (Linux).
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
    )
    emulator = slack = None
    try:
        moto_url = f"http://127.0.0.1:{port}"
        _wait_until_up(moto_url, moto)
        for service in MOTO_SERVICES:
            monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
        emulator = EmulatorServer.start(port=0)
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", emulator.url)
        slack = SlackWebhookServer.start(port=0)
        yield SoakStack(moto, moto_url, emulator, EmulatorControl(emulator.url), slack, monkeypatch)
    finally:
        if slack is not None:
            slack.stop()
        if emulator is not None:
            emulator.stop()
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()
        monkeypatch.undo()
