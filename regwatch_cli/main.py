"""`regwatch`: ask a deployed regwatch what it knows, and repair what did not get through.

    regwatch status [--needs-action] [--account A] [--region R] [--type T] [--status S]
    regwatch history REGISTRATION_ID
    regwatch explain REGISTRATION_ID [--region R]
    regwatch dlq list | show ID | redrive [--destination D] [--message ID]
    regwatch replay --since TIME [--until TIME] [--destination D]
    regwatch scan --dry-run [--regions R1,R2]
    regwatch deletions list | confirm --account A --region R

Resources come from the stack's CloudFormation outputs (`--stack-name`, default Regwatch,
in `--stack-region` or your default region), or from an outputs file (`--outputs-file`, the
format `cdk deploy --outputs-file` writes; the local demo writes one). Tables by default,
`--json` for scripts; progress goes to stderr.

Exit codes: 0 ok; 1 done but some items failed (a redrive that failed again); 2 bad usage;
3 stack or resource not found; 4 credentials, permission or region problem; 5 registration
or message not found; 6 AWS error or unreachable endpoint; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegistryError
from regwatch_cli import deletions, dlq, explain, replay, resources, snapshots
from regwatch_cli.dry_run import aws_dry_run
from regwatch_cli.errors import CliError, ExitCode, translate
from regwatch_cli.output import Progress, table, to_json

STACK_NAME_ENV = "REGWATCH_STACK_NAME"
OUTPUTS_FILE_ENV = "REGWATCH_OUTPUTS_FILE"
SCANNER_QUEUE = "scanner"
LAMBDA_READ_TIMEOUT_SECONDS = 910


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (plus the usage) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"regwatch: {message} (see `{self.prog} --help`)\n")


# ---- AWS access --------------------------------------------------------------------------------


@dataclass
class Aws:
    """The session and the stack's resources, resolved on first use."""

    args: argparse.Namespace
    last_service: str = ""
    _session: Any = None
    _resources: resources.StackResources | None = None

    @property
    def session(self) -> Any:
        if self._session is None:
            # botocore reads AWS_DEFAULT_REGION; AWS_REGION (the AWS CLI v2's and Lambda's) too.
            region = self.args.stack_region or os.environ.get("AWS_REGION")  # noqa: TID251
            self._session = boto3.Session(profile_name=self.args.profile, region_name=region)
        return self._session

    @property
    def stack_region(self) -> str:
        region = self.session.region_name
        if not region:
            raise CliError("no AWS region: pass --stack-region or set AWS_REGION", ExitCode.AUTH)
        return str(region)

    def client(self, service: str, region: str | None = None) -> Any:
        config = Config(retries={"mode": "standard", "max_attempts": 5})
        if service == "lambda":
            # A redrive waits for the function (the scanner may run 900 s) and never retries an
            # invocation on its own: a retried timeout would run the function twice.
            config = Config(read_timeout=LAMBDA_READ_TIMEOUT_SECONDS, retries={"total_max_attempts": 1})
        client = self.session.client(service, region_name=region or self.stack_region, config=config)

        def remember(model: Any, **_: Any) -> None:
            self.last_service = str(model.service_model.signing_name)

        client.meta.events.register("before-call", remember)
        return client

    @property
    def resources(self) -> resources.StackResources:
        if self._resources is None:
            stack_name = self.args.stack_name
            source: resources.OutputsSource
            if self.args.outputs_file:
                source = resources.OutputsFile(Path(self.args.outputs_file), stack_name)
            else:
                source = resources.CloudFormationOutputs(self.client("cloudformation"), stack_name)
            self._resources = resources.resolve(source)
        return self._resources


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(to_json(data) if args.json else text)


# ---- status / history / explain --------------------------------------------------------------

STATUS_COLUMNS = (
    ("account", "ACCOUNT"),
    ("region", "REGION"),
    ("registrationId", "REGISTRATION"),
    ("name", "NAME"),
    ("type", "TYPE"),
    ("status", "STATUS"),
    ("currentVersion", "CUR"),
    ("currentVersionStatus", "VERSION STATUS"),
    ("approvedVersion", "APPROVED"),
    ("statusAge", "AGE"),
    ("deadline", "NEXT DEADLINE"),
)


