"""`regwatch deletions list | confirm`: the deletions the flood guard holds, and the go-ahead.

A listing cycle that would delete too many of a target's registrations at once holds them
(docs/scanner.md, "Held deletions"); the next complete cycle settles the hold by itself.
`confirm` settles it sooner: the target's next scan deletes the held registrations still
missing and sends their DELETED alerts. Only DynamoDB is touched: the scan state (read)
and one confirmation item (written), never the scan state itself, which a running scan owns.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import SnapshotUnavailable
from regwatch.snapshot import RegionKey
from regwatch_aws.snapshot_store import META_SORT_KEY, DynamoSnapshotStore, state_from_item
from regwatch_cli import resources
from regwatch_cli.errors import CliError, ExitCode, translate
from regwatch_cli.output import table, to_json

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
Handler = Callable[[Any, argparse.Namespace], int]
COLUMNS = (
    ("account", "ACCOUNT"),
    ("region", "REGION"),
    ("held", "HELD"),
    ("known", "OF"),
    ("heldAt", "HELD AT"),
    ("cycleId", "LISTING CYCLE"),
)


class AwsAccess(Protocol):
    """What these commands need of the CLI's session (regwatch_cli.main.Aws)."""

    @property
    def resources(self) -> resources.StackResources: ...

    def client(self, service: str, region: str | None = None) -> Any: ...


def _store(aws: AwsAccess) -> DynamoSnapshotStore:
    return DynamoSnapshotStore(aws.client("dynamodb"), aws.resources.require(resources.SNAPSHOT_TABLE))


def _translated(handler: Handler) -> Handler:
    """The table's domain errors as the CLI's one-line errors (naming the missing permission)."""

    def run(aws: Any, args: argparse.Namespace) -> int:
        try:
            return handler(aws, args)
        except SnapshotUnavailable as error:
            cause = error.__cause__
            if isinstance(cause, ClientError | BotoCoreError):
                raise translate(cause, "dynamodb") from None
            raise CliError(f"snapshot table: {error}", ExitCode.AWS) from None

    return run


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    print(to_json(data) if args.json else text)


def held_rows(client: Any, table_name: str) -> list[dict[str, Any]]:
    """Every target whose scan state holds deletions (one Scan of the META items)."""
    rows = []
    request: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "sk = :meta AND attribute_exists(heldCycleId)",
        "ExpressionAttributeValues": {":meta": {"S": META_SORT_KEY}},
        "ConsistentRead": True,
    }
    while True:
        response = client.scan(**request)
        for raw in response.get("Items", []):
            held = state_from_item(raw).held
            account, _, region = str(raw["pk"]["S"]).partition("#")
            if held is not None:
                rows.append(
                    {
                        "account": account,
                        "region": region,
                        "held": held.count,
                        "known": held.known,
                        "heldAt": held.held_at.isoformat(timespec="seconds"),
                        "cycleId": held.cycle_id,
                    }
                )
        if not response.get("LastEvaluatedKey"):
            return sorted(rows, key=lambda r: (r["account"], r["region"]))
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def cmd_list(aws: AwsAccess, args: argparse.Namespace) -> int:
    rows = held_rows(aws.client("dynamodb"), aws.resources.require(resources.SNAPSHOT_TABLE))
    _print(args, rows, table(rows, COLUMNS) + f"\n\n{len(rows)} target(s) with held deletions")
    return ExitCode.OK


def cmd_confirm(aws: AwsAccess, args: argparse.Namespace) -> int:
    if not _ACCOUNT.match(args.account):
        raise CliError(f"--account {args.account[:30]!r} is not a 12-digit account id", ExitCode.USAGE)
    if not _REGION.match(args.region):
        raise CliError(f"--region {args.region[:30]!r} is not a region name (e.g. us-east-1)", ExitCode.USAGE)
    store = _store(aws)
    key = RegionKey(args.account, args.region)
    held = store.load_state(key).held
    if held is None:
        raise CliError(
            f"no deletions are held for account {args.account} in {args.region}: nothing to confirm "
            "(`regwatch deletions list` shows the targets that have some)",
            ExitCode.NOT_FOUND,
        )
    caller = str(aws.client("sts").get_caller_identity().get("Arn", "unknown"))
    store.confirm_deletions(key, held.cycle_id, caller, datetime.now(UTC))
    result = {
        "account": args.account,
        "region": args.region,
        "confirmed": held.count,
        "cycleId": held.cycle_id,
    }
    _print(
        args,
        result,
        f"confirmed {held.count} held deletion(s) of account {args.account} in {args.region}: the "
        "target's next scan deletes those still missing and sends their deletion alerts",
    )
    return ExitCode.OK


def register(commands: Any, common: Callable[[argparse.ArgumentParser], None], parser_class: type) -> None:
    """Add `deletions list | confirm` to the `regwatch` command line."""
    group = commands.add_parser(
        "deletions",
        help="deletions held by the flood guard: list, confirm",
        description="deletions held by the flood guard (too many at once to believe)",
    )
    actions = group.add_subparsers(
        dest="deletions_command", required=True, metavar="ACTION", parser_class=parser_class
    )

    def action(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        common(sub)
        sub.set_defaults(handler=_translated(handler))
        return sub

    action("list", "every target whose deletions are held, how many, since when", cmd_list)
    confirm = action(
        "confirm",
        "the held deletions of one target are real: its next scan applies them",
        cmd_confirm,
    )
    confirm.add_argument("--account", required=True, help="the target's 12-digit account id")
    confirm.add_argument("--region", required=True, help="the target's region")
