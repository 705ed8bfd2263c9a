"""`make cost`: docs/cost.md, dollars per month by service, from a recorded benchmark result.

    python -m benchmarks.cost [--input benchmarks/recorded/cost-inputs.json] [--output docs/cost.md]

Inputs, and nothing typed by hand in the doc:
- a benchmark result (benchmarks/cost_inputs.py writes it next to latest.md on every `make
  bench`; the one the doc is built from is checked in as benchmarks/recorded/cost-inputs.json):
  per measured size, the mean AWS calls per steady-state scan, the DynamoDB capacity units
  they consume (from item sizes), events published, and the snapshot item size;
- benchmarks/prices.json: the price table, with its date, in one place;
- the deployment's defaults (infra/config.py): schedule, apiCallsPerSecond, memory sizes,
  log retention, and the alarms/metrics the stack creates.

What every scan pays is modelled per registration (listing pages, reconciliation reads,
the snapshot query: a straight line through the measured sizes), what changes cost per
change; sizes that were not measured (100,000; the organization's small per-target sizes)
follow from both. Every SMS API call, of a scheduled scan or of a native-event rescan, first
reserves a slot of its target's API budget: one conditional UpdateItem of a small item
(regwatch_aws/api_budget.py), priced from that item's size (`api_budget_write_units`).
A scan is bound by the SMS API rate, so its Lambda duration is calls / apiCallsPerSecond
plus its own (estimated) time, and never more than the schedule interval (a scan that
cannot finish stops at its time budget and the next invocation resumes: the scanner then
runs continuously).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session

from benchmarks.instrument import API_BUDGET_CALLS, item_size
from regwatch_aws.api_budget import TableCallPacer

ROOT = Path(__file__).resolve().parents[1]
# The run docs/cost.md is built from (checked in); `make bench` writes fresh ones to results/.
DEFAULT_INPUT = ROOT / "benchmarks" / "recorded" / "cost-inputs.json"
PRICES = ROOT / "benchmarks" / "prices.json"
DOC = ROOT / "docs" / "cost.md"
SMS_PREFIX = "pinpoint-sms-voice-v2:"
HOURS_PER_MONTH = 730  # AWS pricing's month
SIZES = (1_000, 10_000, 100_000)
ORG_ACCOUNTS = 100
ORG_REGIONS = 2


@dataclass(frozen=True)
class Deployment:
    """The settings the bill depends on (infra/config.py defaults) and a few stated estimates."""

    schedule_minutes: int = 5
    api_calls_per_second: float = 0.8
    scanner_memory_mb: int = 512
    notifier_memory_mb: int = 256
    destinations: int = 2  # Slack and SNS, every event routed to both: an upper bound
    # Status changes per registration and month. A registration changes a few times in its
    # life (submitted, reviewed, approved or denied, a new version…) and then rarely: 1 per
    # month on average is generous. The benchmark injects far more (see `stress`).
    changes_per_registration_per_month: float = 1.0
    log_retention_days: int = 30
    archive_retention_days: int = 30
    # Estimates, not measured by the benchmark (stated in the doc):
    notifier_seconds: float = 0.3  # one webhook POST / SNS publish plus the idempotency record
    event_bytes: int = 2_048  # a contract-v1 event with history and one denial reason
    scan_log_bytes: int = 4_096  # per region scan: summary lines, EMF record, Lambda platform lines
    notification_log_bytes: int = 2_048
    # The benchmark's wall time is not Lambda's (a shared test machine, moto): a scan's own
    # time is estimated as a latency per DynamoDB/EventBridge call plus a fixed start.
    aws_call_seconds: float = 0.02
    scan_overhead_seconds: float = 1.0
    emails_per_notification: int = 1  # SNS email subscribers
    idempotency_write_units: float = 2.0  # Powertools: put the record, then complete it
    idempotency_item_bytes: int = 512
    # AWS's native status-change event, one rescan each (its lookup is one DescribeRegistrations;
    # its reads of the changed registration are the per-change calls, made by whichever of
    # rescan and scan sees the change first). Upper bound: every change is a registration-level
    # status change whose best-effort event arrives (version-level ones have none).
    native_events_per_change: float = 1.0
    rescan_lookup_calls: float = 1.0
    # A rescan racing the scheduled scan for one operation's slot loses a conditional write
    # (billed) and reads the slot again, then the scan's next call does the same: two extra
    # budget writes and consistent reads per rescan call, counted for every rescan (an upper
    # bound: a scan runs a few seconds of every schedule interval).
    budget_races_per_rescan_call: float = 2.0
    # What the stack creates (infra/monitoring.py, the handlers' Powertools metrics):
    fixed_alarms: int = 12  # errors, DLQs, throttles of 3 functions; API throttles; malformed; scan errors
    scanner_metrics: int = 18
    notifier_metrics: int = 4

    @property
    def scans_per_month(self) -> float:
        return HOURS_PER_MONTH * 60 / self.schedule_minutes


def _line(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares intercept and slope (a single point: through the origin)."""
    if len(points) == 1:
        x, y = points[0]
        return 0.0, (y / x if x else 0.0)
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
    return mean_y - slope * mean_x, slope


