"""Markdown tables of a benchmark run (printed, and written to benchmarks/results/latest.md)."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from benchmarks.docs_sections import machine_description
from benchmarks.instrument import SMS_SERVICE
from benchmarks.measure import ScannerFigures, SizeResult, latency_summary
from benchmarks.pacing import CALL_SECONDS, DEFAULT_RATE
from benchmarks.workers import per_scan_peak_rss_supported

MB = 1024 * 1024
# The targets at N = 10,000 with 1% change.
TARGET_SIZE = 10_000
TARGET_DESCRIBE_CALLS = 300
TARGET_CALL_RATIO = 30.0
TARGET_RSS_BYTES = 256 * MB
SCHEDULE_SECONDS = 300  # the default 5-minute schedule a steady-state scan must fit
PACED_LABEL = (
    f"API-paced time at {DEFAULT_RATE:g} calls/s per operation, calls in recorded order, "
    f"{CALL_SECONDS * 1000:.0f} ms per call (s)"
)


def _ratio(naive: float | None, regwatch: float | None) -> str:
    if naive is None or regwatch is None:
        return "–"
    if regwatch == 0:
        return "∞" if naive else "–"
    return f"{naive / regwatch:.1f}×"


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _sms_total(calls: dict[str, float]) -> float:
    return sum(n for op, n in calls.items() if op.startswith(SMS_SERVICE))


# Reads for names, impact and field-level feedback (lambdas/regwatch/profile.py, issue 11).
PROFILE_OPERATIONS = (
    "DescribeRegistrationFieldValues",
    "ListRegistrationAssociations",
    "ListTagsForResource",
)


def _profile_total(calls: dict[str, float]) -> float:
    return sum(calls.get(f"{SMS_SERVICE}:{op}", 0.0) for op in PROFILE_OPERATIONS)


def _describe_total(calls: dict[str, float]) -> float:
    return sum(n for op, n in calls.items() if op.startswith(f"{SMS_SERVICE}:Describe"))


def _row(label: str, naive: float | None, regwatch: float | None, digits: int = 1) -> str:
    return f"| {label} | {_number(naive, digits)} | {_number(regwatch, digits)} | {_ratio(naive, regwatch)} |"


_SERVICE_LABELS = {SMS_SERVICE: "SMS", "dynamodb": "DynamoDB", "events": "EventBridge"}


def _short(op: str) -> str:
    service, name = op.split(":", 1)
    return f"{_SERVICE_LABELS.get(service, service)} {name}"


def _detection(result: SizeResult, figures: ScannerFigures) -> tuple[str, str, str]:
    summary = latency_summary(result, figures)
    truth = len(result.injected)
    detected = sum(1 for item in result.injected if item.transition in figures.detected_at)
    counts = f"{detected:,} / {truth:,}"
    parts = []
    for label in ("revealed", "hidden"):
        entry = summary[label]
        histogram = ", ".join(f"{scans}: {n}" for scans, n in entry["histogram"].items()) or "none"
        parts.append(f"{label} {entry['detected']}/{entry['injected']} (scans→count {histogram})")
    return counts, parts[0], parts[1]


def _naive_or_none(result: SizeResult, value: float | None) -> float | None:
    return value if result.config.run_naive else None


def size_table(result: SizeResult) -> list[str]:
    config, naive, regwatch = result.config, result.naive, result.regwatch
    naive_calls, regwatch_calls = naive.steady_calls(), regwatch.steady_calls()
    n = functools.partial(_naive_or_none, result)
    lines = [
        f"### N = {config.size:,} registrations, {config.share:.1%} changing per scan "
        f"({config.hidden_share:.0%} of changes hidden from the summary)",
        "",
        *(
            []
            if config.run_naive
            else [
                "The naive scanner was not run at this size (--naive-max-size); its calls are "
                "N/100 + N Describe calls, N GetItem and N PutItem per scan by construction.",
                "",
            ]
        ),
        f"Steady state = mean of {len(regwatch.steady)} scans after the baseline "
        f"(RECONCILE_HOURS={config.reconcile_hours:g}); "
        + (
            f"detection counted after one reconciliation cycle of {regwatch.cycle_scans} further "
            f"regwatch scans at RECONCILE_HOURS={config.cycle_hours:g}."
            if config.run_cycle
            else "no reconciliation cycle run at this size (--cycle-max-size): hidden changes "
            "are still waiting for theirs."
        ),
        "",
        "| Figure (per steady-state scan unless noted) | naive | regwatch | naive/regwatch |",
        "|---|---:|---:|---:|",
    ]
    for op in sorted(set(naive_calls) | set(regwatch_calls)):
        lines.append(
            _row(f"API calls: {_short(op)}", n(naive_calls.get(op, 0.0)), regwatch_calls.get(op, 0.0))
        )
    naive_describe, regwatch_describe = _describe_total(naive_calls), _describe_total(regwatch_calls)
    lines += [
        _row("**SMS API calls, total**", n(_sms_total(naive_calls)), _sms_total(regwatch_calls)),
        _row(
            "of which names, impact and field values (issue 11)",
            n(_profile_total(naive_calls)),
            _profile_total(regwatch_calls),
        ),
        _row(
            "DynamoDB read units (computed from item sizes)",
            n(naive.mean("read_units")),
            regwatch.mean("read_units"),
        ),
        _row(
            "DynamoDB write units (computed from item sizes)",
            n(naive.mean("write_units")),
            regwatch.mean("write_units"),
        ),
        _row(
            "Wall time, emulator quota off (s)",
            n(naive.mean("wall_seconds")),
            regwatch.mean("wall_seconds"),
            2,
        ),
        _row("Projected wall time at 1 Describe call/s (s)", n(naive_describe), regwatch_describe, 0),
        _row(PACED_LABEL, n(naive.mean("paced_seconds")), regwatch.mean("paced_seconds"), 0),
        _row(
            "Baseline (first) scan: SMS API calls",
            n(float(sum(naive.baseline_sms_calls.values()))),
            float(sum(regwatch.baseline_sms_calls.values())),
        ),
        _row(
            "Baseline (first) scan: scanner invocations (a first scan resumes until its listing completes)",
            n(float(naive.baseline_invocations or 1)),
            float(regwatch.baseline_invocations),
        ),
        _row(
            "Baseline (first) scan: wall time, quota off (s)",
            naive.baseline.wall_seconds if naive.baseline else None,
            regwatch.baseline.wall_seconds if regwatch.baseline else None,
            2,
        ),
        _row(
            "Peak RSS of the scanner process, steady-state scans (MB)"
            + ("" if per_scan_peak_rss_supported() else " (lifetime peak: no /proc)"),
            n(naive.steady_rss_peak_bytes() / MB),
            regwatch.steady_rss_peak_bytes() / MB,
        ),
        _row(
            "Peak RSS of the scanner process, baseline scan (MB)",
            n(naive.baseline.rss_peak_bytes / MB if naive.baseline else None),
            regwatch.baseline.rss_peak_bytes / MB if regwatch.baseline else None,
        ),
    ]
    if naive.heap_peak_bytes is not None or regwatch.heap_peak_bytes is not None:
        lines.append(
            _row(
                "Peak Python heap in one scan, tracemalloc (MB)",
                (naive.heap_peak_bytes or 0) / MB,
                (regwatch.heap_peak_bytes or 0) / MB,
            )
        )
    naive_counts, naive_revealed, naive_hidden = (
        _detection(result, naive) if config.run_naive else ("not run", "–", "–")
    )
    regwatch_counts, regwatch_revealed, regwatch_hidden = _detection(result, regwatch)
    naive_spurious = str(len(naive.spurious)) if config.run_naive else "–"
    naive_failed = str(naive.failed_invocations) if config.run_naive else "–"
    when = "after the reconciliation cycle" if config.run_cycle else "no reconciliation cycle run"
    lines += [
        f"| Transitions detected / injected ({when}) | {naive_counts} | {regwatch_counts} | |",
        f"| Scans to detect, summary-revealed changes | {naive_revealed} | {regwatch_revealed} | |",
        f"| Scans to detect, summary-hidden changes | {naive_hidden} | {regwatch_hidden} | |",
        f"| Spurious detections (not injected) | {naive_spurious} | {len(regwatch.spurious)} | |",
        f"| Duplicate events (same eventId twice) | – | {regwatch.duplicate_events} | |",
        f"| Failed scanner invocations (retried like Lambda's async retries) | {naive_failed} | "
        f"{regwatch.failed_invocations} | |",
        f"| Registration-level events (not compared) | – | {regwatch.registration_events} | |",
        "",
    ]
    if regwatch.cycle_sms_calls:
        per_scan = [sum(c.values()) for c in regwatch.cycle_sms_calls]
        lines += [
            f"Reconciliation cycle at RECONCILE_HOURS={config.cycle_hours:g}: regwatch SMS calls per scan "
            f"min {min(per_scan):,} / max {max(per_scan):,} / total {sum(per_scan):,}; "
            f"peak RSS {regwatch.cycle_rss_peak_bytes() / MB:.0f} MB.",
            "",
        ]
    return lines


def targets(result: SizeResult) -> list[str]:
    """The issue's targets, checked on the N = 10,000 run."""
    naive_calls, regwatch_calls = result.naive.steady_calls(), result.regwatch.steady_calls()
    describe = _describe_total(regwatch_calls)
    ratio = _sms_total(naive_calls) / max(1.0, _sms_total(regwatch_calls))
    rss = result.regwatch.steady_rss_peak_bytes()
    baseline_rss = result.regwatch.baseline.rss_peak_bytes if result.regwatch.baseline else 0
    summary = latency_summary(result, result.regwatch)
    revealed, hidden = summary["revealed"], summary["hidden"]
    revealed_next = revealed["detected"] == revealed["injected"] and (revealed["max_scans"] or 1) <= 1
    hidden_in_cycle = hidden["detected"] == hidden["injected"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**MISSED**"

    ratio_ok = ratio >= TARGET_CALL_RATIO
    paced = max((m.paced_seconds for m in result.regwatch.steady), default=0.0)
    return [
        f"Targets at N = {result.config.size:,}, {result.config.share:.0%} change:",
        "",
        f"- Steady-state scan ≤ {TARGET_DESCRIBE_CALLS} Describe calls (fits 5 min at 1 call/s): "
        f"{describe:,.0f} — {verdict(describe <= TARGET_DESCRIBE_CALLS)}",
        f"- Steady-state scan fits the {SCHEDULE_SECONDS // 60}-minute schedule at the default "
        f"{DEFAULT_RATE:g} calls/s per operation (every SMS call, names and impact included, replayed "
        f"through regwatch's token buckets in the order made; slowest steady-state scan): "
        f"{paced:,.0f} s — {verdict(paced <= SCHEDULE_SECONDS)}",
        f"- ≥ {TARGET_CALL_RATIO:.0f}× fewer SMS API calls than naive: {ratio:.1f}× — {verdict(ratio_ok)}",
        f"- Peak memory < 256 MB in a steady-state scan: {rss / MB:.0f} MB RSS — "
        f"{verdict(rss < TARGET_RSS_BYTES)}",
        f"- Peak memory < 256 MB in the baseline (first) scan: {baseline_rss / MB:.0f} MB RSS — "
        f"{verdict(baseline_rss < TARGET_RSS_BYTES)}",
        "- Summary-revealed transitions detected in the next scan: "
        f"{revealed['detected']}/{revealed['injected']}, "
        f"max {revealed['max_scans']} scan(s) — {verdict(revealed_next)}",
        "- Summary-hidden transitions detected within the reconciliation cycle: "
        + (
            f"{hidden['detected']}/{hidden['injected']}, max {hidden['max_scans']} scan(s) — "
            f"{verdict(hidden_in_cycle)}"
            if result.config.run_cycle
            else "not checked: no reconciliation cycle was run at this size (--cycle-max-size)"
        ),
        "",
    ]


def cold_start_table(imports: dict[str, float | None], assets: dict[str, int], asset_note: str) -> list[str]:
    lines = [
        "### Cold start",
        "",
        "| Handler | Import time, median of 5 fresh interpreters (ms) |",
        "|---|---:|",
    ]
    for module, seconds in imports.items():
        lines.append(f"| `{module}` | {'does not import' if seconds is None else f'{seconds * 1000:.0f}'} |")
    if any("," in module for module in imports):
        lines += [
            "",
            "A notifier row imports the handler and its destination's delivery module (`DESTINATION`), "
            "which the notifier loads on its first invocation.",
        ]
    # Import times are CPU-bound: on a shared machine they are upper bounds, so say how busy it was.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines += ["", f"Load average (1 / 5 / 15 min) right after measuring: {load} on {os.cpu_count()} CPUs."]
    lines += ["", f"Bundled asset ({asset_note}):", ""]
    if assets:
        lines += [f"- `{name}`: {size / MB:.1f} MB unzipped" for name, size in assets.items()]
    else:
        lines.append("- not built")
    return [*lines, ""]


def render(
    results: Sequence[SizeResult],
    *,
    imports: dict[str, float | None],
    assets: dict[str, int],
    asset_note: str,
    command: str,
    extra: Sequence[str] = (),
) -> str:
    lines: list[str] = [
        "## Benchmark results",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine_description()}",
        "",
        *extra,
    ]
    for result in results:
        lines += size_table(result)
        if result.config.size == TARGET_SIZE:
            lines += targets(result)
    lines += cold_start_table(imports, assets, asset_note)
    return "\n".join(lines)


def as_dict(result: SizeResult) -> dict[str, Any]:
    """Machine-readable figures (for tests and later comparison)."""
    return {
        "size": result.config.size,
        "injected": len(result.injected),
        "naive": {
            "calls": result.naive.steady_calls(),
            "detected": sum(1 for i in result.injected if i.transition in result.naive.detected_at),
        },
        "regwatch": {
            "calls": result.regwatch.steady_calls(),
            "paced_seconds": result.regwatch.mean("paced_seconds"),
            "detected": sum(1 for i in result.injected if i.transition in result.regwatch.detected_at),
        },
        # The regwatch scanner's calls as the IAM gate judged them against its role (local/iam).
        "iam": {"checked": result.checked_calls, "denied": sum(result.denied_calls.values())},
    }
