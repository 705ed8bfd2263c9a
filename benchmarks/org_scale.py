"""Org-scale benchmark: hundreds of targets (account, region) through the real fan-out.

`python -m benchmarks.run --org-scale` (or `make bench ARGS=--org-scale`). On moto
(Organizations, STS, SQS, DynamoDB, EventBridge) and the multi-account emulator with its
quota on per (account, region, operation):

1. an organization of `accounts` accounts, every one scanned in `regions` (≥ 200 targets);
   most targets are empty, a few small, a few with 1,000–2,000 registrations;
2. one baseline schedule, then `schedules` steady schedules with `change_share` of every
   non-empty target's registrations changed before each;
3. each schedule: the real dispatcher (in process: Organizations discovery, one SQS message
   per target), then a scanner execution environment in its own process draining the scan
   queue one target at a time (benchmarks/org_worker.py), which reports per-target wall
   time, API calls, STS calls and its peak RSS. The scanner's calls go through the IAM gate
   (local/iam): its own with the Scanner role of the synthesized template, the member
   accounts' with the RegwatchSpoke role (benchmarks/iam_gate.py); denied calls are reported.

Time is compressed: the emulator's quota and the scanner's client rate are both multiplied
by `compression`, so a target's API pacing runs `compression` times faster. Real time per
target is projected as its SMS calls, in the order the worker recorded them, replayed
through regwatch's per-operation token buckets at 0.8 calls/s (the default
`apiCallsPerSecond`; benchmarks/pacing.py), plus the target's measured non-API overhead.
The parallel wall time of a schedule is the makespan of those per-target times on
`concurrency` scanners (greedy, in dispatch order).

With `--write-docs` its figures go into the generated section `performance-org-scale` of
docs/performance.md; the steady 10,000-registration scan it projects two regions from is read
from that document's `performance-n10000` section (the latest N = 10,000 run written there).
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

import boto3

from benchmarks import iam_gate
from benchmarks.docs_sections import read_sections, table_cell
from benchmarks.org_worker import RESULT_PREFIX
from benchmarks.stack import fake_aws_environment
from benchmarks.workers import FakeLambdaContext
from local.lambda_events import scheduled_event
from regwatch_aws.planning_index import snapshot_table_request

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
HUB = "123456789012"
TABLE = "regwatch-org-bench"
BUS = "regwatch-org-bench"
SCAN_QUEUE = "org-bench-scan"
SOURCE = "regwatch"
REAL_CLIENT_RATE = 0.8  # default apiCallsPerSecond, per operation, per target
SCHEDULE_SECONDS = 300
MOTO_SERVICES = ("DYNAMODB", "EVENTBRIDGE", "SQS", "STS", "CLOUDWATCH", "ORGANIZATIONS")
PERFORMANCE_DOC = "docs/performance.md"
TEN_K_SECTION = "performance-n10000"
TEN_K_ROW = "SMS API calls, total"
TEN_K_PACED_ROW = "API-paced time"  # benchmarks/pacing.py: the calls replayed at the deployed pace


@dataclass
class OrgScaleConfig:
    accounts: int = 100
    regions: tuple[str, ...] = ("us-east-1", "us-west-2")
    large_sizes: tuple[int, ...] = (1000, 1000)
    small_targets: int = 10
    small_size: int = 20
    compression: float = 100.0
    change_share: float = 0.01
    schedules: int = 2
    concurrency: int = 50
    seed: int = 7


@dataclass
class ScheduleResult:
    kind: str
    targets: list[dict[str, Any]]
    dispatcher_seconds: float
    dispatcher: dict[str, Any]
    assume_role_calls: int
    peak_rss_bytes: int
    worker_failures: int
    injected: int = 0
    detected: int = 0
    events: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SteadyScanReference:
    """A measured steady-state scan's SMS calls, and where the figure was read."""

    calls: float
    source: str
    paced_seconds: float | None = None  # None: a section from before the paced row existed


