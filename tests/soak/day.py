"""A simulated day of chaos: 288 five-minute scans on the emulator clock, many faults at once.

Two accounts (the hub and a member reached by AssumeRole) × two regions, scanned the way
the stack does: dispatcher → scan queue → scanner, one work item per target (fleet.py).

Timeline (emulator clock frozen, advanced 5 minutes per scan as in tests/faults):
  tick 0         baseline scan of every target (no alerts)
  tick 1         a few registrations per target are sent to REQUIRES_AUTHENTICATION, so some
                 authentication waits start during the day and cross a reminder threshold
  ticks 1..T     each target churns (`churn_share` of its registrations move on through
                 review or get a new version, some hidden from the summary), the faults the
                 plan draws for this tick are armed, one schedule runs (dispatcher, scan queue,
                 scanner), EventBridge delivers to both notifiers (retries, dead-letter queues),
                 the faults clear; every `evaluator_every` scans (hourly) the evaluator runs
                 (reminders; the daily digest at its local time) and its events are delivered;
                 the SNS notifier is down for one hour, and its DLQ is redriven when it is back
  then           a quiet reconciliation cycle (RECONCILE_HOURS=1, 12 scans) so the changes the
                 summary hid are read, then every DLQ is redriven.

Invariants (checked by `SoakResult.violations`): every injected transition delivered exactly
once to Slack and to SNS (Slack's documented late-accept duplicate counted separately),
every reminder delivered exactly once to each, exactly one digest per destination for each
local day whose digest time the day passed, no reminder about a status regwatch had
already published as moved on, nothing left in a DLQ (notifiers' and the scan queue's),
peak RSS per hour of each long-lived process not more than 10 % above its first hour's in
the last hour, SMS API calls per target per scan within the steady-state budget (what
0.8 calls/s allows in 5 minutes), the member account's calls filed under its own account.
"""

from __future__ import annotations

import ctypes
import gc
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as local_time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import boto3

from benchmarks.dataset import InjectedTransition
from benchmarks.patience import relax_sdk_timeouts
from benchmarks.transitions import VersionTransition
from regwatch.events import iso_utc
from tests.faults.pipeline import (
    BUS,
    IDEMPOTENCY_TABLE,
    SCAN_INTERVAL_SECONDS,
    SNAPSHOT_TABLE,
    START_EPOCH,
    Pipeline,
    event_ids_in,
)
from tests.faults.sdk_faults import (
    INJECTOR,
    PartialPutEvents,
    WireFault,
    fast_retries,
    install,
    kill_after_next_publish,
)
from tests.soak.chaos import NOTIFIER_DOWN, SCANS_PER_HOUR, DayPlan, Fault, plan_day
from tests.soak.fleet import HUB, MEMBER, SCAN_QUEUE, AccountDataset, Fleet
from tests.soak.stack import SoakStack, behind_iam_gate, soak_stack

# The steady-state budget: at regwatch's default 0.8 Describe calls/s per target (account and
# region), a scan must fit its 5-minute schedule.
CALL_BUDGET_PER_REGION = int(0.8 * 300)
# Reminder thresholds on the compressed clock: the authentication link stays valid 7 days
# (fixed, AWS's), so a warning 167 h (6 days 23 hours) ahead makes AUTHENTICATION_LINK_EXPIRING
# due one hour after a version enters REQUIRES_AUTHENTICATION; other thresholds keep defaults.
SOAK_REMINDER_SETTINGS: dict[str, Any] = {"authLinkWarning": "167h"}
DESTINATIONS = ("slack", "sns")  # both opted in to the digest (digestDestinations)
RSS_GROWTH_LIMIT = 0.10
REGWATCH_PROCESS = "regwatch functions + harness (one process)"
EMULATOR_PROCESS = "SMS API emulator, standing in for AWS (reported, not an invariant)"
SLACK_PROCESS = "Slack webhook sink, standing in for Slack (reported, not an invariant)"
MOTO_PROCESS = "moto, standing in for AWS (reported, not an invariant)"
# The memory invariant is about the process hosting regwatch's functions; the emulator and
# moto stand in for AWS and keep every registration version, item and message they were
# given (DynamoDB TTL never expires in moto).
REGWATCH_PROCESSES = (REGWATCH_PROCESS,)
PROC_MISSING = (
    "peak RSS per hour needs Linux /proc (VmHWM, clear_refs); not measured on this machine — "
    "run `make soak` on Linux for the memory invariant"
)

