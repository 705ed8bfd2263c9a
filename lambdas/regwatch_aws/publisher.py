"""EventBridge PutEvents as the scan's Publisher port.

Batches of at most 10 entries and 256 KB; a partially failed batch is retried with only
its failed entries (PutEvents answers per entry), with a short backoff. Entries that
still fail raise PublishFailed: the scan then keeps that registration's snapshot, so the
next scan publishes the same events (same ids) again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import PublishFailed

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 256 * 1024
DEFAULT_ATTEMPTS = 4


def entry_size(entry: Mapping[str, Any]) -> int:
    """EventBridge's entry size: Time (14 bytes if set) + Source + DetailType + Detail + Resources."""
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(name, "")).encode("utf-8"))
    return size + sum(len(r.encode("utf-8")) for r in entry.get("Resources", ()))


def batches(entries: Sequence[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    batch_bytes = 0
    for entry in entries:
        size = entry_size(entry)
        if batch and (len(batch) == MAX_BATCH_ENTRIES or batch_bytes + size > MAX_BATCH_BYTES):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(entry)
        batch_bytes += size
    if batch:
        yield batch


class EventBridgePublisher:
    """`client` is a boto3 `events` client (its own retries cover throttling and 5xx of the call)."""

    def __init__(
        self,
        client: Any,
        attempts: int = DEFAULT_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        backoff_seconds: float = 0.2,
    ) -> None:
        self._client = client
        self._attempts = attempts
        self._sleep = sleep
        self._backoff = backoff_seconds
        self.failed_entry_retries = 0

    @property
    def client(self) -> Any:
        return self._client

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> int:
        published = 0
        for batch in batches(entries):
            published += self._put_batch(batch)
        return published

    def _put_batch(self, batch: list[Mapping[str, Any]]) -> int:
        pending = batch
        codes: list[str] = []
        for attempt in range(self._attempts):
            if attempt:
                self.failed_entry_retries += len(pending)
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._client.put_events(Entries=list(pending))
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "ClientError")
                raise PublishFailed(f"PutEvents: {code}", failed=len(pending), error_codes=(code,)) from error
            except BotoCoreError as error:
                raise PublishFailed(f"PutEvents: {error}", failed=len(pending)) from error
            results = response.get("Entries", [])
            failed = [
                entry for entry, result in zip(pending, results, strict=False) if result.get("ErrorCode")
            ]
            # An answer shorter than the request would hide failures: count the missing as failed.
            failed += pending[len(results) :]
            codes = [r["ErrorCode"] for r in results if r.get("ErrorCode")]
            if not failed:
                return len(batch)
            pending = failed
        raise PublishFailed(
            f"PutEvents: {len(pending)} of {len(batch)} entries failed after {self._attempts} attempts: "
            f"{sorted(set(codes))}",
            failed=len(pending),
            error_codes=tuple(sorted(set(codes))),
        )