def ten_k_reference(root: Path = ROOT) -> SteadyScanReference | None:
    """regwatch's steady-state SMS calls at N = 10,000 from the `performance-n10000` section of
    docs/performance.md (written by `make bench`), or None when there is none to read."""
    path = root / PERFORMANCE_DOC
    section = read_sections(path.read_text(encoding="utf-8")).get(TEN_K_SECTION) if path.exists() else None
    cell = table_cell(section.body, TEN_K_ROW, "regwatch") if section else None
    if section is None or cell is None:
        return None
    try:
        calls = float(cell.replace(",", ""))
    except ValueError:
        return None
    paced_cell = table_cell(section.body, TEN_K_PACED_ROW, "regwatch")
    try:
        paced = float(paced_cell.replace(",", "")) if paced_cell else None
    except ValueError:
        paced = None
    return SteadyScanReference(
        calls, f"{PERFORMANCE_DOC}, section `{TEN_K_SECTION}`, measured {section.measured_on}", paced
    )


def projected_seconds(target: dict[str, Any], compression: float) -> float:
    """Real seconds of one target's scan: its API-paced time plus its measured overhead.

    With the worker's paced figures (benchmarks/pacing.py: the calls in the order made,
    each operation on its own token bucket), API time is the replay at the deployed 0.8
    calls/s and 100 ms per call, and the overhead is the wall time beyond the compressed
    run's own pacing waits (it includes the local round trips: an over-, not an
    under-estimate). Results from before those figures: every call one after another at
    0.8/s, an upper bound.
    """
    if "pacedSeconds" in target:
        overhead = max(0.0, target["wallSeconds"] - target["pacedWaitCompressedSeconds"])
        return float(target["pacedSeconds"]) + overhead
    calls = sum(target["apiCalls"].values())
    paced_compressed = calls / (REAL_CLIENT_RATE * compression)
    overhead = max(0.0, target["wallSeconds"] - paced_compressed)
    return calls / REAL_CLIENT_RATE + overhead


def makespan(durations: Sequence[float], workers: int) -> float:
    """Greedy list scheduling in the given order: each item to the first free worker."""
    free = [0.0] * max(1, workers)
    heapq.heapify(free)
    end = 0.0
    for duration in durations:
        start = heapq.heappop(free)
        heapq.heappush(free, start + duration)
        end = max(end, start + duration)
    return end


