"""`regwatch`: ask a deployed regwatch what it knows, and repair what did not get through.

    regwatch status [--needs-action] [--account A] [--region R] [--type T] [--status S]
    regwatch history REGISTRATION_ID
    regwatch explain REGISTRATION_ID [--region R]
    regwatch dlq list | show ID | redrive [--destination D] [--message ID]
    regwatch replay --since TIME [--until TIME] [--destination D]
    regwatch scan --dry-run [--regions R1,R2]
    regwatch check --registration ID [--version N] | --file values.json [--type T]
    regwatch resubmit-draft REGISTRATION_ID [--version N] [--apply]
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
from typing import NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegistryError
from regwatch_cli import (
    check,
    deletions,
    dlq_commands,
    registration_commands,
    replay_commands,
    resources,
    resubmit,
)
from regwatch_cli.aws_access import Aws
from regwatch_cli.errors import CliError, ExitCode, translate

STACK_NAME_ENV = "REGWATCH_STACK_NAME"
OUTPUTS_FILE_ENV = "REGWATCH_OUTPUTS_FILE"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (plus the usage) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"regwatch: {message} (see `{self.prog} --help`)\n")


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

    registration_commands.register(command)
    dlq_commands.register(commands, _common, _Parser)
    replay_commands.register(command)
    check.register(command)
    resubmit.register(command)
    deletions.register(commands, _common, _Parser)

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
