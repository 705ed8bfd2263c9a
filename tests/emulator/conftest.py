"""Fixtures of the emulator tests: real boto3 clients on the shared, per-test-reset emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.clients import BRAND, make_client


@pytest.fixture
def sms(emulator_control: Any) -> Any:
    """A boto3 client (us-east-1) without retries, so every error reaches the test."""
    return make_client()


@pytest.fixture
def new_registration(sms: Any) -> Callable[..., dict[str, Any]]:
    def create(registration_type: str = BRAND) -> dict[str, Any]:
        response: dict[str, Any] = sms.create_registration(RegistrationType=registration_type)
        return response

    return create
