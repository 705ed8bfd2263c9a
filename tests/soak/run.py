"""`make soak`: a simulated day of chaos; prints its table and, with --write-docs, writes it
into docs/reliability.md (section `reliability-soak`).

    python -m tests.soak.run [--seed N] [--registrations 500] [--ticks 288] [--write-docs]

--registrations is per target (account and region): 2 accounts × 2 regions.
    python -m tests.soak.run --docs-from benchmarks/results/soak.json   # rewrite the docs only

Exit status 1 when an invariant is violated (the table says which), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import statistics
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.docs_sections import (
    ROOT,
    GeneratedSection,
    Results,
    ResultsFormatError,
    load_results,
    provenance,
)
from benchmarks.readme_figures import write_docs_and_readme
from tests.soak.chaos import KINDS, NOTIFIER_DOWN
from tests.soak.day import (
    CALL_BUDGET_PER_REGION,
    REGWATCH_PROCESS,
    RSS_GROWTH_LIMIT,
    SOAK_REMINDER_SETTINGS,
    SoakConfig,
    SoakResult,
    run_day,
)

RESULTS_FORMAT = 1
RESULTS_FILE = ROOT / "benchmarks" / "results" / "soak.json"
CHAPTER = "## A simulated day of chaos (`make soak`)"
MB = 1024 * 1024


class BadInput(Exception):
    pass


def _whole_number(name: str, minimum: int, example: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise BadInput(f"{name} must be a whole number ≥ {minimum}, got {text!r} ({example})") from None
        if value < minimum:
            raise BadInput(f"{name} must be a whole number ≥ {minimum}, got {value} ({example})")
        return value

    return parse


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.soak.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=_whole_number("soak seed", 0, "e.g. `make soak SEED=7`"), default=1)
    parser.add_argument(
        "--registrations",
        type=_whole_number(
            "--registrations (per account and region)", 1, "e.g. `make soak ARGS='--registrations 500'`"
        ),
        default=500,
    )
    parser.add_argument(
        "--ticks", type=_whole_number("--ticks", 12, "288 is a day of 5-minute scans"), default=288
    )
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/reliability.md")
    parser.add_argument("--docs-from", type=Path, help="write the docs from a saved results file, do not run")
    return parser.parse_args(argv)


def _percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def render(result: SoakResult) -> str:
    config = result.config
    lost, duplicates = result.lost(), result.duplicates()
    revealed = sum(1 for item in result.injected if item.revealed)
    violations = result.violations()
    calls = result.calls_per_scan
    region_calls = [calls for _, _, calls in result.region_calls]
    stopped = (
        []
        if result.stopped_at is None
        else [
            f"**Stopped early** after scan {result.stopped_at} of {config.ticks} "
            f"({result.stopped_at / 12:.1f} h of the day; interrupted, e.g. by a deadline): the figures "
            "and invariants below cover the scans that ran, then the quiet cycle and the redrive.",
            "",
        ]
    )
    hub, *members = config.accounts
    reminder_kinds = Counter(seen.kind for seen in result.reminders.values())
    reminder_delivery = result.reminder_deliveries()
    digest_days = sorted(set(result.digests.values()))
    lines = [
        *stopped,
        f"Seed {config.seed}: {len(config.accounts)} accounts × {len(config.regions)} regions "
        f"({', '.join(config.regions)}), {config.registrations_per_target:,} registrations in each "
        f"(account, region), {config.targets * config.registrations_per_target:,} in all. The hub "
        f"{hub} is scanned with the functions' own credentials, the member "
        f"{', '.join(members)} through moto STS AssumeRole on its spoke role (`TARGET_ACCOUNTS`); "
        "every schedule is the dispatcher → scan queue → scanner, one work item per target. "
        f"{config.ticks} schedules of 5 minutes on the emulator clock ({config.ticks / 12:g} h), "
        f"{config.churn_share:.1%} of each target changing per scan ({config.hidden_share:.0%} hidden "
        f"from the summary), {config.authentication_starts} versions per target sent to "
        "REQUIRES_AUTHENTICATION at the first scan; the evaluator every "
        f"{config.evaluator_every} scans (hourly), the daily digest at {config.digest_time} "
        f"{config.digest_timezone} to Slack and SNS. Evaluator settings for the soak: "
        f"`REMINDER_SETTINGS` {json.dumps(SOAK_REMINDER_SETTINGS)} (the link's 7 days are AWS's, so "
        "AUTHENTICATION_LINK_EXPIRING is due 1 h after a version enters REQUIRES_AUTHENTICATION), "
        f"other thresholds default. Then a quiet reconciliation cycle of {config.catch_up_scans} "
        f"scans; wall time {result.wall_seconds:,.0f} s.",
        "",
        "| Figure | Value |",
        "|---|---:|",
        f"| Targets per schedule: accounts × regions | {len(config.accounts)} × {len(config.regions)} |",
        f"| Transitions injected (revealed / hidden by the summary) | {len(result.injected):,} "
        f"({revealed:,} / {len(result.injected) - revealed:,}) |",
        f"| Events published, distinct (accepted PutEvents copies) | {len(result.published):,} "
        f"({sum(result.published.values()):,}) |",
        f"| Injected transitions never published | {len(result.unpublished())} |",
        f"| Slack posts / SNS messages | {sum(result.deliveries['slack'].values()):,} / "
        f"{sum(result.deliveries['sns'].values()):,} |",
        f"| Lost: Slack / SNS | {lost['slack']} / {lost['sns']} |",
        "| Not shown, a newer status of the registration shown first (ordering rule): Slack / SNS | "
        f"{len(result.superseded['slack'])} / {len(result.superseded['sns'])} |",
        f"| Duplicates: SNS | {duplicates['sns']} |",
        f"| Duplicates: Slack (late-accepted posts, documented) | {duplicates['slack']} "
        f"({result.late_accepts()} late accepts struck) |",
        f"| Dead-lettered / redriven / left in DLQs | {result.dead_lettered} / {result.redriven} / "
        f"{result.left_in_dlq} |",
        f"| Failed invocations: scanner work items / dispatcher (all retried) | "
        f"{result.failed_invocations} / {result.dispatcher_failures} |",
        f"| Work items left in the scan queue's DLQ | {result.left_in_scan_dlq} |",
        "| SMS API requests filed under each account: "
        + " / ".join(["hub", *(["member"] * len(members))])
        + " | "
        + " / ".join(f"{result.sms_calls_by_account[account]:,}" for account in config.accounts)
        + " |",
        f"| Evaluator runs / failed or with errors | {result.evaluations} / {result.evaluator_failures} |",
        f"| Reminders published, distinct | {len(result.reminders):,} ("
        + ", ".join(f"{kind} {count}" for kind, count in sorted(reminder_kinds.items()))
        + ") |",
        f"| Authentication reminders about a wait begun during the day | "
        f"{result.day_born_authentication_reminders()} |",
        "| Reminders lost / duplicated: Slack; SNS | "
        + "; ".join(f"{lost} / {dup}" for lost, dup in reminder_delivery.values())
        + " |",
        f"| Reminders about a status already published as moved on | {len(result.reminders_after_move)} |",
        f"| Daily digests published (local day) / delivered to Slack / SNS | {len(result.digests)} "
        f"({', '.join(digest_days) or 'none'}) / "
        + " / ".join(
            str(sum(result.deliveries[name][event_id] for event_id in result.digests))
            for name in ("slack", "sns")
        )
        + " |",
        f"| SMS API requests per scan (all regions): mean / p95 / max | {statistics.fmean(calls or [0]):.1f} "
        "/ "
        f"{_percentile(calls, 0.95)} / {max(calls, default=0)} |",
        f"| SMS API calls per target per completed scan: max (budget {CALL_BUDGET_PER_REGION}) | "
        f"{max(region_calls, default=0)} |",
    ]
    if result.rss:
        for name, hours in result.rss.items():
            if hours:
                growth = hours[-1] / hours[0] - 1 if hours[0] else 0.0
                lines.append(
                    f"| Peak RSS per hour, {name}: first / last / max (MB), growth | "
                    f"{hours[0] / MB:.0f} / {hours[-1] / MB:.0f} / {max(hours) / MB:.0f}, {growth:+.1%} |"
                )
                # The whole series: a leak climbs hour after hour, data growth or a one-off does not.
                lines.append(
                    f"| Peak RSS per hour, {name}, hours 1–{len(hours)} (MB) | "
                    + " ".join(f"{hour / MB:.0f}" for hour in hours)
                    + " |"
                )
    else:
        lines.append(f"| Peak RSS per hour | not measured: {result.rss_note} |")
    lines += _heap_rows(result)
    last = result.stopped_at if result.stopped_at is not None else config.ticks
    planned: Counter[str] = Counter(
        fault.kind for tick, faults in result.plan.faults.items() if tick <= last for fault in faults
    )
    down = result.plan.notifier_down
    planned[NOTIFIER_DOWN] = int(bool(down) and down.start <= last)
    lines += [
        "",
        "| Fault | Scans planned | Scans struck |",
        "|---|---:|---:|",
        *(
            f"| `{kind}` | {planned[kind]} | {result.struck[kind]} |"
            for kind in (*KINDS, NOTIFIER_DOWN)
            if planned[kind] or result.struck[kind]
        ),
        "",
        (
            f"The SNS notifier was down during scans {down.start}–{down.stop - 1} (planned once; "
            "struck counts the scans) and its DLQ was redriven when it was back."
            if planned[NOTIFIER_DOWN]
            else "The SNS notifier's planned outage lay after the stop."
        ),
        "",
        "Invariants: every injected transition published and delivered exactly once per destination "
        "(Slack late-accept duplicates counted apart); every reminder delivered exactly once per "
        "destination; exactly one digest per destination for each local day whose digest time the "
        "day reached; no reminder about a status regwatch had already published as moved on; nothing "
        "left in a DLQ (notifiers' after redrive, scan queue's); peak RSS of each process not more "
        f"than {RSS_GROWTH_LIMIT:.0%} higher in the last hour than in the first; SMS calls per target "
        f"per scan ≤ {CALL_BUDGET_PER_REGION}; SMS calls filed under every account; every planned "
        "fault struck. "
        + ("**All held.**" if not violations else "**Violated:** " + "; ".join(violations) + "."),
        *_memory_reading(result),
    ]
    return "\n".join(lines)


def _heap_rows(result: SoakResult) -> list[str]:
    if len(result.heap) < 2:
        return []
    first, last = result.heap[0], result.heap[-1]
    rows = [
        f"| Live heap, {REGWATCH_PROCESS}, after the first / last hour: Python blocks allocated, growth | "
        f"{first.python_blocks:,} / {last.python_blocks:,}, {result.heap_growth() or 0:+.1%} |"
    ]
    if (
        first.malloc_in_use
        and last.malloc_in_use
        and first.malloc_free is not None
        and last.malloc_free is not None
    ):
        rows.append(
            "| Live heap, same process: glibc malloc in use, first → last hour; kept free in its arenas, "
            f"first → last hour (MB) | {first.malloc_in_use / MB:.0f} → {last.malloc_in_use / MB:.0f}; "
            f"{first.malloc_free / MB:.0f} → {last.malloc_free / MB:.0f} |"
        )
    return rows


def _memory_reading(result: SoakResult) -> list[str]:
    """What the memory rows say together, when RSS grew past the limit but the live heap did not."""
    growth = result.rss_growth().get(REGWATCH_PROCESS)
    blocks, in_use = result.heap_growth(), result.malloc_growth()
    if growth is None or growth <= RSS_GROWTH_LIMIT or blocks is None or in_use is None:
        return []
    if blocks > RSS_GROWTH_LIMIT or in_use > RSS_GROWTH_LIMIT:
        return []
    return [
        "",
        f"Memory: peak RSS of {REGWATCH_PROCESS} grew {growth:.1%}, while its live heap did not (after a "
        f"full garbage collection each hour: Python blocks {blocks:+.1%}, malloc in use {in_use:+.1%}): "
        "the growth is memory the allocators keep after it was freed, not objects kept alive.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        arguments = parse_arguments(argv)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if arguments.docs_from is not None:
        try:
            saved = load_results(arguments.docs_from, "soak", RESULTS_FORMAT, "make soak")
        except ResultsFormatError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for line in write_docs_and_readme(saved):
            print(f"wrote {line}", file=sys.stderr)
        return 0
    # The notifiers warn about re-added metric dimensions on every invocation: noise here.
    warnings.simplefilter("ignore", UserWarning)
    origin = provenance(("python -m tests.soak.run " + shlex.join(argv)).strip())
    config = SoakConfig(
        seed=arguments.seed, registrations_per_target=arguments.registrations, ticks=arguments.ticks
    )
    # SIGTERM / Ctrl-C: finish the current scan, then check and report what ran (says so).
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    result = run_day(
        config, log=lambda line: print(line, file=sys.stderr, flush=True), stop_requested=stop.is_set
    )
    body = render(result)
    print(body)
    results = Results(
        "soak",
        RESULTS_FORMAT,
        origin,
        (GeneratedSection("reliability-soak", "docs/reliability.md", body, CHAPTER),),
    )
    results.save(RESULTS_FILE)
    if arguments.write_docs:
        for line in write_docs_and_readme(results):
            print(f"wrote {line}", file=sys.stderr)
    return 1 if result.violations() else 0


if __name__ == "__main__":
    raise SystemExit(main())
