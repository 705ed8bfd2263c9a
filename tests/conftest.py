"""Shared fixtures: real servers on loopback sockets, nothing mocked.

- `moto_server`: one moto server per test session (DynamoDB, EventBridge, SNS, SQS,
  Secrets Manager, STS), reached through boto3's standard AWS_ENDPOINT_URL_<SERVICE>
  variables; `aws` resets its state before each test.
- `emulator`: the SMS registration API emulator (local/emulator), reached through
  AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2; `emulator_control` resets it per test.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from local.aws_services import MOTO_SERVICES

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account



def _set_fake_credentials() -> None:
    # Tests never reach AWS: fake credentials, a fixed region, no profile or real config.
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "regwatch-tests",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)


def pytest_configure(config: pytest.Config) -> None:
    _set_fake_credentials()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server._server.server_port}"
    for service in MOTO_SERVICES:
        os.environ[f"AWS_ENDPOINT_URL_{service}"] = url
    yield url
    for service in MOTO_SERVICES:
        os.environ.pop(f"AWS_ENDPOINT_URL_{service}", None)
    server.stop()


@pytest.fixture
def aws(moto_server: str) -> str:
    """A clean moto server for this test; returns its URL."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return moto_server


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from local.emulator import EmulatorServer

    server = EmulatorServer.start(port=0)
    os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = server.url
    yield server
    os.environ.pop("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", None)
    server.stop()


@pytest.fixture
def emulator_control(emulator: Any) -> Any:
    """The emulator's control client, with all state, faults and counters reset."""
    from local.emulator import EmulatorControl

    control = EmulatorControl(emulator.url)
    control.reset()
    return control
