"""Everything the handler builds once per execution environment: settings and AWS clients.

Built on the first invocation (never at import). `get_dependencies.cache_clear()` makes
the next invocation re-read the environment and rebuild the clients; tests use it after
changing environment variables.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from regwatch.targets import ScanTarget
from regwatch_aws.api_budget import TableCallPacer
from regwatch_aws.credentials import TargetCredentials
from regwatch_aws.fleet_store import FleetStore
from regwatch_aws.health_store import DynamoHealthStore
from regwatch_aws.publisher import EventBridgePublisher
from regwatch_aws.sms_api import SmsRegistry
from regwatch_aws.snapshot_store import DynamoSnapshotStore
from scanner.settings import ScannerSettings

USER_AGENT_EXTRA = "regwatch"
# Registries (client + rate limiter) kept per target in a warm environment; beyond this many
# targets the oldest are dropped (each holds an HTTP connection pool).
MAX_CACHED_TARGETS = 16
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
    health: DynamoHealthStore
    credentials: TargetCredentials
    fleet: FleetStore
    # The snapshot table's client: it also holds every target's API budget (api_budget.py).
    table_client: Any
    _registries: dict[tuple[ScanTarget, str | None], SmsRegistry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def registry_for_target(self, target: ScanTarget) -> SmsRegistry:
        """The target's SMS API, paced by the target's API budget shared with every other
        execution environment (scheduled scan and native-event rescans alike); raises
        TargetUnreachable.

        The deploying account's targets (no role) use the function's credentials; other
        targets the assumed role's, refreshed by TargetCredentials before they expire.
        """
        assumed = self.credentials.credentials_for(target)
        cache_key = (target, assumed.access_key_id if assumed else None)
        with self._lock:
            registry = self._registries.get(cache_key)
            if registry is not None:
                return registry
            # One botocore session for every target: its service models and endpoint data are
            # loaded once (a session per target would hold ~10 MB each); credentials are per client.
            credentials = {}
            if assumed is not None:
                credentials = {
                    "aws_access_key_id": assumed.access_key_id,
                    "aws_secret_access_key": assumed.secret_access_key,
                    "aws_session_token": assumed.session_token,
                }
            # Endpoints come from AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 if set (boto3 standard).
            client = self.sms_session.client(
                "pinpoint-sms-voice-v2", region_name=target.region, config=SMS_API_CONFIG, **credentials
            )
            pacer = TableCallPacer(
                self.table_client,
                self.settings.snapshot_table_name,
                target.label,
                self.settings.api_calls_per_second,
            )
            registry = SmsRegistry(client, pacer)
            stale = [key for key in self._registries if key[0] == target]
            for key in stale:
                del self._registries[key]
            while len(self._registries) >= MAX_CACHED_TARGETS:
                del self._registries[next(iter(self._registries))]
            self._registries[cache_key] = registry
            return registry

    def registries(self) -> dict[str, SmsRegistry]:
        """Registries by target label (`account/region`), for the API call counters."""
        with self._lock:
            return {target.label: registry for (target, _), registry in self._registries.items()}


@functools.cache
def get_dependencies() -> Dependencies:
    settings = ScannerSettings.from_environment()
    session = boto3.session.Session()
    region = settings.function_region
    table_client = session.client("dynamodb", region_name=region, config=AWS_CONFIG)
    return Dependencies(
        settings=settings,
        session=session,
        sms_session=raw_timestamp_session(),
        store=DynamoSnapshotStore(
            session.client("dynamodb", region_name=region, config=AWS_CONFIG), settings.snapshot_table_name
        ),
        publisher=EventBridgePublisher(session.client("events", region_name=region, config=AWS_CONFIG)),
        health=DynamoHealthStore(
            session.client("dynamodb", region_name=region, config=AWS_CONFIG), settings.snapshot_table_name
        ),
        credentials=TargetCredentials(
            session.client("sts", region_name=region, config=AWS_CONFIG),
            external_id=settings.targets.external_id,
        ),
        fleet=FleetStore(table_client, settings.snapshot_table_name),
        table_client=table_client,
    )