@dataclass(frozen=True)
class ScanModel:
    """Per-scan quantities of one account-region: a part every scan pays, a part per change.

    Every scan lists all registrations (100 per call), re-reads the versions of the share due
    for reconciliation (1 / (reconcileHours × 12) of them) and queries the whole snapshot
    partition; the rest of the SMS calls, the snapshot writes and the events come from the
    changes the benchmark injected (`changeShare` of the registrations before every scan), so
    they are measured per change and applied to the change rate the model is asked about.
    """

    read_units: tuple[float, float]  # per scan, a line in N (the snapshot query dominates)
    other_calls: tuple[float, float]  # DynamoDB and EventBridge calls per scan
    sms_per_change: float
    writes_per_change: float
    events_per_change: float
    item_bytes: float
    measured_sizes: tuple[int, ...]
    change_share: float
    reconcile_hours: float

    @classmethod
    def from_recording(cls, recording: Mapping[str, Any], budget_write_units: float = 1.0) -> ScanModel:
        sizes = list(recording["sizes"])
        if not sizes:
            raise ValueError("the benchmark result has no measured size")

        def fit(value: Any) -> tuple[float, float]:
            return _line([(float(s["registrations"]), float(value(s))) for s in sizes])

        def sms(size: Mapping[str, Any]) -> float:
            return sum(n for op, n in size["callsPerScan"].items() if op.startswith(SMS_PREFIX))

        def other_calls(size: Mapping[str, Any]) -> float:
            return sum(
                n
                for op, n in size["callsPerScan"].items()
                if not op.startswith(SMS_PREFIX) and op != API_BUDGET_CALLS
            )

        def scan_writes(size: Mapping[str, Any]) -> float:
            # Recordings made since the API budget count its writes; they are priced per SMS call.
            budget = float(size["callsPerScan"].get(API_BUDGET_CALLS, 0.0)) * budget_write_units
            return float(size["writeUnitsPerScan"]) - budget

        def changes(size: Mapping[str, Any]) -> float:
            return float(size["changeShare"]) * float(size["registrations"])

        def per_change(value: Any) -> float:
            return sum(max(0.0, float(value(s))) / changes(s) for s in sizes) / len(sizes)

        reconcile_hours = float(sizes[0].get("reconcileHours", 24.0))

        def change_driven_sms(size: Mapping[str, Any]) -> float:
            registrations = float(size["registrations"])
            every_scan = math.ceil(registrations / 100) + registrations / (reconcile_hours * 12)
            return sms(size) - every_scan

        return cls(
            read_units=fit(lambda s: s["readUnitsPerScan"]),
            other_calls=fit(other_calls),
            sms_per_change=per_change(change_driven_sms),
            writes_per_change=per_change(scan_writes),
            events_per_change=per_change(lambda s: s["eventsPublishedPerScan"]),
            item_bytes=float(recording["snapshotItemBytes"]),
            measured_sizes=tuple(int(s["registrations"]) for s in sizes),
            change_share=float(sizes[0]["changeShare"]),
            reconcile_hours=reconcile_hours,
        )

    @staticmethod
    def at(line: tuple[float, float], registrations: float, floor: float = 0.0) -> float:
        intercept, slope = line
        return max(floor, intercept + slope * registrations)

    def every_scan_sms(self, registrations: float) -> float:
        listing = max(1.0, math.ceil(registrations / 100))
        return listing + registrations / (self.reconcile_hours * 12)


