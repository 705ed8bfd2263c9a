"""`status`, `history` and `explain`: what regwatch knows of registrations, and a live look."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from regwatch_cli import explain, resources, snapshots
from regwatch_cli.aws_access import AddCommand, Aws
from regwatch_cli.errors import CliError, ExitCode
from regwatch_cli.output import Progress, emit, table

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
    emit(args, rows, text)
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
    emit(args, rows, table(rows, HISTORY_COLUMNS) + f"\n\n{len(rows)} status change(s) stored")
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
    emit(args, [e.as_dict() for e in explained], "\n\n".join(e.text() for e in explained))
    return ExitCode.OK


def register(command: AddCommand) -> None:
    """Add the three commands to the `regwatch` parser (main.build_parser's `command` helper)."""
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
