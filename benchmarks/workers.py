"""Each scanner runs in its own child process, so heaps, imports and peak RSS stay apart.

The parent sends "scan at time T" commands over a pipe; the child answers with the
AWS calls it made (botocore hooks, see instrument.py), DynamoDB units, wall time, the
peak RSS of that scan (Linux VmHWM, reset before each scan) and, when asked, the Python
heap peak of that scan (tracemalloc slows a scan down, so it is off unless requested and
wall time is then not comparable).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import sys
import time
import traceback
import tracemalloc
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks import instrument
from benchmarks.pacing import paced_seconds
from benchmarks.patience import relax_sdk_timeouts
from local.lambda_events import LOCAL_ACCOUNT_ID, work_item_event
from local.schedule import merge_summaries

ACCOUNT_ID = "123456789012"


@dataclass
class ScanMeasurement:
    calls: dict[str, int]
    read_units: float
    write_units: float
    wall_seconds: float
    rss_peak_bytes: int
    heap_peak_bytes: int | None
    result: Any = None
    transitions: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    paced_seconds: float = 0.0  # the scan's SMS calls replayed at the deployed pace (pacing.py)


class FakeLambdaContext:
    """What Powertools and the scanner read from a Lambda context, with plenty of time left."""

    def __init__(self, function_name: str, region: str, remaining_millis: int = 900_000) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "bench"
        self._deadline = time.monotonic() + remaining_millis / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _RegwatchRunner:
    """regwatch's real handler, its clock following the emulator's simulated schedule.

    The scanner plans reconciliation from its own clock (`scanner.handler.utc_now`);
    scans here are seconds apart in real time but 5 minutes apart on the emulator, so
    the handler's clock is set to the emulator's time of the scan (plus elapsed time).
    """

    def __init__(self, region: str) -> None:
        import scanner.handler

        self._module = scanner.handler
        self._region = region

    def scan(self, at_epoch: float) -> tuple[Any, list[tuple[str, int, str, str | None]]]:
        started = time.monotonic()

        def emulator_time() -> datetime:
            return datetime.fromtimestamp(at_epoch + (time.monotonic() - started), tz=UTC)

        self._module.utc_now = emulator_time
        context = FakeLambdaContext("regwatch-bench-scanner", self._region)
        # What the deployed path hands the scanner: the dispatcher's work item for the target.
        response = self._module.lambda_handler(work_item_event(LOCAL_ACCOUNT_ID, self._region), context)
        if response.get("batchItemFailures"):
            raise RuntimeError(f"the scan's work item failed: {response}")
        return merge_summaries(response["scans"]), []


class _NaiveRunner:
    def __init__(self, table_name: str) -> None:
        import boto3

        from benchmarks.naive import NaiveScanner

        self._scanner = NaiveScanner(
            boto3.client("pinpoint-sms-voice-v2"), boto3.client("dynamodb"), table_name
        )

    def scan(self, at_epoch: float) -> tuple[Any, list[tuple[str, int, str, str | None]]]:
        outcome = self._scanner.scan()
        summary = {"registrations": outcome.registrations, "baseline": outcome.baseline_registrations}
        return summary, [tuple(t) for t in outcome.transitions]  # type: ignore[misc]


def _reset_peak_rss() -> bool:
    """Linux lets a process reset its peak RSS (VmHWM), so each scan gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_bytes(since_reset: bool) -> int:
    if since_reset:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    # ru_maxrss is the peak of the whole process life: kilobytes on Linux, bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit


def per_scan_peak_rss_supported() -> bool:
    """Per-scan peak RSS needs Linux's /proc (clear_refs resets VmHWM)."""
    return Path("/proc/self/clear_refs").exists() and Path("/proc/self/status").exists()


PER_SCAN_RSS_MISSING = (
    "note: this machine has no Linux /proc, so peak RSS per scan cannot be reset: the RSS rows show "
    "each worker process's lifetime peak (ru_maxrss); run `make bench` on Linux for per-scan figures"
)


def _serve(connection: Connection, kind: str, environment: dict[str, str], naive_table: str) -> None:
    os.environ.update(environment)
    # The handler's logs and EMF metrics would flood the benchmark's output.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of this worker process
    ledger = instrument.install()
    if kind == "regwatch":
        relax_sdk_timeouts()
    region = environment.get("AWS_REGION", "us-east-1")
    runner: _RegwatchRunner | _NaiveRunner = (
        _RegwatchRunner(region) if kind == "regwatch" else _NaiveRunner(naive_table)
    )
    while True:
        command = connection.recv()
        if command is None:
            return
        at_epoch, trace_heap = command
        ledger.reset()
        per_scan_peak = _reset_peak_rss()
        if trace_heap:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            result, transitions = runner.scan(at_epoch)
        except Exception:  # the parent reports it; the child must keep serving
            connection.send({"error": traceback.format_exc()})
            continue
        finally:
            wall = time.perf_counter() - started
            heap_peak = tracemalloc.get_traced_memory()[1] if trace_heap else None
            if trace_heap:
                tracemalloc.stop()
        measured = ledger.snapshot()
        connection.send(
            ScanMeasurement(
                calls=measured["calls"],
                read_units=measured["read_units"],
                write_units=measured["write_units"],
                wall_seconds=wall,
                rss_peak_bytes=_peak_rss_bytes(per_scan_peak),
                heap_peak_bytes=heap_peak,
                result=result if _picklable(result) else repr(result),
                transitions=transitions,
                paced_seconds=paced_seconds(measured["sms_sequence"]),
            )
        )


def _picklable(value: Any) -> bool:
    import pickle

    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


class ScannerProcess:
    """A scanner ("regwatch" or "naive") living in a spawned child process."""

    def __init__(self, kind: str, environment: dict[str, str], naive_table: str = "") -> None:
        context = multiprocessing.get_context("spawn")
        self.kind = kind
        self._connection, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_end, kind, environment, naive_table), daemon=True
        )
        self._process.start()

    def scan(self, at_epoch: float, trace_heap: bool = False) -> ScanMeasurement:
        self._connection.send((at_epoch, trace_heap))
        answer = self._connection.recv()
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(f"{self.kind} scan failed in its worker:\n{answer['error']}")
        assert isinstance(answer, ScanMeasurement)
        return answer

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._connection.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
