"""`python -m benchmarks.run [--sizes 1000,10000,100000] [--write-docs]`: what `make bench` runs.

Prints the tables, writes benchmarks/results/latest.md and latest.json (the results the
generated sections are written from) and latest.cost-inputs.json (the cost model's input,
benchmarks/cost.py). With `--write-docs` (what `make bench` passes) it writes its generated
sections into docs/performance.md (one per size, plus cold start), then README.md's quotes of
them (benchmarks/readme_figures.py). `--docs-from FILE` writes the sections of an earlier run's
results file without measuring. `--org-scale` runs the organization fan-out scenario instead
(benchmarks/org_scale.py): results/org-scale.md and .json, and with `--write-docs` the section
`performance-org-scale`. `--scenario latency` runs the alert-latency scenario
(benchmarks/latency.py): results/latency.md, and with `--write-docs` `performance-latency`.
`--evaluator [--evaluator-size N]` runs the evaluator's pass at fleet scale
(benchmarks/evaluator_scale.py): results/evaluator.md, and with `--write-docs`
`performance-evaluator`.
`--scenario burst` runs a burst of native events for one account (benchmarks/burst.py):
results/burst.md, and with `--write-docs` `performance-native-burst`.
`--first-scan [--first-scan-size N]` runs one target's first scan at the deployed pace on a
simulated clock, triage-first and in listing order (benchmarks/first_scan.py):
results/first-scan.md, and with `--write-docs` `performance-first-scan`.
`--steady-state [--steady-size N] [--steady-change-rate R]` runs a simulated hour of steady
state with AWS's native events delivered, 10 % dropped and all dropped, plus the stress rate
(benchmarks/steady_state.py): results/steady-state.md, and with `--write-docs`
`performance-steady-state`.
`--cold-start-only [--build-asset]` measures only the handlers' import times and the asset
(benchmarks/coldstart.py): results/cold-start.json, and with `--write-docs` `performance-cold-start`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3

from benchmarks import burst, latency
from benchmarks.coldstart import HANDLER_MODULES, asset_sizes, import_seconds
from benchmarks.cost_inputs import snapshot_item_bytes, write_cost_inputs
from benchmarks.docs_sections import GeneratedSection, Results, ResultsFormatError, load_results, provenance
from benchmarks.evaluator_scale import EvaluatorBenchConfig, render_evaluator_scale, run_evaluator_scale
from benchmarks.first_scan import FirstScanConfig, render_first_scan, run_first_scan
from benchmarks.measure import RunConfig, SizeResult, run_size
from benchmarks.org_scale import OrgScaleConfig, main_org_scale
from benchmarks.readme_figures import write_docs_and_readme
from benchmarks.report import TARGET_SIZE, cold_start_table, render, size_table, targets
from benchmarks.stack import SNAPSHOT_TABLE, local_stack
from benchmarks.steady_state import run_steady_state
from benchmarks.steady_state_report import render_steady_state, steady_configs, stress_rate
from benchmarks.workers import PER_SCAN_RSS_MISSING, per_scan_peak_rss_supported
from scanner.settings import DEFAULT_FULL_LISTING_MINUTES

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
RESULTS_FORMAT = 2  # format 1: latest.md only, hand-copied into the docs
SCENARIOS = ("scale", "latency", "burst")
PERFORMANCE_DOC = "docs/performance.md"
RESULTS_CHAPTER = "## Results as measured"
ORG_SCALE_CHAPTER = "## Org scale (`make bench ARGS=--org-scale`)"
EVALUATOR_CHAPTER = "## Evaluator at fleet scale (`make bench ARGS=--evaluator`)"
FIRST_SCAN_CHAPTER = "## First scan at the deployed pace (`make bench ARGS=--first-scan`)"
STEADY_STATE_CHAPTER = "## A steady-state hour at the deployed pace (`make bench ARGS=--steady-state`)"
# Listing modes the steady state compares: a full listing on every schedule (0, adaptive
# listing off, what regwatch did before) and adaptive listing at the deployed interval.
STEADY_LISTING_MINUTES = (0.0, DEFAULT_FULL_LISTING_MINUTES)


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10_000, 100_000], help="comma-separated N")
    parser.add_argument("--share", type=float, default=0.01, help="share of registrations changing per scan")
    parser.add_argument("--hidden-share", type=float, default=0.2, help="share of changes the summary hides")
    parser.add_argument("--steady-scans", type=int, default=3, help="scans with changes after the baseline")
    parser.add_argument("--reconcile-hours", type=float, default=24.0, help="RECONCILE_HOURS of steady scans")
    parser.add_argument(
        "--cycle-hours", type=float, default=1.0, help="RECONCILE_HOURS of the detection cycle"
    )
    parser.add_argument(
        "--cycle-max-size", type=int, default=10_000, help="skip the reconciliation cycle above this N"
    )
    parser.add_argument(
        "--naive-max-size", type=int, default=10_000, help="run the naive scanner up to this N only"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trace-heap", action="store_true", help="tracemalloc every scan (slows wall time)")
    parser.add_argument("--build-asset", action="store_true", help="synthesize app.py to measure the asset")
    parser.add_argument("--no-cold-start", action="store_true", help="skip import timing and asset size")
    parser.add_argument(
        "--cold-start-only", action="store_true", help="only import timing and asset size (no scale run)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--org-scale",
        action="store_true",
        help="run the org-scale fan-out scenario only (benchmarks/org_scale.py; results/org-scale.md)",
    )
    parser.add_argument("--org-accounts", type=int, default=100, help="org-scale: accounts (x 2 regions)")
    parser.add_argument("--org-compression", type=float, default=100.0, help="org-scale: time compression")
    parser.add_argument(
        "--evaluator",
        action="store_true",
        help="run the evaluator's pass at fleet scale only (benchmarks/evaluator_scale.py)",
    )
    parser.add_argument(
        "--evaluator-size", type=int, default=100_000, help="evaluator: registrations (default %(default)s)"
    )
    parser.add_argument(
        "--first-scan",
        action="store_true",
        help="run the paced first scan of one large target only (benchmarks/first_scan.py, simulated clock)",
    )
    parser.add_argument(
        "--first-scan-size", type=int, default=100_000, help="first scan: registrations (default %(default)s)"
    )
    parser.add_argument(
        "--steady-state",
        action="store_true",
        help="run a simulated steady-state hour of one target only (benchmarks/steady_state.py)",
    )
    parser.add_argument(
        "--steady-size", type=int, default=10_000, help="steady state: registrations (default %(default)s)"
    )
    parser.add_argument(
        "--steady-change-rate",
        type=float,
        default=60.0,
        help="steady state: changes per simulated hour (default %(default)s; stress row: 1 %% per scan)",
    )
    parser.add_argument(
        "--steady-hours", type=float, default=1.0, help="steady state: simulated hours per run (default 1)"
    )
    parser.add_argument("--scenario", default="scale", help=f"one of: {', '.join(SCENARIOS)}")
    latency.add_arguments(parser)
    burst.add_arguments(parser)
    parser.add_argument("--write-docs", action="store_true", help="write the generated doc sections")
    parser.add_argument("--docs-from", type=Path, help="write the doc sections of a saved results .json")
    return parser.parse_args(argv)


def sections(
    results: list[SizeResult],
    imports: dict[str, float | None],
    assets: dict[str, int],
    note: str,
    cold_start: bool,
) -> list[GeneratedSection]:
    """The doc sections of a run: one per size and cold start (the README quotes them)."""
    out = []
    for result in results:
        body = size_table(result)
        if result.config.size == TARGET_SIZE:
            body += targets(result)
        out.append(
            GeneratedSection(
                f"performance-n{result.config.size}", PERFORMANCE_DOC, "\n".join(body), RESULTS_CHAPTER
            )
        )
    if cold_start:
        out.append(
            GeneratedSection(
                "performance-cold-start",
                PERFORMANCE_DOC,
                "\n".join(cold_start_table(imports, assets, note)),
                RESULTS_CHAPTER,
            )
        )
    return out


def _docs_from(path: Path) -> int:
    try:
        saved = load_results(path, "bench", RESULTS_FORMAT, "make bench")
    except ResultsFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in write_docs_and_readme(saved):
        print(f"wrote {line}", file=sys.stderr)
    return 0


def _org_scale(arguments: argparse.Namespace, origin: Any) -> int:
    """`--org-scale`: the organization-wide projection (benchmarks/org_scale.py)."""
    output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("org-scale.md")
    org_config = OrgScaleConfig(accounts=arguments.org_accounts, compression=arguments.org_compression)
    body = main_org_scale(org_config, output, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(body)
    print(f"\nwritten to {output}", file=sys.stderr)
    org_results = Results(
        "bench",
        RESULTS_FORMAT,
        origin,
        (GeneratedSection("performance-org-scale", PERFORMANCE_DOC, body, ORG_SCALE_CHAPTER),),
    )
    org_results.save(output.with_suffix(".json"))
    return _write_docs(org_results, arguments.write_docs)


def _latency_or_burst(arguments: argparse.Namespace, origin: Any) -> int:
    """`--scenario latency` (benchmarks/latency.py) or `--scenario burst` (benchmarks/burst.py)."""
    if arguments.scenario == "latency":
        output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("latency.md")
        return _write_docs(
            latency.main_latency(latency.config_from(arguments), origin, output, RESULTS_FORMAT),
            arguments.write_docs,
        )
    output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("burst.md")
    measured = burst.main_burst(burst.config_from(arguments), origin, output, RESULTS_FORMAT)
    return _write_docs(measured, arguments.write_docs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    if arguments.scenario not in SCENARIOS:
        print(
            f"error: unknown bench scenario {arguments.scenario!r}; scenarios: {', '.join(SCENARIOS)} "
            "(e.g. `make bench ARGS='--scenario scale --sizes 1000'`)",
            file=sys.stderr,
        )
        return 2
    if arguments.docs_from is not None:
        return _docs_from(arguments.docs_from)
    if not per_scan_peak_rss_supported():
        print(PER_SCAN_RSS_MISSING, file=sys.stderr)
    command = ("python -m benchmarks.run " + shlex.join(argv)).strip()
    origin = provenance(command)
    if arguments.org_scale:
        return _org_scale(arguments, origin)
    single = _first_scan if arguments.first_scan else _evaluator if arguments.evaluator else None
    single = _steady_state if arguments.steady_state else single
    single = _cold_start_only if arguments.cold_start_only else single
    if single is not None:
        return single(arguments, origin)
    if arguments.scenario in ("latency", "burst"):
        return _latency_or_burst(arguments, origin)
    started = time.perf_counter()
    results: list[SizeResult] = []
    with local_stack() as stack:
        for size in arguments.sizes:
            config = RunConfig(
                size=size,
                share=arguments.share,
                hidden_share=arguments.hidden_share,
                steady_scans=arguments.steady_scans,
                reconcile_hours=arguments.reconcile_hours,
                cycle_hours=arguments.cycle_hours,
                run_cycle=size <= arguments.cycle_max_size,
                run_naive=size <= arguments.naive_max_size,
                seed=arguments.seed,
                trace_heap=arguments.trace_heap,
            )
            results.append(run_size(stack, config, log=lambda line: print(line, file=sys.stderr, flush=True)))
        # The cost model's input (benchmarks/cost.py); the table still holds the last size's snapshot.
        item_bytes = snapshot_item_bytes(boto3.client("dynamodb"), SNAPSHOT_TABLE)
    imports: dict[str, float | None] = {}
    assets: dict[str, int] = {}
    asset_note = "skipped"
    if not arguments.no_cold_start:
        imports = {module: import_seconds(module) for module in HANDLER_MODULES}
        assets, asset_note = asset_sizes(build=arguments.build_asset)
    extra = [f"Total benchmark time: {time.perf_counter() - started:.0f} s.", ""]
    text = render(
        results, imports=imports, assets=assets, asset_note=asset_note, command=command.strip(), extra=extra
    )
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")
    write_cost_inputs(
        results, item_bytes, arguments.output.with_name(arguments.output.stem + ".cost-inputs.json"), command
    )
    print(f"\nwritten to {arguments.output}", file=sys.stderr)
    saved = Results(
        "bench",
        RESULTS_FORMAT,
        origin,
        tuple(sections(results, imports, assets, asset_note, cold_start=not arguments.no_cold_start)),
    )
    saved.save(arguments.output.with_suffix(".json"))
    return _write_docs(saved, arguments.write_docs)


def _cold_start_only(arguments: argparse.Namespace, origin: Any) -> int:
    """`--cold-start-only`: the cold-start section alone, without a scale run."""
    imports = {module: import_seconds(module) for module in HANDLER_MODULES}
    assets, asset_note = asset_sizes(build=arguments.build_asset)
    measured = Results(
        "bench", RESULTS_FORMAT, origin, tuple(sections([], imports, assets, asset_note, True))
    )
    print(measured.sections[0].body)
    measured.save(RESULTS.with_name("cold-start.json"))
    return _write_docs(measured, arguments.write_docs)


def _evaluator(arguments: argparse.Namespace, origin: Any) -> int:
    output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("evaluator.md")
    started = time.perf_counter()
    result = run_evaluator_scale(
        EvaluatorBenchConfig(size=arguments.evaluator_size, seed=arguments.seed),
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    body = render_evaluator_scale(result) + f"\n\nBenchmark time: {time.perf_counter() - started:.0f} s."
    print(body)
    section = GeneratedSection("performance-evaluator", PERFORMANCE_DOC, body, EVALUATOR_CHAPTER)
    return _save_section(origin, output, "Evaluator at fleet scale", section, arguments.write_docs)


def _first_scan(arguments: argparse.Namespace, origin: Any) -> int:
    output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("first-scan.md")
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    size, seed = arguments.first_scan_size, arguments.seed
    configs = [FirstScanConfig(size=size, triage=triage, seed=seed) for triage in (True, False)]
    runs = [run_first_scan(config, log) for config in configs]
    body = render_first_scan(runs)
    print(body)
    section = GeneratedSection("performance-first-scan", PERFORMANCE_DOC, body, FIRST_SCAN_CHAPTER)
    return _save_section(origin, output, "First scan at the deployed pace", section, arguments.write_docs)


def _steady_state(arguments: argparse.Namespace, origin: Any) -> int:
    output = arguments.output if arguments.output != RESULTS else RESULTS.with_name("steady-state.md")
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    size = arguments.steady_size
    if size < 1 or arguments.steady_change_rate <= 0 or arguments.steady_hours <= 0:
        print(
            "error: --steady-size, --steady-change-rate and --steady-hours must be positive "
            "(e.g. `--steady-size 10000 --steady-change-rate 60`)",
            file=sys.stderr,
        )
        return 2
    configs = steady_configs(
        size, arguments.steady_change_rate, stress_rate(size), STEADY_LISTING_MINUTES, seed=arguments.seed
    )
    runs = []
    for config in configs:
        runs.append(run_steady_state(replace(config, hours=arguments.steady_hours), log))
        log(f"steady state: {len(runs)} of {len(configs)} runs done")
    body = render_steady_state(runs)
    print(body)
    section = GeneratedSection("performance-steady-state", PERFORMANCE_DOC, body, STEADY_STATE_CHAPTER)
    return _save_section(
        origin, output, "A steady-state hour at the deployed pace", section, arguments.write_docs
    )


def _save_section(origin: Any, output: Path, title: str, section: GeneratedSection, write_docs: bool) -> int:
    """One benchmark's section: its results file (.md and .json), then docs/ if asked."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f"## {title}\n\n{section.body}\n", encoding="utf-8")
    saved = Results("bench", RESULTS_FORMAT, origin, (section,))
    saved.save(output.with_suffix(".json"))
    return _write_docs(saved, write_docs)


def _write_docs(saved: Results, write_docs: bool) -> int:
    if write_docs:
        for line in write_docs_and_readme(saved):
            print(f"wrote {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
