"""`make soak`: a simulated day of chaos; prints its table and, with --write-docs, writes it
into docs/reliability.md (section `reliability-soak`).

    python -m tests.soak.run [--seed N] [--registrations 1000] [--ticks 288] [--write-docs]
    python -m tests.soak.run --docs-from benchmarks/results/soak.json   # rewrite the docs only

Exit status 1 when an invariant is violated (the table says which), 2 on bad input.
"""

from __future__ import annotations

import argparse
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
from tests.soak.day import CALL_BUDGET_PER_REGION, RSS_GROWTH_LIMIT, SoakConfig, SoakResult, run_day

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
        type=_whole_number("--registrations (per region)", 1, "e.g. `make soak ARGS='--registrations 1000'`"),
        default=1000,
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
    lines = [
        *stopped,
        f"Seed {config.seed}: {config.registrations_per_region:,} registrations in each of "
        f"{len(config.regions)} regions ({', '.join(config.regions)}), one account (the emulator is "
        f"single-account on this branch); {config.ticks} scans of 5 minutes on the emulator clock "
        f"({config.ticks / 12:g} h), {config.churn_share:.1%} of each region changing per scan "
        f"({config.hidden_share:.0%} hidden from the summary), then a quiet reconciliation cycle of "
        f"{config.catch_up_scans} scans; wall time {result.wall_seconds:,.0f} s.",
        "",
        "| Figure | Value |",
        "|---|---:|",
        f"| Transitions injected (revealed / hidden by the summary) | {len(result.injected):,} "
        f"({revealed:,} / {len(result.injected) - revealed:,}) |",
        f"| Events published, distinct (accepted PutEvents copies) | {len(result.published):,} "
        f"({sum(result.published.values()):,}) |",
        f"| Injected transitions never published | {len(result.unpublished())} |",
        f"| Slack posts / SNS messages | {sum(result.deliveries['slack'].values()):,} / "
        f"{sum(result.deliveries['sns'].values()):,} |",
        f"| Lost: Slack / SNS | {lost['slack']} / {lost['sns']} |",
        f"| Duplicates: SNS | {duplicates['sns']} |",
        f"| Duplicates: Slack (late-accepted posts, documented) | {duplicates['slack']} "
        f"({result.late_accepts()} late accepts struck) |",
        f"| Dead-lettered / redriven / left in DLQs | {result.dead_lettered} / {result.redriven} / "
        f"{result.left_in_dlq} |",
        f"| Failed scanner invocations | {result.failed_invocations} |",
        f"| SMS API requests per scan (all regions): mean / p95 / max | {statistics.fmean(calls or [0]):.1f} "
        "/ "
        f"{_percentile(calls, 0.95)} / {max(calls, default=0)} |",
        f"| SMS API calls per region per completed scan: max (budget {CALL_BUDGET_PER_REGION}) | "
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
    else:
        lines.append(f"| Peak RSS per hour | not measured: {result.rss_note} |")
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
        "(Slack late-accept duplicates counted apart); nothing left in a DLQ after redrive; peak RSS of "
        f"each process not more than {RSS_GROWTH_LIMIT:.0%} higher in the last hour than in the first; "
        f"SMS calls per region per scan ≤ {CALL_BUDGET_PER_REGION}; every planned fault struck. "
        + ("**All held.**" if not violations else "**Violated:** " + "; ".join(violations) + "."),
    ]
    return "\n".join(lines)


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
        seed=arguments.seed, registrations_per_region=arguments.registrations, ticks=arguments.ticks
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
