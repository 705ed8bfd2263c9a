"""Everything the handler builds once per execution environment: settings and AWS clients.

Built on the first invocation (never at import). `get_dependencies.cache_clear()` makes
the next invocation re-read the environment and rebuild the clients; tests use it after
changing environment variables.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from regwatch.ratelimit import RateLimiter
from regwatch_aws.publisher import EventBridgePublisher
from regwatch_aws.sms_api import SmsRegistry
from regwatch_aws.snapshot_store import DynamoSnapshotStore
from scanner.settings import ScannerSettings

USER_AGENT_EXTRA = "regwatch"
# Adaptive retries also slow the client down on throttling. botocore's max_attempts counts
# retries: 8 retries = 9 attempts in all (the fault suite's "Struck" column shows 9).
SMS_API_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    user_agent_extra=USER_AGENT_EXTRA,
    connect_timeout=5,
    read_timeout=15,
)
AWS_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    user_agent_extra=USER_AGENT_EXTRA,
    connect_timeout=5,
    read_timeout=10,
)


def raw_timestamp_session() -> Any:
    """A boto3 session whose clients leave timestamps as sent.

    botocore parses every timestamp of an answer while parsing the page, so one
    unreadable value would fail the whole page (and, persisting, the whole region). The
    SMS API adapter parses them per registration instead and skips only that one.
    """
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=lambda value: value)
    return boto3.session.Session(botocore_session=core)


@dataclass
class Dependencies:
    """Settings plus adapters; SMS API registries are created per region on first use."""

    settings: ScannerSettings
    session: Any
    sms_session: Any
    store: DynamoSnapshotStore
    publisher: EventBridgePublisher
    _registries: dict[str, SmsRegistry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def registry(self, region: str) -> SmsRegistry:
        with self._lock:
            registry = self._registries.get(region)
            if registry is None:
                # Endpoints come from AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 if set (boto3 standard).
                client = self.sms_session.client(
                    "pinpoint-sms-voice-v2", region_name=region, config=SMS_API_CONFIG
                )
                limiter = RateLimiter(self.settings.api_calls_per_second, time.monotonic, time.sleep)
                registry = SmsRegistry(client, limiter)
                self._registries[region] = registry
            return registry

    def registries(self) -> dict[str, SmsRegistry]:
        with self._lock:
            return dict(self._registries)


@functools.cache
def get_dependencies() -> Dependencies:
    settings = ScannerSettings.from_environment()
    session = boto3.session.Session()
    region = settings.function_region
    return Dependencies(
        settings=settings,
        session=session,
        sms_session=raw_timestamp_session(),
        store=DynamoSnapshotStore(
            session.client("dynamodb", region_name=region, config=AWS_CONFIG), settings.snapshot_table_name
        ),
        publisher=EventBridgePublisher(session.client("events", region_name=region, config=AWS_CONFIG)),
    )