Probe = Callable[[], int]
_START_ISO = iso_utc(datetime.fromtimestamp(START_EPOCH, UTC))


@dataclass(frozen=True)
class SoakConfig:
    seed: int = 1
    accounts: tuple[str, ...] = (HUB, MEMBER)  # the hub, then members reached by AssumeRole
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    registrations_per_target: int = 500  # per account and region
    ticks: int = 288
    churn_share: float = 0.005
    hidden_share: float = 0.1
    catch_up_scans: int = SCANS_PER_HOUR
    evaluator_every: int = SCANS_PER_HOUR  # the evaluator's schedule: hourly
    authentication_starts: int = 2  # per target, at tick 1: versions sent to REQUIRES_AUTHENTICATION
    digest_time: str = "09:00"
    digest_timezone: str = "Europe/Berlin"

    @property
    def targets(self) -> int:
        return len(self.accounts) * len(self.regions)


@dataclass(frozen=True)
class ReminderSeen:
    kind: str
    status: str
    registration_id: str
    version_number: int
    since: str
    tick: int  # the scan after which the evaluator run that published it ran


@dataclass
class SoakResult:
    config: SoakConfig
    plan: DayPlan
    wall_seconds: float = 0.0
    injected: list[InjectedTransition] = field(default_factory=list)
    published: Counter[str] = field(default_factory=Counter)  # eventId -> accepted PutEvents copies
    # eventIds of the published events that carry the alert (contract 1.1 `alert`, default true):
    # only these are routed to people; the others stay on the bus for automation.
    alerts: set[str] = field(default_factory=set)
    version_events: dict[VersionTransition, str] = field(default_factory=dict)  # transition -> eventId
    deliveries: dict[str, Counter[str]] = field(
        default_factory=lambda: {"slack": Counter(), "sns": Counter()}
    )
    # Alerts a destination did not show because a newer status of the same registration was
    # shown first (a redrive after the outage delivers them late): the ordering rule, not a loss.
    superseded: dict[str, set[str]] = field(default_factory=lambda: {"slack": set(), "sns": set()})
    struck: Counter[str] = field(default_factory=Counter)
    failed_invocations: int = 0
    dead_lettered: int = 0
    redriven: int = 0
    left_in_dlq: int = 0
    calls_per_scan: list[int] = field(default_factory=list)  # SMS API requests (emulator counters)
    # (tick, region, SMS calls) of every completed scan of the day (not the catch-up cycle)
    region_calls: list[tuple[int, str, int]] = field(default_factory=list)
    rss: dict[str, list[int]] = field(default_factory=dict)  # process -> peak RSS per hour (bytes)
    rss_note: str = ""
    # The regwatch process's live heap at the end of each hour: what a leak would grow.
    heap: list[HeapSample] = field(default_factory=list)
    stopped_at: int | None = None  # the last tick run, when the day was stopped early (SIGTERM/SIGINT)
    # reminders and digests (evaluator)
    reminders: dict[str, ReminderSeen] = field(default_factory=dict)  # eventId -> first seen
    digests: dict[str, str] = field(default_factory=dict)  # eventId -> local day
    digest_days_due: set[str] = field(default_factory=set)  # local days whose digest time a run passed
    reminders_after_move: list[str] = field(default_factory=list)  # eventIds
    evaluations: int = 0
    evaluator_failures: int = 0
    sms_calls_by_account: Counter[str] = field(default_factory=Counter)
    left_in_scan_dlq: int = 0
    dispatcher_failures: int = 0  # failed dispatcher invocations (each retried, as Lambda does)
    authentication_started: int = 0  # versions sent to REQUIRES_AUTHENTICATION at tick 1
    # The IAM gate (local/iam): calls checked against each function's role, and those refused.
    iam_checked: set[str] = field(default_factory=set)  # the callers whose calls were checked
    iam_denied: dict[tuple[str, str], int] = field(default_factory=dict)
    # The day deletes no registration: every DELETED event is spurious. A listing flood must
    # end in "Target Deletions Held" events instead (one per target it struck).
    deleted_events: set[str] = field(default_factory=set)
    held_events: set[str] = field(default_factory=set)

    # --- the invariants -----------------------------------------------------------

    def unpublished(self) -> list[InjectedTransition]:
        return [item for item in self.injected if item.transition not in self.version_events]

    def lost(self) -> dict[str, int]:
        return {
            name: sum(
                1
                for event_id in self.alerts
                if counts[event_id] == 0 and event_id not in self.superseded[name]
            )
            for name, counts in self.deliveries.items()
        }

    def duplicates(self) -> dict[str, int]:
        return {name: sum(max(0, n - 1) for n in counts.values()) for name, counts in self.deliveries.items()}

    def late_accepts(self) -> int:
        return self.struck["slack-timeout-accepted-late"]

    def reminder_deliveries(self) -> dict[str, tuple[int, int]]:
        """destination -> (reminders never delivered, duplicate deliveries) among alert reminders."""
        wanted = [event_id for event_id in self.reminders if event_id in self.alerts]
        return {
            name: (
                sum(1 for event_id in wanted if counts[event_id] == 0),
                sum(max(0, counts[event_id] - 1) for event_id in wanted),
            )
            for name, counts in self.deliveries.items()
        }

    def digest_problems(self) -> list[str]:
        found: list[str] = []
        per_day = Counter(self.digests.values())
        for day in sorted(self.digest_days_due | set(per_day)):
            if day not in self.digest_days_due:
                found.append(f"a digest for {day}, whose digest time the day never reached")
            elif per_day[day] != 1:
                found.append(f"{per_day[day]} distinct digests published for {day}")
        for event_id, day in self.digests.items():
            for name in DESTINATIONS:
                if self.deliveries[name][event_id] != 1:
                    found.append(f"the {day} digest reached {name} {self.deliveries[name][event_id]} times")
        return found

    def _fleet_violations(self) -> list[str]:
        """Accounts, the scan queue, reminders and digests."""
        found: list[str] = []
        if self.left_in_scan_dlq:
            found.append(f"{self.left_in_scan_dlq} work items left in the scan queue's dead-letter queue")
        for account in self.config.accounts:
            if not self.sms_calls_by_account[account]:
                found.append(f"no SMS API call was filed under account {account}")
        for name, (lost, duplicated) in self.reminder_deliveries().items():
            if lost or duplicated:
                found.append(f"reminders to {name}: {lost} never delivered, {duplicated} duplicates")
        if self.reminders_after_move:
            found.append(
                f"{len(self.reminders_after_move)} reminders about a status already published as moved on"
            )
        if self.evaluations and not self.reminders:
            found.append("the evaluator ran but published no reminder")
        if self.deleted_events:
            found.append(f"{len(self.deleted_events)} DELETED events on a day that deletes nothing")
        if self.struck["listing-flood"] and not self.held_events:
            found.append("a listing flood struck but no deletions were held")
        return found + self.digest_problems()

    def day_born_authentication_reminders(self) -> int:
        """Authentication reminders about a wait that began during the day."""
        return sum(
            1
            for seen in self.reminders.values()
            if seen.kind.startswith("AUTHENTICATION_LINK") and seen.since >= _START_ISO
        )

    def rss_growth(self) -> dict[str, float]:
        return {
            name: hours[-1] / hours[0] - 1 for name, hours in self.rss.items() if len(hours) >= 2 and hours[0]
        }

    def heap_growth(self) -> float | None:
        """Growth of the regwatch process's live Python blocks from the first hour to the last."""
        if len(self.heap) < 2 or not self.heap[0].python_blocks:
            return None
        return self.heap[-1].python_blocks / self.heap[0].python_blocks - 1

    def malloc_growth(self) -> float | None:
        """Growth of the bytes glibc's malloc has handed out, first hour to last (None: unknown)."""
        if len(self.heap) < 2 or not self.heap[0].malloc_in_use or not self.heap[-1].malloc_in_use:
            return None
        return self.heap[-1].malloc_in_use / self.heap[0].malloc_in_use - 1

    def violations(self) -> list[str]:
        found: list[str] = []
        if self.unpublished():
            found.append(f"{len(self.unpublished())} injected transitions never published")
        for name, lost in self.lost().items():
            if lost:
                found.append(f"{lost} published events never reached {name}")
        duplicates = self.duplicates()
        if duplicates["sns"]:
            found.append(f"{duplicates['sns']} duplicate SNS messages")
        if duplicates["slack"] > self.late_accepts():
            found.append(
                f"{duplicates['slack']} duplicate Slack posts, only {self.late_accepts()} explained by "
                "a late-accepted post"
            )
        if self.left_in_dlq:
            found.append(f"{self.left_in_dlq} messages left in dead-letter queues after redrive")
        found += self._fleet_violations()
        for name, growth in self.rss_growth().items():
            if name in REGWATCH_PROCESSES and growth > RSS_GROWTH_LIMIT:
                found.append(f"peak RSS of {name} grew {growth:.1%} from the first hour to the last")
        over = [calls for _, _, calls in self.region_calls if calls > CALL_BUDGET_PER_REGION]
        if over:
            found.append(f"{len(over)} region scans over the budget of {CALL_BUDGET_PER_REGION} SMS calls")
        last = self.stopped_at if self.stopped_at is not None else self.config.ticks
        planned = {f.kind for tick, faults in self.plan.faults.items() if tick <= last for f in faults}
        if self.plan.notifier_down and self.plan.notifier_down.start <= last:
            planned.add(NOTIFIER_DOWN)
        missing = [kind for kind in planned if not self.struck[kind]]
        if missing:
            found.append(f"planned faults that never struck: {', '.join(sorted(missing))}")
        return found