class _Bench:
    def __init__(self, config: OrgScaleConfig, log: Callable[[str], None]) -> None:
        from moto.server import ThreadedMotoServer

        from local.emulator import EmulatorControl, EmulatorServer

        self.config = config
        self.log = log
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        os.environ.update(fake_aws_environment())
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"
        reset = urllib.request.Request(f"{self.moto_url}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our own loopback server
        for service in MOTO_SERVICES:
            os.environ[f"AWS_ENDPOINT_URL_{service}"] = self.moto_url
        self.emulator = EmulatorServer.start(port=0, rate_limit=config.compression)
        os.environ["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = self.emulator.url
        self.control = EmulatorControl(self.emulator.url)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.gate: Any = None  # started once the organization's accounts exist (provision)
        self.scanner_key = ""
        self.event_ids: Counter[str] = Counter()
        self.registrations: dict[tuple[str, str], list[str]] = {}

    def close(self) -> None:
        if self.gate is not None:
            self.gate.stop()
        self.emulator.stop()
        self.moto.stop()

    def provision(self) -> list[str]:
        organizations = boto3.client("organizations", region_name=REGION)
        organizations.create_organization(FeatureSet="ALL")
        accounts = [HUB] + [
            str(
                organizations.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")[
                    "CreateAccountStatus"
                ]["AccountId"]
            )
            for i in range(self.config.accounts - 1)
        ]
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(**snapshot_table_request(TABLE))
        events = boto3.client("events", region_name=REGION)
        events.create_event_bus(Name=BUS)
        self.tap_url = self.sqs.create_queue(QueueName="org-bench-tap")["QueueUrl"]
        events.put_rule(Name="tap", EventBusName=BUS, EventPattern=json.dumps({"source": [SOURCE]}))
        events.put_targets(
            Rule="tap",
            EventBusName=BUS,
            Targets=[{"Id": "t", "Arn": f"arn:aws:sqs:{REGION}:{HUB}:org-bench-tap"}],
        )
        scan_queue = self.sqs.create_queue(QueueName=SCAN_QUEUE)["QueueUrl"]
        names = {"SnapshotTable": TABLE, "EventBus": BUS, "ScanQueue": SCAN_QUEUE}
        self.gate, keys = iam_gate.start_gate(
            self.moto_url,
            self.emulator.url,
            names,
            regions=self.config.regions,
            region=REGION,
            account=HUB,
            organization_accounts=accounts,
        )
        self.scanner_key = keys[iam_gate.SCANNER_HANDLER]
        os.environ.update(
            {
                "SCAN_QUEUE_URL": scan_queue,
                "SNAPSHOT_TABLE_NAME": TABLE,
                "EVENT_BUS_NAME": BUS,
                "EVENT_SOURCE": SOURCE,
                "MONITORED_REGIONS": ",".join(self.config.regions),
                "API_CALLS_PER_SECOND": f"{REAL_CLIENT_RATE * self.config.compression:g}",
                "BASELINE_ALERTS": "none",
                "HEARTBEAT_MINUTES": "5",
                "ORGANIZATION": json.dumps({"enabled": True}),
                "SPOKE_ROLE_NAME": "regwatch-spoke-reader",
                "POWERTOOLS_SERVICE_NAME": "regwatch-scanner",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "POWERTOOLS_METRICS_NAMESPACE": "regwatch-bench",
            }
        )
        return accounts

    def seed(self, accounts: list[str]) -> dict[str, int]:
        targets = [(account, region) for account in accounts for region in self.config.regions]
        chooser = random.Random(self.config.seed)
        chosen = chooser.sample(targets, len(self.config.large_sizes) + self.config.small_targets)
        sizes = [*self.config.large_sizes, *[self.config.small_size] * self.config.small_targets]
        for index, ((account, region), size) in enumerate(zip(chosen, sizes, strict=True)):
            ids = self.control.generate(
                region, size, versions_min=1, versions_max=3, seed=index, account=account
            )
            self.registrations[(account, region)] = list(ids)
        return {f"{a}/{r}": len(ids) for (a, r), ids in self.registrations.items()}

    def inject(self, round_number: int) -> set[str]:
        chooser = random.Random(self.config.seed * 1000 + round_number)
        changed: set[str] = set()
        for (account, region), ids in sorted(self.registrations.items()):
            count = max(1, round(self.config.change_share * len(ids)))
            for registration_id in chooser.sample(ids, count):
                # A change the summary shows (the registration status moves), as most real ones do;
                # hidden changes are the reconciliation's job, measured by the single-account bench.
                current = self.control.get_registration(region, registration_id, account=account)
                status = "APPROVED" if current["RegistrationStatus"] == "REQUIRES_UPDATES" else "DENIED"
                self.control.set_version_status(region, registration_id, "current", status, account=account)
                changed.add(registration_id)
        return changed

    def schedule(self, kind: str) -> ScheduleResult:
        from dispatcher.dependencies import get_dependencies
        from dispatcher.handler import lambda_handler

        get_dependencies.cache_clear()
        started = time.perf_counter()
        dispatched = lambda_handler(
            scheduled_event(REGION),
            FakeLambdaContext("regwatch-dispatcher", REGION, remaining_millis=120_000),
        )
        dispatcher_seconds = time.perf_counter() - started
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
            # The scanner's execution environment reaches AWS through the IAM gate, as its role.
            **self.gate.endpoint_environment(),
            "AWS_ACCESS_KEY_ID": self.scanner_key,
        }
        worker = subprocess.run(
            [sys.executable, "-m", "benchmarks.org_worker"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        lines = [line for line in worker.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if worker.returncode != 0 or not lines:
            raise RuntimeError(f"scanner worker failed: {worker.stderr[-3000:]}")
        report = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
        return ScheduleResult(
            kind=kind,
            targets=report["targets"],
            dispatcher_seconds=dispatcher_seconds,
            dispatcher=dispatched,
            assume_role_calls=report["assumeRoleCalls"],
            peak_rss_bytes=report["peakRssBytes"],
            worker_failures=report["failures"],
        )

    def drain_events(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.tap_url, ReceiptHandle=message["ReceiptHandle"])


def run_org_scale(
    config: OrgScaleConfig, log: Callable[[str], None]
) -> tuple[list[ScheduleResult], dict[str, int]]:
    bench = _Bench(config, log)
    try:
        accounts = bench.provision()
        sizes = bench.seed(accounts)
        log(
            f"org-scale: {len(accounts)} accounts x {len(config.regions)} regions, "
            f"{len(sizes)} non-empty targets"
        )
        results = []
        for number in range(config.schedules + 1):
            kind = "baseline" if number == 0 else f"steady {number}"
            changed = bench.inject(number) if number else set()
            bench.control.advance_clock(SCHEDULE_SECONDS)
            result = bench.schedule(kind)
            events = bench.drain_events()
            bench.event_ids.update(e["detail"]["eventId"] for e in events)
            seen = {e["detail"].get("registrationId") for e in events}
            result.injected, result.detected, result.events = len(changed), len(changed & seen), len(events)
            result.sizes = sizes
            results.append(result)
            log(
                f"org-scale: {kind}: {len(result.targets)} targets, {len(events)} events, "
                f"{result.detected}/{result.injected} detected"
            )
        duplicates = sum(count - 1 for count in bench.event_ids.values() if count > 1)
        log(f"org-scale: {bench.gate.summary()}")
        totals = {
            "duplicates": duplicates,
            "eventIds": len(bench.event_ids),
            "deniedCalls": bench.gate.denied_total,
        }
        return results, totals
    finally:
        bench.close()


def _size_of(target: dict[str, Any], sizes: dict[str, int]) -> int:
    return sizes.get(str(target["target"]), 0)


def _ten_k_seconds(ten_k: SteadyScanReference) -> tuple[float, str]:
    """A steady 10,000 scan's API time: its paced time when the section has it, else every
    call one after another at the client rate (an upper bound); and how it was obtained."""
    if ten_k.paced_seconds is not None:
        return ten_k.paced_seconds, f"paced at {REAL_CLIENT_RATE}/s per operation"
    return ten_k.calls / REAL_CLIENT_RATE, f"all at {REAL_CLIENT_RATE}/s one after another"


def _two_regions_line(ten_k: SteadyScanReference | None) -> str:
    if ten_k is None:
        return (
            "Two regions of 10,000 registrations in one account: each region is its own target with its "
            f"own quota, so they run side by side; no N = 10,000 result in {PERFORMANCE_DOC} "
            f"(section `{TEN_K_SECTION}`) to project one from: run `make bench ARGS=--sizes 10000`."
        )
    seconds, how = _ten_k_seconds(ten_k)
    verdict = "both fit one" if seconds <= SCHEDULE_SECONDS else "each overruns a"
    return (
        "Two regions of 10,000 registrations in one account: each region is its own target with its own "
        f"quota, so they run side by side; a steady 10,000-registration scan made {ten_k.calls:,g} SMS "
        f"calls ({ten_k.source}) = {seconds:.0f} s {how}, so {verdict} 5-minute "
        f"schedule ({seconds:.0f} s vs {SCHEDULE_SECONDS} s; one after the other they would take "
        f"{2 * seconds:.0f} s)."
    )


def render_org_scale(
    config: OrgScaleConfig,
    results: list[ScheduleResult],
    totals: dict[str, int],
    ten_k: SteadyScanReference | None = None,
) -> str:
    """The section body: setup, one row per schedule, projections and the issue's targets."""
    c = config.compression
    lines = [
        f"{config.accounts} accounts (moto Organizations) × {len(config.regions)} regions = "
        f"{config.accounts * len(config.regions)} targets; non-empty: {len(config.large_sizes)} with "
        f"{', '.join(str(s) for s in config.large_sizes)} registrations, {config.small_targets} with "
        f"{config.small_size}; the rest empty. {config.change_share:.0%} of each non-empty target's "
        "registrations change before each steady schedule.",
        f"Time compressed ×{c:g}: emulator quota {c:g} calls/s and scanner rate "
        f"{REAL_CLIENT_RATE * c:g} calls/s per (account, region, operation), i.e. 1 and "
        f"{REAL_CLIENT_RATE} calls/s in real time. Projected real time per target = its SMS calls in "
        f"the order made, replayed through regwatch's per-operation token buckets at {REAL_CLIENT_RATE} "
        "calls/s and 100 ms per call (benchmarks/pacing.py), + measured non-API overhead; parallel wall "
        f"time = makespan on {config.concurrency} scanners.",
        "",
        "| Schedule | Targets | Sequential (projected real, s) | Parallel at "
        f"{config.concurrency} (projected, s) | Speed-up | SMS calls/target (mean / max) | STS AssumeRole | "
        "Dispatcher (s, SQS batches) | Peak RSS of one scanner process (MB) | Detected / injected |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        durations = [projected_seconds(t, c) for t in result.targets]
        calls = [sum(t["apiCalls"].values()) for t in result.targets]
        sequential = sum(durations)
        parallel = makespan(durations, config.concurrency)
        lines.append(
            f"| {result.kind} | {len(result.targets)} | {sequential:,.0f} | {parallel:,.0f} | "
            f"{sequential / parallel if parallel else 0:.1f}× | {mean(calls):.1f} / {max(calls)} | "
            f"{result.assume_role_calls} | {result.dispatcher_seconds:.2f}, "
            f"{result.dispatcher.get('sqsBatches')} | "
            f"{result.peak_rss_bytes / 1e6:.0f} | {result.detected} / {result.injected} |"
        )
    failures = sum(r.worker_failures for r in results)
    detected = sum(r.detected for r in results)
    injected = sum(r.injected for r in results)
    rss = [r.peak_rss_bytes / 1e6 for r in results]
    events = (
        f"Events: {totals['eventIds']} distinct eventIds, **{totals['duplicates']} duplicated**; "
        f"scanner work items failed: {failures}; STS calls = one per member target per "
        "scanner environment (credentials cached until 16 min before expiry)."
    )
    if "deniedCalls" in totals:
        events += f" IAM (local/iam gate, the template's roles): {totals['deniedCalls']} denied calls."
    steady = [t for r in results[1:] for t in r.targets]
    sizes = results[0].sizes
    empty = [projected_seconds(t, c) for t in steady if _size_of(t, sizes) == 0]
    thousand = [projected_seconds(t, c) for t in steady if _size_of(t, sizes) == 1000]
    if not empty or not thousand:
        return "\n".join(
            [*lines, "", "(no empty or no 1,000-registration target measured: no projection)", "", events]
        )
    empty_calls = mean(sum(t["apiCalls"].values()) for t in steady if _size_of(t, sizes) == 0)
    thousand_calls = mean(sum(t["apiCalls"].values()) for t in steady if _size_of(t, sizes) == 1000)
    targets_4k = 1000 * 4
    large_4k = round(0.05 * targets_4k)
    plan = [mean(thousand)] * large_4k + [mean(empty)] * (targets_4k - large_4k)
    projected = {workers: makespan(plan, workers) for workers in (50, 20)}
    for workers, projected_4k in projected.items():
        lines.append("")
        lines.append(
            f"Projection, 1,000 accounts × 4 regions (95 % empty at {mean(empty):.1f} s and "
            f"{empty_calls:.1f} calls each, 5 % with 1,000 registrations at {mean(thousand):.0f} s and "
            f"{thousand_calls:.1f} calls each, "
            f"measured steady-state means) at concurrency {workers}: **{projected_4k:,.0f} s** per schedule "
            f"({'within' if projected_4k <= SCHEDULE_SECONDS else 'over'} the 5-minute schedule; sequential "
            f"{sum(plan):,.0f} s)."
        )
    ten_k_text = (
        f"**{_ten_k_seconds(ten_k)[0]:.0f} s** each (target: one 5-minute schedule)"
        if ten_k is not None
        else "not projected (no N = 10,000 result)"
    )
    lines += [
        "",
        _two_regions_line(ten_k),
        events,
        "",
        "Against the issue's targets: 1,000 accounts × 4 regions (95 % empty, 5 % with 1,000 "
        f"registrations) projects to **{projected[50]:,.0f} s at concurrency 50** (target: within "
        f"{SCHEDULE_SECONDS // 60} minutes at ≤ 50), bounded by the {large_4k} large targets "
        f"({mean(thousand):.0f} s each) spread over 50 scanners; two regions of 10,000 registrations "
        f"in one account run as two targets side by side, {ten_k_text}; "
        f"**{injected - detected} lost** ({detected}/{injected} detected) and "
        f"**{totals['duplicates']} duplicated** events. Peak RSS of one scanner process that scanned "
        f"all {len(results[0].targets)} targets one after another: {min(rss):.0f}–{max(rss):.0f} MB.",
    ]
    return "\n".join(lines)


def main_org_scale(config: OrgScaleConfig, output: Path, log: Callable[[str], None]) -> str:
    """Run the scenario, write `output` (Markdown) and return the body of its doc section."""
    started = time.perf_counter()
    results, totals = run_org_scale(config, log)
    body = render_org_scale(config, results, totals, ten_k_reference())
    body += f"\n\nBenchmark time: {time.perf_counter() - started:.0f} s."
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        f"## Org scale: every account and region of an organization, fanned out\n\n{body}\n", encoding="utf-8"
    )
    return body


__all__ = ["OrgScaleConfig", "SteadyScanReference", "main_org_scale", "makespan", "ten_k_reference"]
