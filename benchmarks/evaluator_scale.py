"""The evaluator's hourly pass at fleet scale: `python -m benchmarks.run --evaluator [--evaluator-size N]`.

N registration snapshots (as the scanner writes them, spread over targets of 10,000) in a
snapshot table on moto server, in the steady state of an hourly evaluator (the reminders due
an hour ago sent and recorded: this pass publishes only what came due since), the digest
due. The real evaluator handler runs invocation after invocation, each with the deployed
5-minute timeout counted down in wall time (its own time budget decides where it stops),
until its pass completes. Printed and written into
docs/performance.md (section `performance-evaluator`): per invocation the registrations and
pages read and the wall time, the read units of one pass, and whether the one digest went out.

Read units are worked out from the items' sizes with DynamoDB's rules (a Scan reads every item,
filtered or not: 4 KB per unit, half a unit eventually consistent), because moto reports 1 unit
per call. The table is seeded through moto's backend in-process (setting up is not measured);
everything measured goes over HTTP. moto sorts the whole table for every Scan page; the
benchmark keeps that sort between writes (`_sorted_once`). Wall time is this machine against
moto, not Lambda against DynamoDB: moto's pages are still slower (each is found by comparing
the start key with every item before it), so the invocation count is an upper bound.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.config import Config

from benchmarks.cost_inputs import item_size

ACCOUNT = "123456789012"
REGION = "us-east-1"
TABLE = "regwatch-evaluator-bench"
BUS = "regwatch-evaluator-bench"
PER_TARGET = 10_000
LAMBDA_TIMEOUT_SECONDS = 300.0  # infra/evaluator.py
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
# Where the fleet's registrations stand (a steady state: most approved, a few waiting on people).
_MIX = (
    ("COMPLETE", "APPROVED", 0.80),
    ("REVIEWING", "REVIEWING", 0.14),
    ("REQUIRES_UPDATES", "DENIED", 0.03),
    ("REVIEWING", "REQUIRES_AUTHENTICATION", 0.03),
)
_HISTORY_KEY = {
    "APPROVED": "ApprovedTimestamp",
    "REVIEWING": "ReviewingTimestamp",
    "DENIED": "DeniedTimestamp",
    "REQUIRES_AUTHENTICATION": "RequiresAuthenticationTimestamp",
}


@dataclass(frozen=True)
class EvaluatorBenchConfig:
    size: int = 100_000
    seed: int = 7
    timeout_seconds: float = LAMBDA_TIMEOUT_SECONDS


@dataclass(frozen=True)
class InvocationFigures:
    registrations: int
    pages: int
    seconds: float
    complete: bool
    reminders: int
    digest: str | None


@dataclass
class EvaluatorBenchResult:
    config: EvaluatorBenchConfig
    invocations: list[InvocationFigures] = field(default_factory=list)
    table_bytes: int = 0
    items: int = 0
    targets: int = 0
    digests: int = 0
    seed_seconds: float = 0.0

    @property
    def read_units(self) -> float:
        """One pass: an eventually consistent Scan of the whole table."""
        return math.ceil(self.table_bytes / 4096) * 0.5

    @property
    def read_units_before(self) -> float:
        """What the hourly run read before: a consistent Scan for registrations, another for META."""
        return 2 * math.ceil(self.table_bytes / 4096) * 1.0


def _snapshots(size: int, seed: int) -> Iterator[tuple[Any, Any]]:
    from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot

    rng = random.Random(seed)
    weights = [share for *_, share in _MIX]
    for n in range(size):
        registration_status, version_status, _ = rng.choices(_MIX, weights)[0]
        since = NOW - timedelta(hours=rng.randint(1, 24 * 40))
        history = {
            "DraftTimestamp": since - timedelta(days=2),
            "SubmittedTimestamp": since - timedelta(days=1),
        }
        history[_HISTORY_KEY[version_status]] = since
        key = RegionKey(f"{100000000000 + n // PER_TARGET:012d}", REGION)
        yield (
            key,
            RegistrationSnapshot(
                registration_id=f"registration-{rng.getrandbits(128):032x}",
                registration_arn=f"arn:aws:sms-voice:{REGION}:{key.account_id}:registration/r{n}",
                registration_type=rng.choice(("US_TEN_DLC_BRAND_REGISTRATION", "US_TOLL_FREE_REGISTRATION")),
                registration_status=registration_status,
                current_version_number=1,
                approved_version_number=1 if version_status == "APPROVED" else None,
                latest_denied_version_number=1 if version_status == "DENIED" else None,
                versions={1: VersionSnapshot(1, version_status, history)},
                full_read_at=since,
            ),
        )


@contextmanager
def _sorted_once() -> Iterator[None]:
    """moto sorts the whole table on every Scan page (10 s a page at 10,000 items here, hours for
    a pass at 100,000): remember the sorted items while the table holds the same keys, so the
    figures measure regwatch and the HTTP round trips, not moto's sort. Pages, filters and
    results are moto's; an UpdateItem changes the stored item in place, so the kept list stays
    current (a PutItem over an existing key would not be seen: the pass writes only its own
    PASS item that way, which its Scan filters out)."""
    from moto.dynamodb.models.table import Table

    cache: dict[int, tuple[int, list[Any]]] = {}
    original_all_items = Table.all_items

    def all_items(table: Table) -> list[Any]:
        count = sum(len(keys) for keys in table.items.values()) if table.range_key_attr else len(table.items)
        cached = cache.get(id(table))
        if cached is None or cached[0] != count:
            cached = (count, original_all_items(table))
            cache[id(table)] = cached
        return cached[1]

    Table.all_items = all_items  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Table.all_items = original_all_items  # type: ignore[method-assign]


@contextmanager
def _moto(log: Callable[[str], None]) -> Iterator[Any]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port if server._server else 0
    url = f"http://127.0.0.1:{port}"
    saved = {
        name: os.environ.get(name) for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_EVENTBRIDGE")
    }
    os.environ.update({name: url for name in saved})
    log(f"[evaluator] moto server at {url}")
    try:
        yield url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


def _seed(result: EvaluatorBenchResult, log: Callable[[str], None]) -> None:
    import boto3
    from moto.dynamodb.models import dynamodb_backends

    from regwatch.reminders import ReminderPolicy, due_reminders
    from regwatch.snapshot import ScanState
    from regwatch_aws.snapshot_store import DEFAULT_TOMBSTONE_TTL, DynamoSnapshotStore, registration_to_item

    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
    backend = dynamodb_backends[ACCOUNT][REGION]
    started = time.perf_counter()
    keys = set()
    policy = ReminderPolicy()
    for key, snapshot in _snapshots(result.config.size, result.config.seed):
        # The steady state of an hourly evaluator: what was due before now was sent and recorded.
        sent = frozenset(
            r.reminder_id for r in due_reminders(key, snapshot, policy, NOW - timedelta(hours=1))
        )
        item = registration_to_item(key, replace(snapshot, reminders_sent=sent), DEFAULT_TOMBSTONE_TTL)
        backend.put_item(TABLE, item)
        result.table_bytes += item_size(item)
        result.items += 1
        keys.add(key)
    store = DynamoSnapshotStore(client, TABLE)
    for key in sorted(keys, key=lambda k: k.partition):
        store.acquire_lease(key, "bench", NOW, NOW)
        store.release_lease(key, "bench", ScanState(last_scan_completed_at=NOW - timedelta(minutes=5)))
    result.targets = len(keys)
    result.seed_seconds = time.perf_counter() - started
    log(
        f"[evaluator] seeded {result.items:,} registrations in {result.targets} targets "
        f"({result.seed_seconds:.0f} s)"
    )


class _Context:
    """A Lambda context whose remaining time runs down from the deployed timeout in wall time."""

    function_name = "regwatch-evaluator"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:regwatch-evaluator"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def __init__(self, timeout_seconds: float) -> None:
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def run_evaluator_scale(config: EvaluatorBenchConfig, log: Callable[[str], None]) -> EvaluatorBenchResult:
    result = EvaluatorBenchResult(config)
    settings = {
        "SNAPSHOT_TABLE_NAME": TABLE,
        "EVENT_BUS_NAME": BUS,
        "DIGEST_TIME": "08:00",
        "DIGEST_TIMEZONE": "UTC",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "CRITICAL",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",  # moto's; never a real account
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        with _moto(log), _sorted_once():
            _seed(result, log)
            from evaluator import handler

            handler.runtime.reset()
            original, original_config = handler.utc_now, handler._BOTO_CONFIG
            handler.utc_now = lambda: NOW  # the fleet's "now": the digest is due
            # A moto Scan page takes seconds (DynamoDB's: well under the deployed 10 s read timeout).
            handler._BOTO_CONFIG = original_config.merge(Config(read_timeout=120))
            try:
                while not result.invocations or not result.invocations[-1].complete:
                    started = time.perf_counter()
                    summary = handler.lambda_handler({}, _Context(config.timeout_seconds))  # type: ignore[arg-type]
                    figures = InvocationFigures(
                        registrations=int(summary["registrations"]),
                        pages=int(summary["pages"]),
                        seconds=time.perf_counter() - started,
                        complete=bool(summary["complete"]),
                        reminders=sum(summary["remindersPublished"].values()),
                        digest=summary["digest"],
                    )
                    result.invocations.append(figures)
                    log(
                        f"[evaluator] invocation {len(result.invocations)}: {figures.registrations:,} "
                        f"registrations, {figures.pages} pages, {figures.seconds:.0f} s"
                        + (", pass complete" if figures.complete else "")
                    )
            finally:
                handler.utc_now, handler._BOTO_CONFIG = original, original_config
                handler.runtime.reset()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    result.digests = sum(1 for figures in result.invocations if figures.digest)
    return result


def render_evaluator_scale(result: EvaluatorBenchResult) -> str:
    size = result.config.size
    total_seconds = sum(f.seconds for f in result.invocations)
    lines = [
        f"{size:,} registrations in {result.targets} targets ({result.table_bytes / 1e6:.0f} MB of "
        f"snapshot items), digest due; invocation timeout {result.config.timeout_seconds:.0f} s "
        "(the evaluator's own budget stops it 15 s before).",
        "",
        "| Invocation | Registrations read | Pages | Reminders published | Wall time (s) | Pass complete |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for number, figures in enumerate(result.invocations, start=1):
        lines.append(
            f"| {number} | {figures.registrations:,} | {figures.pages} | {figures.reminders:,} | "
            f"{figures.seconds:.0f} | {'yes' if figures.complete else 'no'} |"
        )
    lines += [
        "",
        f"One pass: {len(result.invocations)} invocation(s), "
        f"{sum(f.registrations for f in result.invocations):,} "
        f"registrations read once each, {total_seconds:.0f} s of wall time; read units "
        f"{result.read_units:,.0f} per pass (eventually consistent Scan that also carries the targets' "
        f"scan states) where the hourly run before read {result.read_units_before:,.0f} (two consistent "
        f"Scans: registrations, then scan states); digests published: {result.digests}.",
    ]
    return "\n".join(lines)


__all__ = ["EvaluatorBenchConfig", "EvaluatorBenchResult", "render_evaluator_scale", "run_evaluator_scale"]