# --- memory -----------------------------------------------------------------------


def proc_available() -> bool:
    return Path("/proc/self/status").exists() and Path("/proc/self/clear_refs").exists()


def _peak_rss(pid: int | str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak(pid: int | str) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass(frozen=True)
class HeapSample:
    """This process's live heap after a full garbage collection.

    RSS also counts memory the allocators keep after it was freed (glibc's per-thread arenas,
    Python's partly used arenas); live objects are what a leak grows. `python_blocks`: blocks
    Python's allocator has handed out (sys.getallocatedblocks); `malloc_in_use` /
    `malloc_free`: bytes glibc's malloc has handed out / keeps free in its arenas
    (mallinfo2; None where the C library is not glibc ≥ 2.33).
    """

    python_blocks: int
    malloc_in_use: int | None
    malloc_free: int | None


class _MallInfo2(ctypes.Structure):
    _fields_ = [  # glibc's struct mallinfo2
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo2() -> Callable[[], _MallInfo2] | None:
    try:
        function = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError):
        return None
    function.restype = _MallInfo2
    return cast(Callable[[], _MallInfo2], function)


def heap_sample() -> HeapSample:
    gc.collect()
    blocks = sys.getallocatedblocks()
    mallinfo = _mallinfo2()
    if mallinfo is None:
        return HeapSample(blocks, None, None)
    info = mallinfo()
    return HeapSample(blocks, int(info.uordblks), int(info.fordblks))


# --- the day ------------------------------------------------------------------------


class _Day:
    def __init__(
        self,
        stack: SoakStack,
        config: SoakConfig,
        log: Callable[[str], None],
        stop_requested: Callable[[], bool] = lambda: False,
    ) -> None:
        self.stack, self.config, self.log = stack, config, log
        self.stop_requested = stop_requested
        self.plan = plan_day(config.seed, config.ticks)
        self.result = SoakResult(config, self.plan)
        self.pipeline = Pipeline(None, stack.control, stack.slack, stack.monkeypatch, clock=stack.control.now)
        self.fleet = Fleet.wire(
            self.pipeline,
            stack.control,
            stack.monkeypatch,
            regions=config.regions,
            members=config.accounts[1:],
            reminder_settings=SOAK_REMINDER_SETTINGS,
            digest_time=config.digest_time,
            digest_timezone=config.digest_timezone,
        )
        names = {
            "SnapshotTable": SNAPSHOT_TABLE,
            "IdempotencyTable": IDEMPOTENCY_TABLE,
            "EventBus": BUS,
            "ScanQueue": SCAN_QUEUE,
            "NotificationTopic": "regwatch-faults-alerts",
            "SlackWebhookSecret": "regwatch/slack-webhook",
        }
        self.gate = behind_iam_gate(
            stack, self.pipeline, names, regions=config.regions, members=config.accounts[1:]
        )
        self.datasets = [
            AccountDataset(stack.control, account, region, seed=config.seed * 100 + index)
            for index, (account, region) in enumerate(
                (account, region) for account in config.accounts for region in config.regions
            )
        ]
        # (registrationId, version) -> (statusTimestamp, status) of the latest version event published
        self.known_status: dict[tuple[str, int], tuple[str, str]] = {}
        self.processes: dict[str, int | str] = {
            REGWATCH_PROCESS: "self",
            EMULATOR_PROCESS: stack.emulator.pid,
            SLACK_PROCESS: stack.slack.pid,
            MOTO_PROCESS: stack.moto.pid,
        }
        self.slack_queued = 0
        self.measure_rss = proc_available()
        if self.measure_rss:
            self.result.rss = {name: [] for name in self.processes}
        else:
            self.result.rss_note = PROC_MISSING
            log(PROC_MISSING)

    # --- bookkeeping: compact, so the harness itself does not grow through the day

    def collect(self, evaluation: int | None = None) -> None:
        """Count what was published and delivered; `evaluation`: the tick of the evaluator run
        whose events these are (its reminders are checked against what was published before)."""
        pipeline, result = self.pipeline, self.result
        pipeline._collect()
        for detail in pipeline.audit_details:
            event_id = detail.get("eventId")
            if event_id is None:
                continue
            result.published[event_id] += 1
            if detail.get("digest"):
                result.digests.setdefault(event_id, str(detail.get("day")))
                continue
            if detail.get("alert", True):
                result.alerts.add(event_id)
            if detail.get("status") == "DELETED":
                result.deleted_events.add(event_id)
            elif detail.get("status") == "TARGET_DELETIONS_HELD":
                result.held_events.add(event_id)
            if "reminder" in detail:
                self._reminder(event_id, detail, evaluation)
            elif detail.get("scope") == "VERSION":
                key = VersionTransition(
                    detail["registrationId"],
                    int(detail["versionNumber"]),
                    detail["status"],
                    detail["statusTimestamp"],
                )
                result.version_events.setdefault(key, event_id)
                version = (key.registration_id, key.version_number)
                stamp = key.status_timestamp or ""
                latest = self.known_status.get(version)
                if latest is None or latest[0] <= stamp:
                    self.known_status[version] = (stamp, key.status)
        pipeline.audit_details.clear()
        result.deliveries["sns"].update(pipeline.sns_event_ids)
        for name, superseded in pipeline.superseded.items():
            result.superseded.setdefault(name, set()).update(superseded)
        pipeline.sns_event_ids.clear()
        self.stack.slack.wait_idle()
        for payload in list(self.stack.slack.deliveries):
            result.deliveries["slack"].update(event_ids_in(str(payload)))
        self.stack.slack.clear()

    def _reminder(self, event_id: str, detail: dict[str, Any], evaluation: int | None) -> None:
        result = self.result
        if event_id in result.reminders:
            return  # the same reminder published again (a crash before its record): one id
        seen = ReminderSeen(
            detail["reminder"]["kind"],
            detail["status"],
            detail["registrationId"],
            int(detail["versionNumber"]),
            detail["reminder"]["since"],
            evaluation if evaluation is not None else -1,
        )
        result.reminders[event_id] = seen
        # regwatch knew the version had moved on if it had published a later status of it.
        latest = self.known_status.get((seen.registration_id, seen.version_number))
        if latest is not None and latest[0] > seen.since and latest[1] != seen.status:
            result.reminders_after_move.append(event_id)

    def evaluate(self, tick: int) -> None:
        """The hourly evaluator run: reminders, and the digest once its local time has come."""
        config, result = self.config, self.result
        self.collect()  # what the scans published first: the moved-on check compares with it
        now = self.fleet.now()
        local = now.astimezone(ZoneInfo(config.digest_timezone))
        hour, minute = (int(part) for part in config.digest_time.split(":"))
        if local.time() >= local_time(hour, minute):
            result.digest_days_due.add(local.date().isoformat())
        report = self.fleet.evaluate()
        result.evaluations += 1
        if report is None or report.get("errors"):
            result.evaluator_failures += 1
        self.pipeline.drain()
        self.collect(evaluation=tick)

    # --- faults

    def arm(self, fault: Fault) -> Probe:  # noqa: PLR0911 - one branch per fault kind
        control, kind = self.stack.control, fault.kind
        if kind in ("sms-throttle-burst", "sms-500-burst"):
            code: int | str = "ThrottlingException" if kind == "sms-throttle-burst" else 500
            control.set_faults(operation=fault.operation, error_script=[code] * fault.size)
            suffix = "throttled" if code == "ThrottlingException" else "faulted"
            before = int(control.counters().get(f"{fault.operation}:{suffix}", 0))
            return lambda: int(control.counters().get(f"{fault.operation}:{suffix}", 0)) - before
        if kind == "sms-expired-next-token":
            return self._wire(
                WireFault(
                    "pinpoint-sms-voice-v2",
                    "DescribeRegistrations",
                    count=1,
                    status=400,
                    code="ValidationException",
                    when=lambda body: "NextToken" in body,
                    members={"Message": "The NextToken has expired.", "Reason": "INVALID_NEXT_TOKEN"},
                )
            )
        if kind == "scanner-killed-mid-scan":
            return kill_after_next_publish(SNAPSHOT_TABLE)
        if kind == "dynamodb-conflict":
            return self._wire(
                WireFault("dynamodb", "PutItem", 1, table=SNAPSHOT_TABLE, action=_overlapping_write)
            )
        if kind == "dynamodb-throttle-burst":
            return self._wire(
                WireFault(
                    "dynamodb",
                    "*",
                    fault.size,
                    400,
                    "ProvisionedThroughputExceededException",
                    table=SNAPSHOT_TABLE,
                )
            )
        if kind == "putevents-partial-failure":
            partial = PartialPutEvents(calls=1, fail_every=2)
            INJECTOR.partial_put_events = partial
            return lambda: partial.entries_failed
        if kind == "eventbridge-throttle-burst":
            return self._wire(WireFault("events", "PutEvents", fault.size, 400, "ThrottlingException"))
        if kind == "sns-500":
            return self._wire(WireFault("sns", "Publish", fault.size, 500, "InternalError"))
        if kind == "listing-flood":
            return _empty_listings()
        return self._slack(fault)

    def _wire(self, fault: WireFault) -> Probe:
        with INJECTOR.lock:
            INJECTOR.wire.append(fault)
        return lambda: fault.fired

    def _slack(self, fault: Fault) -> Probe:
        scripts: dict[str, list[dict[str, Any]]] = {
            "slack-429": [{"status": 429, "retry_after": 1}] * fault.size,
            "slack-500": [{"status": 500}] * fault.size,
            "slack-timeout-not-accepted": [{"delay": 1.5, "status": 504}],
            "slack-timeout-accepted-late": [{"delay": 1.5}],
        }
        script, slack = scripts[fault.kind], self.stack.slack
        # Scripts are answered in the order queued: this one's share of what was answered by now.
        start = self.slack_queued
        self.slack_queued += len(script)
        slack.script(script)
        return lambda: max(0, min(len(script), self.slack_queued - slack.scripted_left() - start))

    def notifier_down(self) -> None:
        # The SNS notifier's every Publish fails (a deleted topic, a broken policy) for an hour.
        self._wire(WireFault("sns", "Publish", 10**9, 404, "NotFound"))

    def clear_faults(self) -> None:
        self.slack_queued = 0
        self.stack.slack.clear()
        INJECTOR.clear()
        self.stack.control.clear_faults()

    # --- the schedule

    def scan(self, tick: int | None = None) -> None:
        """One schedule (dispatcher, scan queue, scanner per target); `tick` None for scans
        outside the day (baseline, catch-up)."""
        self.pipeline.control.advance_clock(SCAN_INTERVAL_SECONDS)
        items = self.fleet.scan()
        result = self.result
        result.calls_per_scan.append(sum(item.calls for item in items))
        for item in items:
            result.sms_calls_by_account[item.target.split("/")[0]] += item.calls
            if item.failed:
                result.failed_invocations += 1
            elif tick is not None:
                result.region_calls.append((tick, item.target, item.calls))
        self.pipeline.drain()

    def redrive(self, only: str | None = None) -> None:
        sqs = self.pipeline.sqs
        for target in self.pipeline.targets:
            if only is None or target.name == only:
                from local.delivery import redrive

                self.result.redriven += redrive(sqs, target.dead_letter_queue_url, target.delivery)

    def hour_mark(self) -> None:
        if not self.measure_rss:
            return
        for name, pid in self.processes.items():
            self.result.rss[name].append(_peak_rss(pid))
            _reset_peak(pid)
        self.result.heap.append(heap_sample())

    def tick(self, tick: int, carried: list[Fault]) -> list[Fault]:
        """One scheduled scan of the day with its faults; returns the faults that found nothing
        to strike at (no event to deliver, a single listing page): they wait for the next scan."""
        result = self.result
        for dataset in self.datasets:
            if tick == 1:
                result.injected += self.start_authentication(dataset)
            result.injected += dataset.mutate(self.config.churn_share, self.config.hidden_share, tick)
        probes = [(fault, self.arm(fault)) for fault in [*carried, *self.plan.at(tick)]]
        down = tick in self.plan.notifier_down
        if down:
            self.notifier_down()
            result.struck[NOTIFIER_DOWN] += 1
        self.scan(tick)
        self.stack.slack.wait_idle()
        waiting = [fault for fault, probe in probes if probe() == 0]
        result.struck.update(fault.kind for fault, probe in probes if fault not in waiting)
        self.collect()
        self.clear_faults()
        if tick == self.plan.notifier_down.stop:
            self.redrive(only="sns")  # the operator, once the notifier is back
        if tick % self.config.evaluator_every == 0:
            self.evaluate(tick)
        return waiting

    def start_authentication(self, dataset: AccountDataset) -> list[InjectedTransition]:
        """Versions in review that AWS sends to REQUIRES_AUTHENTICATION now: waits that begin
        during the day, long enough (most are not picked by the churn again) to be reminded."""
        chosen = dataset.in_status("REVIEWING")[: self.config.authentication_starts]
        injected: list[InjectedTransition] = []
        for registration_id in chosen:
            version = dataset.current_version(registration_id)
            injected += dataset.set_status(registration_id, version, "REQUIRES_AUTHENTICATION", tick=1)
        self.result.authentication_started += len(chosen)
        return injected

    def run(self) -> SoakResult:
        config, result = self.config, self.result
        started = time.perf_counter()
        for index, dataset in enumerate(self.datasets):
            dataset.generate(config.registrations_per_target, 1, 3, seed=config.seed * 100 + index)
        self.scan()
        self.pipeline.start_measuring()
        result.calls_per_scan.clear()
        if self.measure_rss:
            for pid in self.processes.values():
                _reset_peak(pid)
        carried: list[Fault] = []
        for tick in range(1, config.ticks + 1):
            if self.stop_requested():
                result.stopped_at = tick - 1
                self.log(f"[soak] stopped after tick {tick - 1} of {config.ticks}: checking what ran")
                break
            carried = self.tick(tick, carried)
            if tick % SCANS_PER_HOUR == 0:
                self.hour_mark()
                self.log(
                    f"[soak] tick {tick}/{config.ticks}: injected {len(result.injected)}, "
                    f"published {len(result.published)}, failed invocations {result.failed_invocations}"
                )
        # A quiet reconciliation cycle: what the summary hid is read now.
        self.stack.monkeypatch.setenv("RECONCILE_HOURS", str(config.catch_up_scans / SCANS_PER_HOUR))
        self.pipeline.reset_handlers()
        for _ in range(config.catch_up_scans):
            self.scan()
            self.collect()
        self.redrive()
        self.collect()
        result.dead_lettered = sum(target.stats.dead_lettered for target in self.pipeline.targets)
        result.left_in_dlq = self.pipeline.dead_letter_depth()
        result.left_in_scan_dlq = self.fleet.dead_letter_depth()
        result.dispatcher_failures = self.fleet.dispatcher_failures
        result.iam_checked = {caller for caller, _ in self.gate.checked_by()}
        result.iam_denied = self.gate.denied_by()
        self.gate.stop()
        result.wall_seconds = time.perf_counter() - started
        return result


def _empty_listings() -> Probe:
    """Every DescribeRegistrations answer of this scan is empty (no registrations, no NextToken)."""
    emptied = [0]

    def observer(service: str, name: str, parsed: dict[str, Any]) -> None:
        if name == "DescribeRegistrations":
            parsed["Registrations"] = []
            parsed.pop("NextToken", None)
            emptied[0] += 1

    with INJECTOR.lock:
        INJECTOR.observers.append(observer)
    return lambda: emptied[0]


def _overlapping_write(body: dict[str, Any]) -> None:
    """Another scan writes the same snapshot item just before this scan's conditional write."""
    dynamodb = boto3.client("dynamodb")
    key = {"pk": body["Item"]["pk"], "sk": body["Item"]["sk"]}
    stored = dynamodb.get_item(TableName=SNAPSHOT_TABLE, Key=key, ConsistentRead=True).get("Item")
    if stored is not None:
        stored["revision"] = {"N": str(int(stored["revision"]["N"]) + 1)}
        dynamodb.put_item(TableName=SNAPSHOT_TABLE, Item=stored)


def run_day(
    config: SoakConfig, log: Callable[[str], None] = print, stop_requested: Callable[[], bool] = lambda: False
) -> SoakResult:
    install()
    with soak_stack() as stack, fast_retries():
        stack.monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")
        relax_sdk_timeouts(stack.monkeypatch.setattr)
        try:
            return _Day(stack, config, log, stop_requested).run()
        finally:
            INJECTOR.clear()
