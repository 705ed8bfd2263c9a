"""`make demo`: regwatch's real pipeline on this machine, no AWS account needed.

    python -m local.run [--scenario FILE] [--regions us-east-1,us-west-2] [--watch]
    python -m local.run --aws-dry-run [--regions ...]

The command line of the demo: it starts a `LocalStack` (local/local_stack.py: the deployed
stack with the emulator, moto server and local destinations), plays the scenario, shows the
timeline and the summary, and leaves nothing running when it ends or is interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from local.destination_sinks import DEMO_DESTINATIONS
from local.functions import REGISTRY
from local.local_stack import LocalStack
from local.records import Notification
from local.scenario_check import scenario_problem
from local.stack_options import (
    ACCOUNT_ID,
    DEFAULT_OUTPUT,
    DEFAULT_SCENARIO,
    DEMO_REGIONS,
    REGION,
    StackOptions,
)
from local.stack_taps import EVENT_ID_IN_TEXT
from regwatch_cli.main import dry_run_command

# Where the e2e tests and the benchmarks have always found the local stack's names.
__all__ = [
    "ACCOUNT_ID",
    "EVENT_ID_IN_TEXT",
    "REGION",
    "LocalStack",
    "Notification",
    "StackOptions",
    "main",
    "parse_args",
]

WATCH_PAUSE_SECONDS = 5.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make demo", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument(
        "--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file (emulator format)"
    )
    parser.add_argument(
        "--regions",
        default=",".join(DEMO_REGIONS),
        help="comma-separated regions to monitor (default: %(default)s)",
    )
    parser.add_argument("--watch", action="store_true", help="keep scanning after the story until Ctrl-C")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the HTML page and logs go")
    parser.add_argument(
        "--aws-dry-run",
        action="store_true",
        help="alias of `regwatch scan --dry-run`: read-only list of YOUR registrations and version "
        "histories with your default AWS credentials",
    )
    parser.add_argument("--quiet", action="store_true", help="no live timeline, only the summary")
    parser.add_argument(
        "--destinations",
        default="",
        help="extra destinations with local sinks and previews, comma-separated: "
        + ",".join(DEMO_DESTINATIONS),
    )
    parser.add_argument(
        "--single-account",
        action="store_true",
        help="the built-in story without its organization part (local/org_demo.py)",
    )
    return parser.parse_args(argv)


def _install_signal_handlers() -> None:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        # Turn SIGTERM/SIGHUP into the same clean exit as Ctrl-C: finally blocks and atexit run.
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    # Ctrl-C stops the demo even when it was started with SIGINT ignored (a parent that ignores
    # it, e.g. a test runner's worker, passes that on; Python then never raises KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _cleanup_on_exit(stack: LocalStack) -> Iterator[None]:
    try:
        yield
    finally:
        # Ignore a second Ctrl-C while cleaning up: leaving processes behind is worse than waiting.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            stack.stop()
            REGISTRY.kill_all()
        finally:
            signal.signal(signal.SIGINT, previous)


def main(argv: Sequence[str] | None = None) -> int:
    from local.reminders_demo import alert_summary, play_epilogue
    from local.report import summarize, write_slack_html
    from local.timeline import Timeline

    args = parse_args(argv)
    regions = tuple(r.strip() for r in str(args.regions).split(",") if r.strip())
    if args.aws_dry_run:
        # An alias: one implementation, the command's (errors as one line, exit codes).
        return dry_run_command(regions)
    problem = scenario_problem(args.scenario)
    if problem is not None:
        print(f"make demo: {problem}", file=sys.stderr)
        return 2
    _install_signal_handlers()
    timeline = Timeline(sys.stdout, quiet=bool(args.quiet))
    destinations = tuple(d.strip() for d in str(args.destinations).split(",") if d.strip())
    # The organization part belongs to the built-in story; a custom scenario plays alone.
    organization = not args.single_account and args.scenario == DEFAULT_SCENARIO
    options = StackOptions(
        scenario_path=args.scenario,
        regions=regions,
        output_dir=args.output,
        destinations=destinations,
        organization=organization,
    )
    stack = LocalStack(options, observer=timeline.show)
    started = time.monotonic()
    try:
        with _cleanup_on_exit(stack):
            stack.start()
            stack.play()
            stack.replay_last_delivery()
            play_epilogue(stack)  # days pass: reminders, an expired-link escalation, the digest
            if args.watch:
                _watch(stack, timeline)
            severities = {e["detail"].get("eventId"): e["detail"].get("severity") for e in stack.transitions}
            html = write_slack_html(stack.notifications, args.output / "slack.html", severities)
            print(summarize(stack, stack.dead_letters(), time.monotonic() - started))
            if stack.iam_gate is not None:
                print(stack.iam_gate.summary())
            print(alert_summary(stack))
            print(f"Slack messages as they would look: {html}")
            for line in stack.sinks.summaries():
                print(line)
            for preview in stack.sinks.write_previews(args.output, severities):
                print(f"Preview: {preview}")
            print(f"Function logs: {args.output / 'logs'}")
    except KeyboardInterrupt:
        print("\nstopped; every local process has been shut down", file=sys.stderr)
        return 130
    return 0


def _watch(stack: LocalStack, timeline: Any) -> None:
    """Keep scanning until Ctrl-C, which ends the watch (and then shows the summary)."""
    timeline.say(
        f"\nwatch mode: a scan every {WATCH_PAUSE_SECONDS:.0f} s, Ctrl-C for the summary. Change a "
        'registration meanwhile, e.g.\n  python -c "from local.emulator import EmulatorControl; '
        f"EmulatorControl('{stack.emulator.url}').set_version_status("
        "'us-east-1', '<registration id>', 1, 'REVOKED')\""
    )
    exports = " ".join(f"{name}={value}" for name, value in sorted(stack.command_env.items()))
    timeline.say(f"Ask this stack with the regwatch command, e.g.\n  env {exports} regwatch status")
    try:
        while True:
            time.sleep(WATCH_PAUSE_SECONDS)
            stack.advance(float(stack.scenario.get("scan_interval_seconds", 300)))
            stack.scan()
    except KeyboardInterrupt:
        timeline.say("\nwatch ended")


if __name__ == "__main__":
    sys.exit(main())
