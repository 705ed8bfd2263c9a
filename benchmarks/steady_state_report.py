"""The steady-state benchmark's runs and its generated section (benchmarks/steady_state.py).

One row per run: the default change rate for each delivery of AWS's native events (all,
10 % dropped, none) and each listing mode, then the stress rate (the scale table's "1 %
changing per scan") with every event delivered, so the rate behind the figures is in view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from benchmarks.sim_ports import CALL_SECONDS, HOUR, RATE, SCHEDULE_SECONDS
from benchmarks.steady_state import DELIVERIES, RECONCILE_PERIOD, SteadyConfig, SteadyResult

QUOTA_GOAL = 0.25  # of each operation's 1 call/s, averaged over the hour, with native events flowing
DEPLOYED_FULL_LISTING_MINUTES = 15.0
COLUMNS = (
    "Run",
    "Listing",
    "DescribeRegistrations",
    "DescribeRegistrationVersions",
    "Other operations (highest)",
    "Calls per scheduled scan, mean / max",
    "Detection delay p50 / p99 / max",
    "Hidden changes found (latest)",
    "Missed",
    "Scheduled scans: full / in-flight (fallbacks)",
)
MAJOR_OPERATIONS = ("DescribeRegistrations", "DescribeRegistrationVersions")


def steady_configs(
    size: int, rate: float, stress_rate: float, listing_minutes: Sequence[float], seed: int = 7
) -> list[SteadyConfig]:
    """Every delivery × listing mode at `rate`, then `stress_rate` with every event delivered."""
    runs = [
        SteadyConfig(size=size, change_rate=rate, drop_share=drop, full_listing_minutes=minutes, seed=seed)
        for drop in DELIVERIES.values()
        for minutes in listing_minutes
    ]
    runs += [
        SteadyConfig(
            size=size, change_rate=stress_rate, drop_share=0.0, full_listing_minutes=minutes, seed=seed
        )
        for minutes in listing_minutes
    ]
    return runs


def stress_rate(size: int, share: float = 0.01) -> float:
    """The scale table's `share` of the fleet changing per 5-minute scan, as changes per hour."""
    return size * share * HOUR / SCHEDULE_SECONDS


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank of sorted `values` (None if empty)."""
    if not values:
        return None
    return values[max(0, math.ceil(share * len(values)) - 1)]


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 120:
        return f"{value:.1f} s"
    if value < HOUR:
        return f"{value / 60:.1f} min"
    return f"{value / HOUR:.1f} h"


def _share(calls: int, hours: float) -> str:
    return f"{calls:,} ({calls / (hours * HOUR):.1%})"


def listing_label(config: SteadyConfig) -> str:
    if config.full_listing_minutes <= 0:
        return "full every schedule"
    return f"adaptive (full every {config.full_listing_minutes:.0f} min)"


def run_label(config: SteadyConfig) -> str:
    return f"{config.change_rate:,.0f}/h, {config.delivery}"


def quota_shares(result: SteadyResult) -> dict[str, float]:
    hours = result.config.hours * HOUR
    return {operation: calls / hours for operation, calls in result.calls.items()}


def _row(result: SteadyResult) -> list[str]:
    config, hours = result.config, result.config.hours
    others = {op: n for op, n in result.calls.items() if op not in MAJOR_OPERATIONS}
    highest = max(others, key=lambda op: others[op], default=None)
    shown = result.delays(shown=True)
    hidden = result.delays(shown=False)
    hidden_total = sum(1 for c in result.changes if not c.shown)
    per_scan = result.scan_calls
    return [
        run_label(config),
        listing_label(config),
        *(_share(result.calls[op], hours) for op in MAJOR_OPERATIONS),
        f"{highest}: {_share(others[highest], hours)}" if highest else "none",
        f"{sum(per_scan) / len(per_scan):.0f} / {max(per_scan)}" if per_scan else "–",
        " / ".join(_seconds(percentile(shown, q)) for q in (0.5, 0.99, 1.0)),
        f"{len(hidden)} of {hidden_total} ({_seconds(hidden[-1] if hidden else None)})",
        f"**{result.missed}** of {len(result.changes):,}",
        f"{result.listings['full']} / {result.listings['in-flight']} ({result.fallbacks})",
    ]


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def goals(results: Sequence[SteadyResult]) -> list[str]:
    """The issue's goals, checked on the rows they are about."""
    lines = []
    default = [r for r in results if r.config.change_rate == results[0].config.change_rate]
    flowing = [r for r in default if r.config.drop_share == 0.0 and r.config.full_listing_minutes > 0]
    flowing = flowing or [r for r in default if r.config.drop_share == 0.0]
    for result in flowing:
        shares = quota_shares(result)
        operation = max(shares, key=lambda op: shares[op])
        lines.append(
            f"- Native events delivered, {listing_label(result.config)}: highest share of an operation's "
            f"quota {shares[operation]:.1%} ({operation}); goal ≤ {QUOTA_GOAL:.0%}: "
            f"{_verdict(shares[operation] <= QUOTA_GOAL)}."
        )
    for result in default:
        if result.config.drop_share == 1.0:
            lines.append(
                f"- All native events dropped, {listing_label(result.config)}: {result.missed} of "
                f"{len(result.changes)} changes missed; goal 0: {_verdict(result.missed == 0)}."
            )
    for result in default:
        worst = max(result.delays(shown=True), default=None)
        where = (
            f"- {result.config.delivery.capitalize()}, {listing_label(result.config)}: slowest shown change "
        )
        if result.config.drop_share == 0.0:
            goal, bound = "seconds (under a minute)", 60.0
        elif result.config.full_listing_minutes > 0:
            minutes = result.config.full_listing_minutes
            goal, bound = f"within one full-listing interval ({minutes:.0f} min)", minutes * 60
        else:
            lines.append(
                f"{where}detected after {_seconds(worst)} (no interval to hold it to: the baseline row)."
            )
            continue
        lines.append(
            f"{where}detected after {_seconds(worst)}; goal {goal}: "
            f"{_verdict(worst is not None and worst <= bound)}."
        )
    return lines


def render_steady_state(results: Sequence[SteadyResult]) -> str:
    """The generated section's body: one row per run, then the goals and the setup."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_row(result)) + " |" for result in results]
    first = results[0].config
    lines += ["", "Goals (issue 21):", "", *goals(results), ""]
    lines.append(
        f"N = {first.size:,} registrations, {first.in_flight_share:.0%} in flight, the rest COMPLETE; "
        f"{first.hours:g} simulated hour per run, calls counted for the scans and rescans it triggered, "
        f"share = calls / {first.hours * HOUR:,.0f} s of a 1 call/s quota; {RATE} call/s per operation, "
        f"{CALL_SECONDS} s per call once its slot comes; schedule every {SCHEDULE_SECONDS / 60:.0f} min; "
        f"native events {first.event_delay[0]:g}–{first.event_delay[1]:g} s after the change. "
        f"Delays are for changes the summary shows; {first.hidden_share:.0%} of the in-flight steps are "
        "hidden from it, get no native event, and are found by reconciliation "
        f"(every registration re-read within {RECONCILE_PERIOD.total_seconds() / HOUR:.0f} h): the run "
        "goes on after the hour until every change was published or that period passed. Wall time of "
        "the runs: " + ", ".join(f"{r.wall_seconds:.0f} s" for r in results) + "."
    )
    return "\n".join(lines)
