"""`regwatch check`: find what would get a registration denied, before it is submitted.

    regwatch check --registration ID [--version N] [--region R]
    regwatch check --file values.json|yaml [--type TYPE] [--definitions defs.json]

Validates a version in the account, or a local file of field values, against the field
definitions of its registration type (live `DescribeRegistrationFieldDefinitions`, or a
saved copy with `--definitions` for offline use) and the content checks named after AWS's
denial reasons (regwatch.registration_check). One line per problem on stdout: field path,
rule, what is wrong, the fix and the denial reasons it heads off; `--json` for scripts.

Exit codes: 0 no problems, 1 problems found, 2 usage or environment error (bad file,
no credentials, unknown registration), always one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegistrationNotFound, RegistryError
from regwatch.registration_check import check_registration
from regwatch.registration_form import (
    FieldDefinition,
    FieldValue,
    Problem,
    definition_from_api,
    value_from_api,
)
from regwatch_aws.registration_forms import RegistrationForms
from regwatch_cli.errors import CliError, ExitCode, translate
from regwatch_cli.output import to_json


class AwsAccess(Protocol):
    """The part of main.Aws this command uses."""

    @property
    def stack_region(self) -> str: ...

    def client(self, service: str, region: str | None = None) -> Any: ...


@dataclass(frozen=True)
class Checked:
    registration_type: str
    source: str
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "registrationType": self.registration_type,
            "source": self.source,
            "problems": [p.as_dict() for p in self.problems],
        }


def problem_line(problem: Problem) -> str:
    codes = f" [heads off {', '.join(problem.denial_codes)}]" if problem.denial_codes else ""
    return f"{problem.field_path}: {problem.rule}: {problem.message} — fix: {problem.fix}{codes}"


# ---- local files --------------------------------------------------------------------------------


def _load(path: Path, what: str) -> Any:
    try:
        raw = path.read_text()
    except OSError as error:
        raise CliError(f"cannot read {what} {path}: {error.strerror or error}", ExitCode.USAGE) from None
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            # Only YAML files need PyYAML: pinned in requirements-cli.txt, not in the Lambda bundle.
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise CliError(
                f"{path} is YAML and PyYAML is not installed: pip install -r requirements-cli.txt "
                "(or PyYAML), or give the file as JSON",
                ExitCode.USAGE,
            ) from None
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise CliError(f"{path} is not valid YAML{where}: fix the {what}", ExitCode.USAGE) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise CliError(
            f"{path} is not valid JSON (line {error.lineno}: {error.msg}): fix the {what}", ExitCode.USAGE
        ) from None


def _value(path: str, given: Any, file: Path) -> FieldValue:
    if isinstance(given, str):
        return FieldValue(path, text_value=given)
    if isinstance(given, list) and all(isinstance(c, str) for c in given):
        return FieldValue(path, select_choices=tuple(given))
    if isinstance(given, Mapping) and isinstance(given.get("attachmentId"), str):
        return FieldValue(path, attachment_id=given["attachmentId"])
    raise CliError(
        f"{file}: field {path} must be a text, a list of choices or {{attachmentId: …}}", ExitCode.USAGE
    )


def read_values_file(file: Path) -> tuple[str | None, list[FieldValue]]:
    """(registration type if the file names one, values) from either format docs/check.md shows."""
    data = _load(file, "values file")
    if not isinstance(data, Mapping):
        raise CliError(
            f"{file}: expected an object with `fields` or `RegistrationFieldValues`", ExitCode.USAGE
        )
    kind = data.get("registrationType") or data.get("RegistrationType")
    if "RegistrationFieldValues" in data:  # `aws pinpoint-sms-voice-v2 describe-registration-field-values`
        items = data["RegistrationFieldValues"]
        if not isinstance(items, list) or not all(isinstance(i, Mapping) and "FieldPath" in i for i in items):
            raise CliError(f"{file}: every RegistrationFieldValues item needs a FieldPath", ExitCode.USAGE)
        return (str(kind) if kind else None), [value_from_api(item) for item in items]
    fields = data.get("fields")
    if not isinstance(fields, Mapping):
        raise CliError(
            f"{file}: expected an object with `fields` or `RegistrationFieldValues`", ExitCode.USAGE
        )
    return (str(kind) if kind else None), [_value(str(p), v, file) for p, v in fields.items()]


def read_definitions_file(file: Path) -> tuple[str | None, tuple[FieldDefinition, ...]]:
    """A saved `describe-registration-field-definitions` answer (every page's items in one list)."""
    data = _load(file, "definitions file")
    items = data.get("RegistrationFieldDefinitions") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise CliError(
            f"{file}: expected the RegistrationFieldDefinitions of one registration type", ExitCode.USAGE
        )
    try:
        definitions = tuple(definition_from_api(item) for item in items)
    except (KeyError, TypeError, AttributeError):
        raise CliError(f"{file}: a definition lacks its FieldPath", ExitCode.USAGE) from None
    kind = data.get("RegistrationType")
    return (str(kind) if kind else None), definitions


# ---- the command --------------------------------------------------------------------------------


def _environment_error(error: BaseException, region: str) -> CliError:
    """Every failure of this command is exit code 2, with the shared one-line wording."""
    if isinstance(error, RegistrationNotFound):
        return CliError(f"registration {error} does not exist in {region} (pass --region)", ExitCode.USAGE)
    cause = error.__cause__ if isinstance(error, RegistryError) else error
    message = str(translate(cause, "sms-voice", region)) if cause is not None else f"SMS API: {error}"
    return CliError(message, ExitCode.USAGE)


def run_check(aws: AwsAccess, args: argparse.Namespace, today: date) -> Checked:
    if bool(args.registration) == bool(args.file):
        raise CliError("give either --registration ID or --file PATH", ExitCode.USAGE)
    if args.version is not None and not args.registration:
        raise CliError("--version needs --registration", ExitCode.USAGE)
    saved_type, saved = read_definitions_file(Path(args.definitions)) if args.definitions else (None, None)
    region = ""
    try:
        forms: RegistrationForms | None = None
        if args.registration or saved is None:
            region = args.region or aws.stack_region
            forms = RegistrationForms(aws.client("pinpoint-sms-voice-v2", region))
        if args.registration:
            assert forms is not None  # noqa: S101 - built just above for --registration
            ref = forms.registration(args.registration)
            kind, number = ref.registration_type, args.version or ref.current_version
            values = list(forms.version_form(ref.registration_id, number).values)
            source = f"{ref.registration_id} version {number} ({region})"
        else:
            file_type, values = read_values_file(Path(args.file))
            kind = args.type or file_type or saved_type or ""
            if not kind:
                raise CliError(f"{args.file} names no registration type: pass --type", ExitCode.USAGE)
            source = str(args.file)
        if saved is not None and saved_type not in {None, kind}:
            raise CliError(f"{args.definitions} describes {saved_type}, not {kind}", ExitCode.USAGE)
        definitions = saved if saved is not None else forms.definitions(kind) if forms else ()
    except (RegistryError, ClientError, BotoCoreError) as error:
        raise _environment_error(error, region) from None
    except CliError as error:
        raise CliError(str(error), ExitCode.USAGE) from None
    brand_names = [args.company_name] if args.company_name else []
    return Checked(kind, source, check_registration(kind, definitions, values, today, brand_names))


def cmd_check(aws: AwsAccess, args: argparse.Namespace) -> int:
    today = args.as_of or datetime.now(UTC).date()
    checked = run_check(aws, args, today)
    if args.json:
        print(to_json(checked.as_dict()))
    else:
        for problem in checked.problems:
            print(problem_line(problem))
    count = len(checked.problems)
    summary = f"{count} problem(s)" if count else "no problems"
    print(f"regwatch check: {summary} in {checked.source} ({checked.registration_type})", file=sys.stderr)
    return ExitCode.PARTIAL if count else ExitCode.OK


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def register(
    command: Callable[[str, str, Callable[[Any, argparse.Namespace], int]], argparse.ArgumentParser],
) -> None:
    """Add `check` to the `regwatch` parser (main.build_parser's `command` helper)."""
    sub = command(
        "check",
        "check a draft or a file of field values against its type's field definitions and the content "
        "AWS denies for; exit 0 no problems, 1 problems, 2 usage or environment error",
        cmd_check,
    )
    sub.add_argument("--registration", metavar="ID", help="check a version in the account")
    sub.add_argument("--version", type=int, help="version number (default: the current one)")
    sub.add_argument("--file", metavar="PATH", help="check a JSON or YAML file of field values instead")
    sub.add_argument(
        "--type", help="registration type of a file that names none (e.g. US_TOLL_FREE_REGISTRATION)"
    )
    sub.add_argument(
        "--definitions",
        metavar="PATH",
        help="saved describe-registration-field-definitions output: check offline, without AWS calls",
    )
    sub.add_argument("--region", help="the registration's region (default: your AWS_REGION / profile's)")
    sub.add_argument("--as-of", type=_date, help="judge date-bound rules as of this day (default: today)")
    sub.add_argument(
        "--company-name",
        help="the registered brand's legal or DBA name, for a form without one (a 10DLC campaign): "
        "samples and the opt-in, HELP and STOP messages must name it",
    )
