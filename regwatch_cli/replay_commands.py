"""`replay` (archived events to chosen destinations) and `scan --dry-run` (a read-only look)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from regwatch_cli import replay, resources
from regwatch_cli.aws_access import AddCommand, Aws
from regwatch_cli.dry_run import aws_dry_run
from regwatch_cli.errors import CliError, ExitCode
from regwatch_cli.output import Progress, emit


def parse_time(text: str) -> datetime:
    """ISO-8601 (`2026-11-30T08:00Z`, a date) or an age (`90m`, `6h`, `2d`) before now."""
    value = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if value[:-1].isdigit() and value[-1:] in units:
        return datetime.now(UTC) - timedelta(**{units[value[-1]]: int(value[:-1])})
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: use ISO-8601 (2026-11-30T08:00Z) or an age (90m, 6h, 2d)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_replay(aws: Aws, args: argparse.Namespace) -> int:
    stack = aws.resources
    until = args.until or datetime.now(UTC)
    if args.since >= until:
        raise CliError("--since must be before --until", ExitCode.USAGE)
    names = args.destination or sorted(stack.destinations)
    chosen = [stack.destination(name) for name in names]
    if not chosen:
        raise CliError(f"{stack.source} has no destinations to replay to", ExitCode.STACK)
    progress = Progress("replay")
    log_group = stack.get(resources.LOCAL_ARCHIVE_LOG_GROUP)
    if log_group:
        result = replay.local_archive_replay(
            aws.client("logs"),
            aws.client("sqs"),
            log_group=log_group,
            destinations=chosen,
            since=args.since,
            until=until,
            progress=progress.say,
        )
    else:
        result = replay.eventbridge_replay(
            aws.client("events"),
            archive_arn=stack.require(resources.ARCHIVE_ARN),
            bus_arn=stack.require(resources.EVENT_BUS_ARN),
            destinations=chosen,
            since=args.since,
            until=until,
            progress=progress.say,
        )
    text = (
        f"replay {result.name}: {result.state} to {', '.join(result.destinations)}"
        + (f", {result.events} event(s)" if result.events is not None else "")
        + (f" ({result.reason})" if result.reason else "")
    )
    emit(args, result.as_dict(), text)
    return ExitCode.OK if result.state == "COMPLETED" else ExitCode.AWS


def cmd_scan(aws: Aws, args: argparse.Namespace) -> int:
    if not args.dry_run:
        raise CliError(
            "only `regwatch scan --dry-run` exists: the deployed scanner runs on its schedule", ExitCode.USAGE
        )
    regions = [r.strip() for r in (args.regions or "").split(",") if r.strip()] or [aws.stack_region]
    progress = Progress("reading registrations")
    aws_dry_run(regions, args.calls_per_second, session=aws.session, progress=progress.step)
    progress.finish()
    return ExitCode.OK


def register(command: AddCommand) -> None:
    """Add `replay` and `scan` to the `regwatch` parser (main.build_parser's `command` helper)."""
    replay_cmd = command(
        "replay", "replay archived events to chosen destinations (EventBridge archive)", cmd_replay
    )
    replay_cmd.add_argument(
        "--since", required=True, type=parse_time, help="ISO-8601 time or an age: 90m, 6h, 2d"
    )
    replay_cmd.add_argument("--until", type=parse_time, help="ISO-8601 time or an age (default: now)")
    replay_cmd.add_argument(
        "--destination", action="append", help="destination name (slack, sns, …); repeatable (default: all)"
    )

    scan = command("scan", "read-only look at an account's registrations (--dry-run)", cmd_scan)
    scan.add_argument("--dry-run", action="store_true", help="Describe* calls only, nothing written")
    scan.add_argument("--regions", help="comma-separated regions (default: the stack region)")
    scan.add_argument(
        "--calls-per-second", type=float, default=1.0, help="SMS API pace (default: %(default)s)"
    )