def cmd_status(aws: Aws, args: argparse.Namespace) -> int:
    table_name = aws.resources.require(resources.SNAPSHOT_TABLE)
    now = datetime.now(UTC)
    rows = []
    progress = Progress(f"reading {table_name}", unit="page")
    pages = snapshots.read_registrations(
        aws.client("dynamodb"), table_name, on_page=lambda items: progress.step(f"({items} items)")
    )
    for stored in pages:
        row = stored.row(now)
        if args.account and row["account"] != args.account:
            continue
        if args.region and row["region"] != args.region:
            continue
        if args.type and args.type.upper() not in str(row["type"]):
            continue
        if args.status and args.status.upper() not in {row["status"], row["currentVersionStatus"]}:
            continue
        if args.needs_action and not row["needsAction"]:
            continue
        rows.append(row)
    progress.finish()
    rows.sort(key=lambda r: (r["account"], r["region"], r["type"], r["registrationId"]))
    text = table(rows, STATUS_COLUMNS) + f"\n\n{len(rows)} registration(s)"
    if rows and any(r["needsAction"] for r in rows):
        text += f", {sum(1 for r in rows if r['needsAction'])} need action"
    _emit(args, rows, text)
    return ExitCode.OK


HISTORY_COLUMNS = (
    ("time", "TIME"),
    ("account", "ACCOUNT"),
    ("region", "REGION"),
    ("version", "VERSION"),
    ("previousStatus", "FROM"),
    ("status", "TO"),
)


def cmd_history(aws: Aws, args: argparse.Namespace) -> int:
    table_name = aws.resources.require(resources.SNAPSHOT_TABLE)
    found = snapshots.find_registration(aws.client("dynamodb"), table_name, args.registration_id)
    if args.region:
        found = [f for f in found if f.region == args.region]
    rows = [row for stored in found for row in snapshots.history_rows(stored)]
    rows.sort(key=lambda r: r["time"])
    _emit(args, rows, table(rows, HISTORY_COLUMNS) + f"\n\n{len(rows)} status change(s) stored")
    return ExitCode.OK


def _registration_region(aws: Aws, args: argparse.Namespace) -> str:
    if args.region:
        return str(args.region)
    table_name = aws.resources.get(resources.SNAPSHOT_TABLE)
    if table_name:
        try:
            regions = {
                f.region
                for f in snapshots.find_registration(aws.client("dynamodb"), table_name, args.registration_id)
            }
        except CliError:
            regions = set()
        if len(regions) == 1:
            return regions.pop()
        if len(regions) > 1:
            raise CliError(
                f"{args.registration_id} is known in {sorted(regions)}: pass --region", ExitCode.USAGE
            )
    return aws.stack_region


def cmd_explain(aws: Aws, args: argparse.Namespace) -> int:
    region = _registration_region(aws, args)
    account_id = str(aws.client("sts").get_caller_identity()["Account"])
    progress = Progress(f"reading {args.registration_id} in {region} (≤ {args.calls_per_second:g} calls/s)")
    explained = explain.explain(
        aws.client("pinpoint-sms-voice-v2", region),
        args.registration_id,
        account_id=account_id,
        event_source=aws.resources.get(resources.EVENT_SOURCE) or "regwatch",
        bus_name=aws.resources.get(resources.EVENT_BUS_NAME) or "regwatch",
        calls_per_second=args.calls_per_second,
        on_call=progress.step,
    )
    progress.finish()
    _emit(args, [e.as_dict() for e in explained], "\n\n".join(e.text() for e in explained))
    return ExitCode.OK


# ---- dlq -----------------------------------------------------------------------------------------


def _queues(aws: Aws, only: str | None) -> list[tuple[str, str, str]]:
    """(name, queue url, function name) of every dead-letter queue, optionally one destination."""
    found: list[tuple[str, str, str]] = []
    scanner_dlq = aws.resources.get(resources.SCANNER_DLQ)
    scanner_function = aws.resources.get(resources.SCANNER_FUNCTION)
    if scanner_dlq and scanner_function:
        found.append((SCANNER_QUEUE, scanner_dlq, scanner_function))
    for destination in aws.resources.destinations.values():
        if destination.dlq_url:
            found.append((destination.name, destination.dlq_url, destination.function_name))
    if only:
        names = [q[0] for q in found]
        if only.lower() not in names:
            raise CliError(
                f"no dead-letter queue {only!r} (queues: {', '.join(names) or 'none'})", ExitCode.USAGE
            )
        found = [q for q in found if q[0] == only.lower()]
    if not found:
        raise CliError(
            f"{aws.resources.source} names no dead-letter queue: redeploy this version", ExitCode.STACK
        )
    return found


