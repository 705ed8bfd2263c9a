"""Injected faults: request-rate quotas, 5xx rates and scripts, latency, expiring tokens.

Faults are set for one operation or for all (operation None); an operation-specific
value wins over the all-operations one, field by field. Rate quotas are token buckets
per (account, region, operation) on real time, like AWS's per-account-and-region API
quotas; token lifetimes run on the emulator clock, so tests can expire a token by
advancing it. Counters count every request, in total and per account.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.emulator.protocol import (
    ACCOUNT_ID,
    ApiError,
    expired_token,
    internal_error,
    service_unavailable,
    throttled,
)

ALL_OPERATIONS = "*"
FAULT_NAMES = (
    "rate_limit",
    "error_rate",
    "error_script",
    "latency_ms",
    "token_ttl_seconds",
    "next_token_ttl_seconds",
)


@dataclass
class FaultSpec:
    rate_limit: float | None = None
    error_rate: float | None = None
    error_script: deque[int | str] | None = None
    latency_ms: float | None = None
    token_ttl_seconds: float | None = None
    next_token_ttl_seconds: float | None = None

    def update(self, faults: dict[str, Any]) -> None:
        for name, value in faults.items():
            if name not in FAULT_NAMES:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_NAMES)}")
            setattr(self, name, deque(value) if name == "error_script" and value is not None else value)

    def describe(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in FAULT_NAMES if getattr(self, name) is not None}
        if "error_script" in out:
            out["error_script"] = list(out["error_script"])
        return out


@dataclass
class _Bucket:
    rate: float
    tokens: float
    stamp: float = field(default_factory=time.monotonic)

    def take(self, rate: float) -> bool:
        now = time.monotonic()
        capacity = max(1.0, rate)
        if rate != self.rate:
            self.rate, self.tokens = rate, min(self.tokens, capacity)
        self.tokens = min(capacity, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


_SCRIPTED: dict[int | str, Callable[[], ApiError]] = {
    500: internal_error,
    503: service_unavailable,
    400: throttled,
    429: throttled,
    "ThrottlingException": throttled,
    "ExpiredTokenException": expired_token,
}


def error_for_code(code: int | str) -> ApiError | None:
    """A scripted answer: 500/503/429 or an error name; 200 (or 0) lets the request through."""
    if code in (0, 200, "OK"):
        return None
    known = _SCRIPTED.get(code)
    if known is not None:
        return known()
    if isinstance(code, str):
        return ApiError(code, f"Injected {code}.")
    return ApiError("InternalServerException", f"Injected HTTP {code}.", status=int(code))


class Faults:
    def __init__(self, rate_limit: float | None = None) -> None:
        self._lock = threading.Lock()
        self._startup_rate_limit = rate_limit
        self._specs: dict[str, FaultSpec] = {}
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._token_first_seen: dict[str, float] = {}
        self._random = random.Random(0)
        self.counters: Counter[str] = Counter()
        self.account_counters: dict[str, Counter[str]] = {}
        self.restore_startup()

    def restore_startup(self) -> None:
        """Back to the faults the server was started with (`--rate-limit`)."""
        with self._lock:
            self._specs.clear()
            self._buckets.clear()
            self._token_first_seen.clear()
            self._random = random.Random(0)
            if self._startup_rate_limit:
                self._specs[ALL_OPERATIONS] = FaultSpec(rate_limit=self._startup_rate_limit)

    def clear(self, operation: str | None = None) -> None:
        with self._lock:
            if operation is None:
                self._specs.clear()
            else:
                self._specs.pop(operation, None)
            self._buckets.clear()

    def set(self, operation: str | None, faults: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            key = operation or ALL_OPERATIONS
            spec = self._specs.setdefault(key, FaultSpec())
            spec.update(faults)
            if "rate_limit" in faults:
                self._buckets.clear()
            if "token_ttl_seconds" in faults:
                self._token_first_seen.clear()
            if "error_rate" in faults:
                self._random = random.Random(0)
            return self.describe()

    def describe(self) -> dict[str, Any]:
        return {operation: spec.describe() for operation, spec in self._specs.items()}

    def _value(self, operation: str, name: str) -> Any:
        for key in (operation, ALL_OPERATIONS):
            spec = self._specs.get(key)
            if spec is not None and getattr(spec, name) is not None:
                return getattr(spec, name)
        return None

    def next_token_ttl(self, operation: str) -> float | None:
        with self._lock:
            ttl = self._value(operation, "next_token_ttl_seconds")
        return float(ttl) if ttl is not None else None

    def latency_seconds(self, operation: str) -> float:
        with self._lock:
            latency = self._value(operation, "latency_ms")
        return float(latency) / 1000.0 if latency else 0.0

    def clear_counters(self) -> None:
        with self._lock:
            self.counters.clear()
            self.account_counters.clear()

    def counters_of(self, account: str | None = None) -> dict[str, int]:
        """All requests (account None) or those of one account."""
        with self._lock:
            counters = self.counters if account is None else self.account_counters.get(account, Counter())
            return dict(counters)

    def _count(self, account: str, key: str) -> None:
        self.counters[key] += 1
        per_account = self.account_counters.get(account)
        if per_account is None:
            per_account = self.account_counters[account] = Counter()
        per_account[key] += 1

    def refuse(self, operation: str, account: str) -> None:
        """Count a request refused before the faults (a denied or suspended account)."""
        with self._lock:
            self._count(account, operation)
            self._count(account, f"{operation}:denied")

    def admit(
        self, operation: str, region: str, credential: str, now: float, account: str = ACCOUNT_ID
    ) -> ApiError | None:
        """Count the request and decide whether an injected fault answers it instead."""
        with self._lock:
            self._count(account, operation)
            error = self._injected(operation, account, region, credential, now)
            if error is not None:
                suffix = "throttled" if error.code == "ThrottlingException" else "faulted"
                self._count(account, f"{operation}:{suffix}")
            return error

    def _injected(
        self, operation: str, account: str, region: str, credential: str, now: float
    ) -> ApiError | None:
        ttl = self._value(operation, "token_ttl_seconds")
        if ttl is not None:
            first_seen = self._token_first_seen.setdefault(credential, now)
            if now - first_seen > float(ttl):
                return expired_token()
        rate = self._value(operation, "rate_limit")
        if rate:
            key = (account, region, operation)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(rate), max(1.0, float(rate)))
            if not bucket.take(float(rate)):
                return throttled()
        script = self._value(operation, "error_script")
        if script:
            return error_for_code(script.popleft())
        error_rate = self._value(operation, "error_rate")
        if error_rate and self._random.random() < float(error_rate):
            return internal_error()
        return None