class _RecordingTable:
    """Stands in for the DynamoDB client: keeps the UpdateItem the API budget would send."""

    def __init__(self) -> None:
        self.request: dict[str, Any] = {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.request = request
        return {}


def api_budget_item_bytes() -> int:
    """The largest API-budget item the scanner writes, as DynamoDB sizes it: the real
    TableCallPacer reserves a slot for the longest region and Describe/List operation name."""
    region = max(boto3.session.Session().get_available_regions("pinpoint-sms-voice-v2"), key=len)
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    operation = max((op for op in model.operation_names if op.startswith(("Describe", "List"))), key=len)
    table = _RecordingTable()
    TableCallPacer(table, "snapshot", f"123456789012/{region}", 0.8, sleep=lambda _: None).acquire(operation)
    values = table.request["ExpressionAttributeValues"]
    item = {**table.request["Key"], "nextAt": values[":next"], "expiresAt": values[":ttl"]}
    return item_size(item)


def api_budget_write_units() -> float:
    """Write units of one slot reservation: DynamoDB bills writes per started KB."""
    return float(max(1, math.ceil(api_budget_item_bytes() / 1024)))


@dataclass(frozen=True)
class Usage:
    """Monthly usage of one deployment scanning `targets` account-regions of `per_target` registrations."""

    targets: int
    regions: int
    per_target: float
    scans: float
    sms_calls_per_scan: float
    scan_seconds: float
    scanner_invocations: float
    scanner_gb_seconds: float
    read_units: float
    write_units: float
    rescans: float
    api_budget_write_units: float
    events: float
    notifications: float
    notifier_gb_seconds: float
    storage_gb: float
    log_gb: float


def usage(
    model: ScanModel,
    deployment: Deployment,
    registrations: int,
    targets: int,
    regions: int,
    *,
    budget_write_units: float = 1.0,
) -> Usage:
    per_target = registrations / targets
    scans = deployment.scans_per_month
    changes = per_target * deployment.changes_per_registration_per_month / scans  # per target and scan
    sms_calls = model.every_scan_sms(per_target) + model.sms_per_change * changes
    other = ScanModel.at(model.other_calls, per_target)
    scan_seconds = (
        sms_calls / deployment.api_calls_per_second
        + other * deployment.aws_call_seconds
        + deployment.scan_overhead_seconds
    )
    busy = min(scan_seconds, deployment.schedule_minutes * 60)  # at most continuously busy
    events = model.events_per_change * changes * scans * targets
    rescans = deployment.native_events_per_change * changes * scans * targets
    # A rescan's lookup is its own; its reads of the change are among the scan's per-change calls.
    lookups = rescans * deployment.rescan_lookup_calls
    rescan_calls = rescans * (deployment.rescan_lookup_calls + model.sms_per_change)
    races = rescan_calls * deployment.budget_races_per_rescan_call  # a lost write, a read again
    # A scan that does not fit the interval resumes in the next one: the budget lets at most
    # apiCallsPerSecond calls a second through, so the scheduled calls stop growing there too.
    interval_calls = min(sms_calls, deployment.api_calls_per_second * deployment.schedule_minutes * 60)
    budget_writes = (interval_calls * scans * targets + lookups + races) * budget_write_units
    notifications = events * deployment.destinations
    snapshot_bytes = registrations * model.item_bytes
    idempotency_bytes = notifications * deployment.idempotency_item_bytes / 30  # ~1 day of records live
    log_bytes = (
        scans * targets * deployment.scan_log_bytes + notifications * deployment.notification_log_bytes
    )
    return Usage(
        targets=targets,
        regions=regions,
        per_target=per_target,
        scans=scans,
        sms_calls_per_scan=sms_calls,
        scan_seconds=scan_seconds,
        scanner_invocations=scans * targets,
        scanner_gb_seconds=busy * scans * targets * deployment.scanner_memory_mb / 1024,
        # A lost budget race reads the slot again: one consistent read of a small item.
        read_units=ScanModel.at(model.read_units, per_target, 1.0) * scans * targets + races,
        write_units=(model.writes_per_change * changes + 1) * scans * targets  # + the scan state
        + notifications * deployment.idempotency_write_units
        + budget_writes,
        rescans=rescans,
        api_budget_write_units=budget_writes,
        events=events,
        notifications=notifications,
        notifier_gb_seconds=notifications
        * deployment.notifier_seconds
        * deployment.notifier_memory_mb
        / 1024,
        storage_gb=(snapshot_bytes + idempotency_bytes) / 1024**3,
        log_gb=log_bytes / 1024**3,
    )


def bill(u: Usage, deployment: Deployment, prices: Mapping[str, Any]) -> dict[str, float]:
    """Dollars per month, per service line."""
    lam, ddb, eb = prices["lambda"], prices["dynamodb"], prices["eventbridge"]
    cw, sns, sm, kms = prices["cloudwatch"], prices["sns"], prices["secretsManager"], prices["kms"]
    million = 1_000_000
    invocations = u.scanner_invocations + u.notifications
    event_gb = u.events * deployment.event_bytes / 1024**3
    alarms = deployment.fixed_alarms + u.regions  # plus one missed-scan alarm per monitored region
    metrics = deployment.scanner_metrics + u.regions + deployment.notifier_metrics * deployment.destinations
    retention_months = min(deployment.log_retention_days, 30) / 30
    return {
        "Lambda requests": invocations / million * lam["perMillionRequests"],
        "Lambda compute, scanner": u.scanner_gb_seconds * lam["perGbSecond"],
        "Lambda compute, notifiers": u.notifier_gb_seconds * lam["perGbSecond"],
        "DynamoDB reads": u.read_units / million * ddb["perMillionReadRequestUnits"],
        "DynamoDB writes": u.write_units / million * ddb["perMillionWriteRequestUnits"],
        "DynamoDB storage + PITR": u.storage_gb * (ddb["perGbMonthStorage"] + ddb["perGbMonthPitr"]),
        "EventBridge events": u.events / million * eb["perMillionCustomEvents"],
        "EventBridge archive": event_gb * eb["perGbArchiveProcessed"]
        + event_gb * deployment.archive_retention_days / 30 * eb["perGbMonthArchiveStorage"],
        "CloudWatch metrics": metrics * cw["perMetricMonth"],
        "CloudWatch alarms": alarms * cw["perStandardAlarmMonth"],
        "CloudWatch dashboard": cw["perDashboardMonth"],
        "CloudWatch Logs": u.log_gb * cw["perGbLogsIngested"]
        + u.log_gb * retention_months * cw["perGbMonthLogsStored"],
        "X-Ray traces": invocations / million * prices["xray"]["perMillionTracesRecorded"],
        "SNS": u.notifications / deployment.destinations / million * sns["perMillionPublishes"]
        + u.notifications
        / deployment.destinations
        * deployment.emails_per_notification
        / 100_000
        * sns["perHundredThousandEmails"],
        "Secrets Manager": sm["perSecretMonth"]
        + u.notifications
        / deployment.destinations
        / 10_000
        * sm["perTenThousandCalls"]
        * 0.01,  # fetched once per cold start, ~1 in 100 invocations
        "KMS": kms["perKeyMonth"]
        + u.notifications / deployment.destinations / 10_000 * kms["perTenThousandRequests"],
    }


def _money(value: float) -> str:
    if value >= 100:
        return f"${value:,.0f}"
    if value >= 0.01:
        return f"${value:,.2f}"
    return "<$0.01" if value > 0 else "$0"


def _bill_table(columns: Sequence[tuple[str, dict[str, float]]]) -> list[str]:
    lines = [
        "| Service | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for service in columns[0][1]:
        lines.append(f"| {service} | " + " | ".join(_money(b[service]) for _, b in columns) + " |")
    lines.append("| **Total** | " + " | ".join(f"**{_money(sum(b.values()))}**" for _, b in columns) + " |")
    return lines


def _usage_table(columns: Sequence[tuple[str, Usage]]) -> list[str]:
    rows = [
        ("registrations per account-region", lambda u: f"{u.per_target:,.0f}"),
        ("SMS API calls per scan (each)", lambda u: f"{u.sms_calls_per_scan:,.0f}"),
        ("scan duration at apiCallsPerSecond (s)", lambda u: f"{u.scan_seconds:,.0f}"),
        ("scanner invocations / month", lambda u: f"{u.scanner_invocations:,.0f}"),
        ("DynamoDB read units / month", lambda u: f"{u.read_units:,.0f}"),
        ("DynamoDB write units / month", lambda u: f"{u.write_units:,.0f}"),
        ("… of which API budget (1 per SMS call, races)", lambda u: f"{u.api_budget_write_units:,.0f}"),
        ("native-event rescans / month", lambda u: f"{u.rescans:,.0f}"),
        ("events / month", lambda u: f"{u.events:,.0f}"),
        ("notifications / month", lambda u: f"{u.notifications:,.0f}"),
    ]
    lines = ["| Usage | " + " | ".join(name for name, _ in columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [f"| {label} | " + " | ".join(fmt(u) for _, u in columns) + " |" for label, fmt in rows]
    return lines


def _dominant(bills: Sequence[tuple[str, dict[str, float]]]) -> list[str]:
    lines = []
    for name, b in bills:
        service, amount = max(b.items(), key=lambda item: item[1])
        share = amount / sum(b.values()) if sum(b.values()) else 0.0
        lines.append(f"- {name}: **{service}** ({_money(amount)}, {share:.0%} of {_money(sum(b.values()))})")
    return lines


def _totals(
    model: ScanModel,
    deployment: Deployment,
    prices: Mapping[str, Any],
    targets: int,
    regions: int,
    *,
    budget_units: float,
) -> str:
    usages = (usage(model, deployment, n, targets, regions, budget_write_units=budget_units) for n in SIZES)
    bills = (bill(u, deployment, prices) for u in usages)
    return " / ".join(_money(sum(b.values())) for b in bills)


def render(
    recording: Mapping[str, Any], prices: Mapping[str, Any], deployment: Deployment | None = None
) -> str:
    deployment = deployment or Deployment()
    budget_bytes = api_budget_item_bytes()
    units = api_budget_write_units()
    model = ScanModel.from_recording(recording, units)
    single = [(f"{n:,}", usage(model, deployment, n, 1, 1, budget_write_units=units)) for n in SIZES]
    targets = ORG_ACCOUNTS * ORG_REGIONS
    org = [
        (f"{n:,} in total", usage(model, deployment, n, targets, ORG_REGIONS, budget_write_units=units))
        for n in SIZES
    ]
    single_bills = [(name, bill(u, deployment, prices)) for name, u in single]
    org_bills = [(name, bill(u, deployment, prices)) for name, u in org]
    measured = ", ".join(f"{n:,}" for n in model.measured_sizes)
    stress_rate = model.change_share * deployment.scans_per_month
    stress = dataclasses.replace(deployment, changes_per_registration_per_month=stress_rate)
    lines = [
        "# What regwatch costs per month",
        "",
        "<!-- Generated by `make cost` (benchmarks/cost.py); do not edit by hand. -->",
        "",
        f"Dollars per month, {prices['region']} list prices as of **{prices['asOf']}** "
        f"(benchmarks/prices.json: {prices['source']})",
        "",
        f"Usage comes from a recorded benchmark run (`{recording.get('command', '?')}`, "
        f"{recording.get('recordedAt', '?')}; measured at {measured} registrations): the SMS, DynamoDB "
        "and EventBridge calls of a steady-state scan, the capacity units they consume (from the "
        f"items' sizes) and the snapshot item size ({model.item_bytes:,.0f} bytes). What every scan "
        "pays (listing 100 registrations per call, re-reading the share due for reconciliation, "
        "querying the snapshot) is taken per registration; what the benchmark's injected changes "
        f"cost is taken per change: {model.sms_per_change:.2f} SMS calls, "
        f"{model.writes_per_change:.2f} write units and {model.events_per_change:.2f} events per "
        f"change. The tables assume **{deployment.changes_per_registration_per_month:g} status change "
        "per registration per month** and every event routed to both Slack and SNS. To refresh "
        'from a larger run: `make bench ARGS="--sizes 1000,10000"`, then '
        '`make cost ARGS="--input benchmarks/results/latest.cost-inputs.json"` (and check the new recording '
        "in as benchmarks/recorded/cost-inputs.json).",
        "",
        "Every SMS API call, of a scheduled scan or of a native-event rescan, first reserves a slot "
        "of its target's API budget (regwatch_aws/api_budget.py): one conditional UpdateItem of an "
        f"item of at most {budget_bytes} bytes (the longest region and operation name), so "
        f"{units:g} write unit per call. Rescans: "
        f"{deployment.native_events_per_change:g} AWS native event per change, an upper bound (only "
        "registration-level status changes have one, best effort), each rescan looking the "
        f"registration up with {deployment.rescan_lookup_calls:g} DescribeRegistrations call (its "
        "reads of the change are the per-change calls above, made by whichever of rescan and scan "
        f"sees the change first); {deployment.budget_races_per_rescan_call:g} lost budget races "
        "(a billed failed write and a consistent read each) per rescan call, as if every rescan "
        "ran beside the target's scheduled scan.",
        "",
        f"Deployment defaults: `schedule` rate({deployment.schedule_minutes} minutes) "
        f"({deployment.scans_per_month:,.0f} scans a month), `apiCallsPerSecond` "
        f"{deployment.api_calls_per_second}, `reconcileHours` {model.reconcile_hours:g}, "
        f"`scannerMemoryMb` {deployment.scanner_memory_mb}, `notifierMemoryMb` "
        f"{deployment.notifier_memory_mb}, `logRetentionDays` {deployment.log_retention_days}, "
        f"`archiveRetentionDays` {deployment.archive_retention_days}. No free tier is deducted. Stated "
        f"estimates (not measured): a notification takes {deployment.notifier_seconds} s, an event is "
        f"{deployment.event_bytes / 1024:.0f} KB, a region scan logs "
        f"{deployment.scan_log_bytes / 1024:.0f} KB "
        f"and a notification {deployment.notification_log_bytes / 1024:.0f} KB, one email subscriber, "
        f"and a scan's own time is {deployment.aws_call_seconds * 1000:.0f} ms per DynamoDB/EventBridge "
        f"call plus {deployment.scan_overhead_seconds:.0f} s (the benchmark machine's wall time is not "
        "Lambda's).",
        "",
        "## One account, one region",
        "",
        *_bill_table(single_bills),
        "",
        *_usage_table(single),
        "",
        f"## An organization: {ORG_ACCOUNTS} accounts × {ORG_REGIONS} regions",
        "",
        f"The same registrations spread evenly over {targets} account-regions, scanned by one "
        "deployment (one scanner invocation per account-region and scan, each paced by that "
        "account-region's own API quota); alarms, dashboard, key and secret exist once.",
        "",
        *_bill_table(org_bills),
        "",
        *_usage_table(org),
        "",
        "## What dominates, and which setting moves it",
        "",
        *_dominant(single_bills + org_bills),
        "",
        "- The scanner's Lambda time is bound by the SMS API, not by work: a scan lasts about "
        "`SMS calls / apiCallsPerSecond` seconds, so its cost is `scannerMemoryMb` × that time. "
        "Memory buys nothing while the scan waits for the API: `scannerMemoryMb` 256 halves the line "
        "(check the peak memory in docs/performance.md first). Above about "
        f"{saturation(model, deployment):,.0f} registrations per account-region a scan no longer "
        "fits the schedule and the scanner runs continuously: that line stops growing (and changes "
        "take longer to be noticed).",
        "- `schedule`: every scan lists all registrations (100 per call) and queries the whole "
        "snapshot, so a longer interval divides the scanner, DynamoDB read, request, trace and log "
        "lines, and the API-budget writes (one per SMS call) — and delays alerts.",
        "- `reconcileHours`: the periodic re-read of every registration; longer means fewer SMS "
        "calls per scan.",
        "- The fixed lines (metrics, alarms, dashboard, KMS key, secret) dominate small "
        "deployments: " + _money(_fixed_total(single_bills[0][1])) + " a month whatever the size. "
        f"In an organization the per-target lines (invocations, traces, listing calls, logs) "
        f"multiply by {targets}.",
        "- Changes: events, notifications, SNS, KMS and idempotency writes grow with how often "
        "registrations change. At the benchmark's stress rate "
        f"({model.change_share:.0%} of the registrations before every scan, {stress_rate:,.0f} changes "
        "per registration per month) the totals would be "
        f"{_totals(model, stress, prices, 1, 1, budget_units=units)} for one account-region and "
        f"{_totals(model, stress, prices, targets, ORG_REGIONS, budget_units=units)} for the organization.",
        "",
    ]
    return "\n".join(lines)


def saturation(model: ScanModel, deployment: Deployment) -> float:
    """Registrations per account-region at which a scan takes the whole schedule interval."""
    scans = deployment.scans_per_month
    rate, per_call = deployment.api_calls_per_second, deployment.aws_call_seconds
    other_at, other_slope = model.other_calls
    sms_slope = 1 / 100 + 1 / (model.reconcile_hours * 12)
    sms_slope += model.sms_per_change * deployment.changes_per_registration_per_month / scans
    slope = sms_slope / rate + other_slope * per_call
    room = deployment.schedule_minutes * 60 - other_at * per_call - deployment.scan_overhead_seconds
    return room / slope if slope > 0 else math.inf


FIXED_LINES = ("CloudWatch metrics", "CloudWatch alarms", "CloudWatch dashboard", "Secrets Manager", "KMS")


def _fixed_total(b: Mapping[str, float]) -> float:
    return sum(b[line] for line in FIXED_LINES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--input", type=Path, default=DEFAULT_INPUT, help="benchmark result (cost inputs JSON)"
    )
    parser.add_argument("--prices", type=Path, default=PRICES)
    parser.add_argument("--output", type=Path, default=DOC)
    args = parser.parse_args(argv)
    try:
        recording = json.loads(args.input.read_text(encoding="utf-8"))
        prices = json.loads(args.prices.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"make cost: cannot read {error}: run `make bench` or pass --input", file=sys.stderr)
        return 2
    args.output.write_text(render(recording, prices), encoding="utf-8")
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
