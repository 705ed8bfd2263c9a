"""The soak's local stack, outside pytest: moto, the SMS API emulator and the
Slack-compatible webhook server each in a process of its own, and tests/faults' Pipeline
wiring the three handlers to them (EventBridge rules, target retries, dead-letter queues).

moto and the emulator stand in for AWS, the webhook server for Slack: they keep what they
are given and answer on threads of their own (a thread per connection). In their own
processes, their memory is measured apart from the process that hosts regwatch's functions.
"""

from __future__ import annotations

import logging
import multiprocessing
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
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any

import pytest

from benchmarks import iam_gate
from benchmarks.stack import MOTO_SERVICES, fake_aws_environment
from local.emulator import EmulatorControl
from local.functions import _die_with_parent
from local.iam.gate import IamGate
from tests.faults.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]


class FrozenClockControl(EmulatorControl):
    """The emulator's control API, remembering its clock: the soak freezes the clock and
    moves it only through this object, so reading it (every function asks, often) costs no
    request to the emulator's process."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._now: float | None = None

    def now(self) -> float:
        if self._now is None:
            self._now = super().now()
        return self._now

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        result = super().advance_clock(seconds)
        self._now = float(result["now"])
        return result

    def set_clock(self, epoch_seconds: float, follow_real_time: bool = False) -> dict[str, Any]:
        if follow_real_time:
            raise ValueError("the soak's emulator clock is frozen: it moves only by advance_clock")
        result = super().set_clock(epoch_seconds)
        self._now = float(result["now"])
        return result


class _SlackSinkHost:
    """Runs in the sink's process: a SlackWebhookServer, driven through these methods."""

    def __init__(self) -> None:
        from local.slack_webhook import SlackWebhookServer

        self._server = SlackWebhookServer.start(port=0)

    def webhook_url(self) -> str:
        return self._server.webhook_url

    def delivered(self) -> list[Any]:
        with self._server.lock:
            return list(self._server.deliveries)

    def script(self, responses: list[dict[str, Any]]) -> None:
        self._server.script(responses)

    def scripted_left(self) -> int:
        return self._server.scripted_left()

    def wait_idle(self, timeout: float) -> bool:
        return self._server.wait_idle(timeout)

    def clear(self) -> None:
        self._server.clear()

    def stop(self) -> None:
        self._server.stop()


class _SinkManager(BaseManager):
    pass


_SinkManager.register("SlackSink", _SlackSinkHost)


class SlackSinkProcess:
    """The Slack-compatible webhook server in a spawned process of its own, with what the
    harness reads of an in-process SlackWebhookServer (tests/faults' Pipeline takes either)."""

    def __init__(self) -> None:
        self._manager = _SinkManager(ctx=multiprocessing.get_context("spawn"))
        self._manager.start()
        self._sink: Any = self._manager.SlackSink()  # type: ignore[attr-defined]
        self.webhook_url: str = self._sink.webhook_url()
        process = self._manager._process  # type: ignore[attr-defined]
        self.pid: int = int(process.pid)

    @property
    def deliveries(self) -> list[Any]:
        delivered: list[Any] = self._sink.delivered()
        return delivered

    def script(self, responses: list[dict[str, Any]]) -> None:
        self._sink.script(responses)

    def scripted_left(self) -> int:
        return int(self._sink.scripted_left())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return bool(self._sink.wait_idle(timeout))

    def clear(self) -> None:
        self._sink.clear()

    def stop(self) -> None:
        try:
            self._sink.stop()
        finally:
            self._manager.shutdown()


@dataclass
class SoakStack:
    moto: subprocess.Popen[bytes]
    moto_url: str
    emulator: subprocess.Popen[bytes]  # python -m local.emulator
    control: FrozenClockControl
    slack: SlackSinkProcess
    monkeypatch: pytest.MonkeyPatch
    emulator_url: str = ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on {url} within {timeout:.0f} s")


