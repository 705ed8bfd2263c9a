"""AWS's native "Registration Status Change" event, emitted when a registration's status changes.

AWS End User Messaging SMS sends `source` `aws.sms-voice`, `detail-type` "Registration
Status Change" to the account's default EventBridge bus, best effort, with
`detail.registrationDetails` {registrationId, registrationVersionNumber,
registrationType, registrationStatusChangeTimestamp (epoch milliseconds), currentStatus}
and `detail.registrationArn`; registration-level statuses only (no version statuses,
no reasons, no previous status).

`NativeEventSink` receives every registration-level status change from the store
(under the store lock), decides with a seeded RNG whether this event is dropped
(`drop_rate`, AWS's "best effort"), tells in-process hooks, and hands the rest to a
background thread that calls `events.put_events` on an EventBridge endpoint (moto
server), so API latency is unaffected and delivery failures are only counted.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.emulator.lifecycle import Registration
from local.emulator.protocol import ACCOUNT_ID

SOURCE = "aws.sms-voice"
DETAIL_TYPE = "Registration Status Change"
DEFAULT_ROLE_NAME = "regwatch-emulator-events"
COUNTER_PREFIX = "NativeEvents:"
_SETTINGS = ("enabled", "endpoint_url", "drop_rate", "seed", "role_name")

Hook = Callable[["NativeEvent"], None]


@dataclass(frozen=True)
class NativeEvent:
    """One status change as AWS would publish it (whether or not it was dropped)."""

    account: str
    region: str
    detail: dict[str, Any]
    time: float  # the change, on the emulator clock (epoch seconds)
    observed_at: float  # real time.time() when the emulator emitted (or dropped) it
    dropped: bool
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def resources(self) -> list[str]:
        return [str(self.detail["registrationArn"])]

    def entry(self) -> dict[str, Any]:
        """The PutEvents entry (to the default bus of the event's account and region)."""
        return {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
            "Detail": json.dumps(self.detail, separators=(",", ":")),
            "Resources": self.resources,
            "Time": datetime.fromtimestamp(self.time, tz=UTC),
            "EventBusName": "default",
        }

    def envelope(self) -> dict[str, Any]:
        """The event as an EventBridge target receives it."""
        return {
            "version": "0",
            "id": self.id,
            "detail-type": DETAIL_TYPE,
            "source": SOURCE,
            "account": self.account,
            "time": datetime.fromtimestamp(self.time, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": self.resources,
            "detail": self.detail,
        }


def detail_of(registration: Registration, moment: float) -> dict[str, Any]:
    return {
        "registrationDetails": {
            "registrationId": registration.registration_id,
            "registrationVersionNumber": registration.current_version_number,
            "registrationType": registration.registration_type,
            "registrationStatusChangeTimestamp": round(moment * 1000),
            "currentStatus": registration.status,
        },
        "registrationArn": registration.arn,
    }


class NativeEventSink:
    """Where the emulator's native events go: hooks in-process, and optionally EventBridge.

    `NativeEventSink(endpoint_url="http://127.0.0.1:PORT", drop_rate=0.1, seed=7)` sends
    them to that endpoint's default bus (see docs/emulator.md for the credentials used);
    without `endpoint_url` only hooks and counters see them. `enabled=False` (the
    emulator's default) emits nothing.
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        drop_rate: float = 0.0,
        seed: int = 0,
        *,
        enabled: bool = True,
        role_name: str = DEFAULT_ROLE_NAME,
        default_account: str = ACCOUNT_ID,
        access_key_id: str = "testing",
        secret_access_key: str = "testing",  # noqa: S107 - fake credentials of a local endpoint
    ) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._hooks: list[Hook] = []
        self._queue: queue.SimpleQueue[NativeEvent] = queue.SimpleQueue()
        self._pending = 0
        self._worker: threading.Thread | None = None
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._session: Any = None
        self._default_account = default_account
        self._static = {"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key}
        self.counters: Counter[str] = Counter()
        self.account_counters: dict[str, Counter[str]] = {}
        self.enabled = enabled
        self.endpoint_url = endpoint_url
        self.drop_rate = 0.0
        self.seed = seed
        self.role_name = role_name
        self._random = random.Random(seed)
        self._startup: dict[str, Any] = {}
        self.configure(
            enabled=enabled, endpoint_url=endpoint_url, drop_rate=drop_rate, seed=seed, role_name=role_name
        )
        self._startup = self.settings()

    # --- configuration ---------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SETTINGS}

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change any of enabled, endpoint_url, drop_rate, seed, role_name; reseeds the RNG."""
        unknown = set(settings) - set(_SETTINGS)
        if unknown:
            known = ", ".join(_SETTINGS)
            raise ValueError(f"unknown native event settings {sorted(unknown)}; known: {known}")
        drop_rate = float(settings.get("drop_rate", self.drop_rate))
        if not 0.0 <= drop_rate <= 1.0:
            raise ValueError(f"drop_rate must be within 0.0..1.0, got {drop_rate}")
        endpoint = settings.get("endpoint_url", self.endpoint_url) or None
        if endpoint is not None and not str(endpoint).startswith(("http://", "https://")):
            raise ValueError(f"endpoint_url must be http(s): {endpoint!r}")
        with self._lock:
            self.enabled = bool(settings.get("enabled", self.enabled))
            self.endpoint_url = None if endpoint is None else str(endpoint)
            self.drop_rate = drop_rate
            self.seed = int(settings.get("seed", self.seed))
            self.role_name = str(settings.get("role_name", self.role_name))
            self._random = random.Random(self.seed)
            self._clients.clear()  # new keys after a reconfiguration (or a moto reset)
        return self.describe()

    def restore_startup(self) -> None:
        """Back to the settings the sink was made with (RNG reseeded); counters zero."""
        self.configure(**self._startup)
        self.clear_counters()

    def describe(self) -> dict[str, Any]:
        return {**self.settings(), "pending": self._pending, "hooks": len(self._hooks)}

    # --- in-process hooks -------------------------------------------------------

    def subscribe(self, hook: Hook) -> Callable[[], None]:
        """Call `hook(event)` for every status change (dropped ones too: see `event.dropped`).

        Hooks run synchronously, under the emulator's store lock: keep them quick and do
        not call the emulator from them. Returns a function that unsubscribes.
        """
        with self._lock:
            self._hooks.append(hook)

        def unsubscribe() -> None:
            with self._lock:
                if hook in self._hooks:
                    self._hooks.remove(hook)

        return unsubscribe

    @contextmanager
    def observe(self, include_dropped: bool = False) -> Iterator[list[NativeEvent]]:
        """`with sink.observe() as events:` collects the events emitted meanwhile."""
        seen: list[NativeEvent] = []
        unsubscribe = self.subscribe(lambda e: None if e.dropped and not include_dropped else seen.append(e))
        try:
            yield seen
        finally:
            unsubscribe()

    # --- counters -----------------------------------------------------------------

    def _count(self, account: str, name: str) -> None:
        key = COUNTER_PREFIX + name
        self.counters[key] += 1
        per_account = self.account_counters.get(account)
        if per_account is None:
            per_account = self.account_counters[account] = Counter()
        per_account[key] += 1

    def counters_of(self, account: str | None = None) -> dict[str, int]:
        with self._lock:
            counters = self.counters if account is None else self.account_counters.get(account, Counter())
            return dict(counters)

    def clear_counters(self) -> None:
        with self._lock:
            self.counters.clear()
            self.account_counters.clear()

    # --- emission -----------------------------------------------------------------

    def on_status_change(self, registration: Registration, before: str, moment: float) -> None:
        """The store's status listener: one event per registration-level status change."""
        if not self.enabled:
            return
        with self._lock:
            dropped = self._random.random() < self.drop_rate
            event = NativeEvent(
                account=registration.account,
                region=registration.region,
                detail=detail_of(registration, moment),
                time=moment,
                observed_at=time.time(),
                dropped=dropped,
            )
            self._count(event.account, "dropped" if dropped else "emitted")
            hooks = list(self._hooks)
            deliver = not dropped and self.endpoint_url is not None
            if deliver:
                self._pending += 1
        for hook in hooks:
            hook(event)
        if deliver:
            self._ensure_worker()
            self._queue.put(event)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was delivered (or failed); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    # --- delivery (background thread) ---------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._deliver_forever, name="emulator-native-events", daemon=True
                )
                self._worker.start()

    def _deliver_forever(self) -> None:
        while True:
            event = self._queue.get()
            try:
                ok = self._deliver(event)
            except Exception:  # best effort: any failure loses the event
                ok = False
            with self._idle:
                self._count(event.account, "delivered" if ok else "failed")
                self._pending -= 1
                self._idle.notify_all()

    def _deliver(self, event: NativeEvent) -> bool:
        endpoint = self.endpoint_url
        if endpoint is None:
            return False
        client = self._client(endpoint, event.account, event.region)
        response = client.put_events(Entries=[event.entry()])
        return not response.get("FailedEntryCount")

    def _client(self, endpoint: str, account: str, region: str) -> Any:
        key = (endpoint, account, region)
        with self._lock:
            client = self._clients.get(key)
        if client is not None:
            return client
        import boto3
        from botocore.config import Config

        # Only this thread makes clients, from its own session (boto3's default one is not thread-safe).
        if self._session is None:
            self._session = boto3.session.Session()
        config = Config(
            connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2}
        )
        credentials = dict(self._static)
        if account != self._default_account:
            # Another account signs with keys from STS AssumeRole on
            # arn:aws:iam::ACCOUNT:role/<role_name> at the same endpoint: moto issues keys in
            # the role's account (and does not check that the role exists).
            sts = self._session.client(
                "sts", endpoint_url=endpoint, region_name=region, config=config, **credentials
            )
            issued = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{self.role_name}", RoleSessionName="sms-voice-events"
            )["Credentials"]
            credentials = {
                "aws_access_key_id": issued["AccessKeyId"],
                "aws_secret_access_key": issued["SecretAccessKey"],
                "aws_session_token": issued["SessionToken"],
            }
        client = self._session.client(
            "events", endpoint_url=endpoint, region_name=region, config=config, **credentials
        )
        with self._lock:
            self._clients[key] = client
        return client