DLQ_COLUMNS = (
    ("destination", "DESTINATION"),
    ("messageId", "MESSAGE"),
    ("registrationId", "REGISTRATION"),
    ("version", "V"),
    ("change", "CHANGE"),
    ("sentAt", "DEAD-LETTERED"),
    ("why", "WHY"),
)


def _all_dead_letters(aws: Aws, only: str | None) -> list[dlq.DeadLetter]:
    sqs = aws.client("sqs")
    return [letter for name, url, _ in _queues(aws, only) for letter in dlq.peek(sqs, url, name)]


def cmd_dlq_list(aws: Aws, args: argparse.Namespace) -> int:
    letters = _all_dead_letters(aws, args.destination)
    rows = [letter.row() for letter in letters]
    _emit(args, rows, table(rows, DLQ_COLUMNS) + f"\n\n{len(rows)} message(s) in dead-letter queues")
    return ExitCode.OK


def cmd_dlq_show(aws: Aws, args: argparse.Namespace) -> int:
    wanted = args.id
    letters = [
        letter
        for letter in _all_dead_letters(aws, args.destination)
        if wanted in {letter.message_id, letter.event_id}
    ]
    if not letters:
        raise CliError(f"no dead-letter message with message or event id {wanted}", ExitCode.NOT_FOUND)
    if args.json:
        print(to_json([letter.as_dict() for letter in letters]))
        return ExitCode.OK
    for letter in letters:
        row = letter.row()
        print("\n".join(f"{key:15} {value if value is not None else '-'}" for key, value in row.items()))
        print("attributes:")
        print("\n".join(f"  {key}: {value}" for key, value in sorted(letter.attributes.items())))
        print("event:")
        print(to_json(letter.event))
    return ExitCode.OK


REDRIVE_COLUMNS = (
    ("destination", "DESTINATION"),
    ("messageId", "MESSAGE"),
    ("eventId", "EVENT"),
    ("result", "RESULT"),
    ("error", "ERROR"),
)


def cmd_dlq_redrive(aws: Aws, args: argparse.Namespace) -> int:
    sqs = aws.client("sqs")
    lambda_client = aws.client("lambda")
    outcomes: list[dlq.RedriveOutcome] = []
    progress = Progress("redriving")
    wanted = args.message

    def select(letter: dlq.DeadLetter) -> bool:
        return wanted is None or wanted in {letter.message_id, letter.event_id}

    for name, url, function_name in _queues(aws, args.destination):
        report = dlq.redrive(
            sqs,
            url,
            dlq.lambda_invoker(lambda_client, function_name),
            queue=name,
            select=select,
            on_outcome=lambda outcome: progress.step(f"{outcome.queue} {outcome.message_id}"),
        )
        outcomes.extend(report.outcomes)
    progress.finish()
    if wanted is not None and not outcomes:
        raise CliError(f"no dead-letter message with message or event id {wanted}", ExitCode.NOT_FOUND)
    rows = [o.row() for o in outcomes]
    failed = sum(1 for o in outcomes if not o.delivered)
    text = table(rows, REDRIVE_COLUMNS) + f"\n\n{len(outcomes) - failed} delivered, {failed} failed again"
    _emit(args, {"outcomes": rows, "delivered": len(outcomes) - failed, "failed": failed}, text)
    return ExitCode.PARTIAL if failed else ExitCode.OK


# ---- replay / scan -------------------------------------------------------------------------------


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
    _emit(args, result.as_dict(), text)
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