def _server_process(*module_and_arguments: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", *module_and_arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # If the soak dies without cleaning up, the kernel ends the server too (Linux).
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def soak_stack() -> Iterator[SoakStack]:
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
    moto_port, emulator_port = _free_port(), _free_port()
    moto = _server_process("moto.server", "-H", "127.0.0.1", "-p", str(moto_port))
    emulator = _server_process("local.emulator", "--port", str(emulator_port))
    slack = None
    try:
        moto_url, emulator_url = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{emulator_port}"
        _wait_until_up(f"{moto_url}/moto-api/", moto, "moto server")
        _wait_until_up(f"{emulator_url}/_emulator/now", emulator, "SMS API emulator")
        for service in MOTO_SERVICES:
            monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", emulator_url)
        slack = SlackSinkProcess()
        yield SoakStack(
            moto, moto_url, emulator, FrozenClockControl(emulator_url), slack, monkeypatch, emulator_url
        )
    finally:
        if slack is not None:
            slack.stop()
        _stop(emulator)
        _stop(moto)
        monkeypatch.undo()


# The soak's functions, as the module whose `lambda_handler` the harness calls, by the handler
# the template names.
SOAK_FUNCTIONS = {
    "scanner.handler.lambda_handler": "scanner.handler",
    "dispatcher.handler.lambda_handler": "dispatcher.handler",
    "evaluator.handler.lambda_handler": "evaluator.handler",
}
# The notifiers all run notifier.handler; the fault pipeline holds one per destination.
SOAK_NOTIFIERS = {
    "slack": "notifier.handler.lambda_handler#slack",
    "sns": "notifier.handler.lambda_handler#sns",
}
SOAK_EXTERNAL_ID = "regwatch-soak"


def _signed_as(key: str, handler: Any) -> Any:
    """`handler`, invoked with the function's own credentials in the environment: the boto3
    sessions it makes while it runs (its clients are built on first use) sign with `key`.
    The harness invokes one function at a time."""

    def invoke(event: Any, context: Any) -> Any:
        saved = os.environ.get("AWS_ACCESS_KEY_ID")
        os.environ["AWS_ACCESS_KEY_ID"] = key
        try:
            return handler(event, context)
        finally:
            os.environ["AWS_ACCESS_KEY_ID"] = saved or ""

    return invoke


def behind_iam_gate(
    stack: SoakStack,
    pipeline: Pipeline,
    names: dict[str, str],
    *,
    regions: tuple[str, ...],
    members: tuple[str, ...],
) -> IamGate:
    """Every AWS call from here on goes through the IAM gate (local/iam); each function signs
    with its own key and is checked against its role in the template synthesized with the
    soak's settings (static accounts with their sts:ExternalId, the Slack secret's name);
    the member's assumed credentials against the RegwatchSpoke role."""
    import importlib

    settings = {
        "accounts": [{"id": member} for member in members],
        "externalId": SOAK_EXTERNAL_ID,
        "slackWebhookSecret": names.pop("SlackWebhookSecret"),
    }
    gate, keys = iam_gate.start_gate(
        stack.moto_url,
        stack.emulator_url,
        names,
        regions=regions,
        region="us-east-1",
        account="123456789012",
        settings=settings,
        handlers=(*SOAK_FUNCTIONS, *SOAK_NOTIFIERS.values()),
    )
    for service in (*MOTO_SERVICES, "PINPOINT_SMS_VOICE_V2"):
        stack.monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", gate.url)
    stack.monkeypatch.setenv("EXTERNAL_ID", SOAK_EXTERNAL_ID)  # what a static-mode deployment passes
    for handler, module_name in SOAK_FUNCTIONS.items():
        module = importlib.import_module(module_name)
        stack.monkeypatch.setattr(module, "lambda_handler", _signed_as(keys[handler], module.lambda_handler))
    pipeline.access_keys.update({name: keys[selector] for name, selector in SOAK_NOTIFIERS.items()})
    return gate
