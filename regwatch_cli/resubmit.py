"""`regwatch resubmit-draft ID`: start the next version of a denied registration from its values.

    regwatch resubmit-draft REGISTRATION_ID [--version N] [--region R] [--apply]

Reads the denied version (default: the registration's latest denied one), its field values,
the reviewer's field-level notes and what `regwatch check` finds, and lists the fields to
edit. A dry run by default: nothing is written. With `--apply` it creates a new DRAFT
version (CreateRegistrationVersion) and sets every field to the denied version's value
(PutRegistrationFieldValue per field, clearing fields the denied version left empty), so the
draft starts from what was submitted; submitting stays a person's decision. `--apply` needs
a write role (sms-voice:CreateRegistrationVersion, sms-voice:PutRegistrationFieldValue,
docs/runbook.md) that regwatch's read-only scanner never has.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from regwatch.registration_check import check_registration
from regwatch.registration_form import FieldValue
from regwatch_aws.registration_drafts import WRITE_ACTIONS, create_draft_version, put_field_value
from regwatch_aws.registration_forms import RegistrationForms
from regwatch_cli.check import AwsAccess
from regwatch_cli.errors import CliError, ExitCode
from regwatch_cli.output import to_json


@dataclass
class DraftPlan:
    registration_id: str
    registration_type: str
    region: str
    source_version: int
    values: tuple[FieldValue, ...]
    flagged: dict[str, list[str]] = field(default_factory=dict)  # field path -> why to edit it
    new_version: int | None = None
    cleared: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "registrationId": self.registration_id,
            "registrationType": self.registration_type,
            "region": self.region,
            "sourceVersion": self.source_version,
            "fieldValues": len(self.values),
            "applied": self.new_version is not None,
            "newVersion": self.new_version,
            "clearedFields": self.cleared,
            "flaggedFields": [{"fieldPath": p, "why": why} for p, why in self.flagged.items()],
        }

    def text(self) -> str:
        lines = [
            f"{self.registration_id} ({self.registration_type}, {self.region}): version "
            f"{self.source_version} has {len(self.values)} field value(s) to carry into a new draft"
        ]
        if self.flagged:
            lines.append("fields to edit before submitting:")
            for path, why in self.flagged.items():
                lines.append(f"  {path}")
                lines += [f"    - {reason}" for reason in why]
        else:
            lines.append("no field was flagged by the reviewer or by `regwatch check`")
        if self.new_version is None:
            lines.append(
                f"dry run: nothing written. Run again with --apply to create the draft (needs "
                f"{' and '.join(WRITE_ACTIONS)})."
            )
        else:
            cleared = f", {len(self.cleared)} field(s) cleared" if self.cleared else ""
            lines.append(
                f"created version {self.new_version} (DRAFT) from version {self.source_version}{cleared}. "
                "Edit the fields above, then submit it (console, or `aws pinpoint-sms-voice-v2 "
                f"submit-registration-version --registration-id {self.registration_id}`)."
            )
        return "\n".join(lines)


def plan_draft(forms: RegistrationForms, registration_id: str, version: int | None) -> DraftPlan:
    ref = forms.registration(registration_id)
    source = version or ref.latest_denied_version
    if source is None:
        raise CliError(
            f"{registration_id} has no denied version: pass --version N to start from another one",
            ExitCode.USAGE,
        )
    form = forms.version_form(ref.registration_id, int(source))
    plan = DraftPlan(
        ref.registration_id, ref.registration_type, forms.region, int(source), tuple(form.values)
    )
    for path, note in form.flagged.items():
        plan.flagged.setdefault(path, []).append(f"reviewer: {note}")
    today = datetime.now(UTC).date()
    for problem in check_registration(
        ref.registration_type, forms.definitions(ref.registration_type), form.values, today
    ):
        plan.flagged.setdefault(problem.field_path, []).append(
            f"check: {problem.rule}: {problem.message} (fix: {problem.fix})"
        )
    return plan


def apply_draft(client: Any, forms: RegistrationForms, plan: DraftPlan) -> None:
    """Create the draft and make its fields the denied version's, field by field."""
    plan.new_version = create_draft_version(client, plan.registration_id)
    wanted = {value.field_path: value for value in plan.values if value.present}
    for value in wanted.values():
        put_field_value(client, plan.registration_id, value)
    # AWS starts a new version from the previous one's form: clear what the denied one lacked.
    for value in forms.version_form(plan.registration_id, plan.new_version).values:
        if value.field_path not in wanted and value.present:
            put_field_value(client, plan.registration_id, FieldValue(value.field_path))
            plan.cleared.append(value.field_path)


def cmd_resubmit_draft(aws: AwsAccess, args: argparse.Namespace) -> int:
    region = args.region or aws.stack_region
    client = aws.client("pinpoint-sms-voice-v2", region)
    forms = RegistrationForms(client)
    plan = plan_draft(forms, args.registration_id, args.version)
    if args.apply:
        apply_draft(client, forms, plan)
    print(to_json(plan.as_dict()) if args.json else plan.text())
    return ExitCode.OK


def register(
    command: Callable[[str, str, Callable[[Any, argparse.Namespace], int]], argparse.ArgumentParser],
) -> None:
    """Add `resubmit-draft` to the `regwatch` parser (main.build_parser's `command` helper)."""
    sub = command(
        "resubmit-draft",
        "plan (dry run) or create (--apply, needs a write role) a new draft version carrying a denied "
        "version's field values, listing the fields to edit",
        cmd_resubmit_draft,
    )
    sub.add_argument("registration_id", metavar="REGISTRATION_ID")
    sub.add_argument("--version", type=int, help="start from this version (default: the latest denied one)")
    sub.add_argument("--region", help="the registration's region (default: your AWS_REGION / profile's)")
    sub.add_argument("--apply", action="store_true", help="write: create the draft and set its fields")
