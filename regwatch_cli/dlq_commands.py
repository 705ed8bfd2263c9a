"""`dlq list | show | redrive`: the dead-letter queues of the scanner and every destination."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from regwatch_cli import dlq, resources
from regwatch_cli.aws_access import Aws
from regwatch_cli.errors import CliError, ExitCode
from regwatch_cli.output import Progress, emit, table, to_json

SCANNER_QUEUE = "scanner"


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
    emit(args, rows, table(rows, DLQ_COLUMNS) + f"\n\n{len(rows)} message(s) in dead-letter queues")
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
    emit(args, {"outcomes": rows, "delivered": len(outcomes) - failed, "failed": failed}, text)
    return ExitCode.PARTIAL if failed else ExitCode.OK


def register(
    commands: Any,  # the regwatch parser's subparsers (argparse's private _SubParsersAction)
    common: Callable[[argparse.ArgumentParser], None],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Add `dlq` and its actions to the `regwatch` parser's subcommands."""
    dlq_cmd = commands.add_parser(
        "dlq", help="dead-letter queues: list, show, redrive", description="dead-letter queues"
    )
    dlq_commands = dlq_cmd.add_subparsers(
        dest="dlq_command", required=True, metavar="ACTION", parser_class=parser_class
    )

    def dlq_action(
        name: str, help_text: str, handler: Callable[[Aws, argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = dlq_commands.add_parser(name, help=help_text, description=help_text)
        common(sub)
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