# ---- command line --------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("stack and credentials")
    group.add_argument(
        "--stack-name",
        default=os.environ.get(STACK_NAME_ENV, resources.DEFAULT_STACK_NAME),  # noqa: TID251
        help=f"the regwatch stack (default: ${STACK_NAME_ENV} or %(default)s)",
    )
    group.add_argument(
        "--outputs-file",
        default=os.environ.get(OUTPUTS_FILE_ENV),  # noqa: TID251
        help=f"read the stack outputs from this `cdk deploy --outputs-file` JSON instead of CloudFormation "
        f"(default: ${OUTPUTS_FILE_ENV}; the local demo writes one)",
    )
    group.add_argument("--stack-region", help="region of the stack (default: your AWS_REGION / profile's)")
    group.add_argument("--profile", help="AWS profile (default: AWS_PROFILE / the default chain)")
    parser.add_argument("--json", action="store_true", help="JSON output for scripts")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="regwatch",
        description=(__doc__ or "").split("\n\n")[0],
        epilog=(__doc__ or "").split("\n\n", 3)[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str, help_text: str, handler: Callable[[Aws, argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub)
        sub.set_defaults(handler=handler)
        return sub

    status = command(
        "status", "every registration regwatch knows, from its snapshot table (no SMS API calls)", cmd_status
    )
    status.add_argument("--account", help="only this account id")
    status.add_argument("--region", help="only registrations in this region")
    status.add_argument("--type", help="only this registration type (substring, e.g. TEN_DLC_CAMPAIGN)")
    status.add_argument("--status", help="only this registration or current-version status")
    status.add_argument("--needs-action", action="store_true", help="only registrations waiting on a person")

    history = command(
        "history", "a registration's status changes in time order, as regwatch stored them", cmd_history
    )
    history.add_argument("registration_id", metavar="REGISTRATION_ID")
    history.add_argument("--region", help="only the registration in this region")

    explain_cmd = command(
        "explain",
        "live, read-only look at a registration (Describe* calls, paced): versions, denial reasons, "
        "field feedback, what to do — the same content as an alert",
        cmd_explain,
    )
    explain_cmd.add_argument("registration_id", metavar="REGISTRATION_ID")
    explain_cmd.add_argument("--region", help="the registration's region (default: where regwatch saw it)")
    explain_cmd.add_argument(
        "--calls-per-second",
        type=float,
        default=explain.DEFAULT_CALLS_PER_SECOND,
        help="SMS API pace; the scanner uses most of the 1/s quota (default: %(default)s)",
    )

    dlq_cmd = commands.add_parser(
        "dlq", help="dead-letter queues: list, show, redrive", description="dead-letter queues"
    )
    dlq_commands = dlq_cmd.add_subparsers(
        dest="dlq_command", required=True, metavar="ACTION", parser_class=_Parser
    )

    def dlq_action(
        name: str, help_text: str, handler: Callable[[Aws, argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = dlq_commands.add_parser(name, help=help_text, description=help_text)
        _common(sub)
        sub.add_argument("--destination", help="only this queue (scanner, slack, sns, …)")
        sub.set_defaults(handler=handler)
        return sub

    dlq_action(
        "list", "every message in the dead-letter queues: which alert, which destination, why", cmd_dlq_list
    )
    show = dlq_action("show", "one message in full (by SQS message id or regwatch event id)", cmd_dlq_show)
    show.add_argument("id", metavar="ID")
    redrive = dlq_action(
        "redrive",
        "invoke each message's function with the original event; delete it only if that succeeds "
        "(idempotency decides: an already-delivered alert is not posted again)",
        cmd_dlq_redrive,
    )
    redrive.add_argument("--message", help="only this SQS message id or regwatch event id")

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

    deletions.register(commands, _common, _Parser)
    scan = command("scan", "read-only look at an account's registrations (--dry-run)", cmd_scan)
    scan.add_argument("--dry-run", action="store_true", help="Describe* calls only, nothing written")
    scan.add_argument("--regions", help="comma-separated regions (default: the stack region)")
    scan.add_argument(
        "--calls-per-second", type=float, default=1.0, help="SMS API pace (default: %(default)s)"
    )
    return parser


def _fail(error: CliError) -> int:
    print(f"regwatch: {error}", file=sys.stderr)
    return int(error.code)


def run(args: argparse.Namespace) -> int:
    aws = Aws(args)
    try:
        return int(args.handler(aws, args))
    except CliError as error:
        return _fail(error)
    except RegistryError as error:
        cause = error.__cause__
        if isinstance(cause, ClientError | BotoCoreError):
            return _fail(translate(cause, aws.last_service or "sms-voice"))
        return _fail(CliError(f"SMS API: {error}", ExitCode.AWS))
    except (ClientError, BotoCoreError) as error:
        return _fail(translate(error, aws.last_service))
    except KeyboardInterrupt:
        print("\nregwatch: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


def dry_run_command(regions: Sequence[str], calls_per_second: float = 1.0) -> int:
    """`make demo ARGS=--aws-dry-run`: the same as `regwatch scan --dry-run --regions …`."""
    argv = ["scan", "--dry-run", "--calls-per-second", str(calls_per_second)]
    if regions:
        argv += ["--regions", ",".join(regions)]
    return main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
