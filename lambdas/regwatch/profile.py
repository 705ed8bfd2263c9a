"""Names, impact and field feedback of a registration: what to read, and what it means.

Pure rules; the reads themselves are the `ProfileSource` port (regwatch/ports.py). Reads
cost API quota, so they happen only when one scan publishes transitions of the
registration, and only what the change can have made stale:

- name (field values of the current version; the `Name` tag only when the form has no
  name field filled): when the current version leaves DRAFT (a version's fields are frozen
  once it is submitted; a DRAFT's are still being typed), or when a registration regwatch
  never named first needs a person;
- field feedback (field values of the current version): when the current version was
  just DENIED, or the registration just became REQUIRES_UPDATES;
- associations (`ListRegistrationAssociations`): when a version is REVOKED (what stops
  working); kept in the snapshot and shown on that registration's later alerts.
A name read on a denial shares the one field-values call with the feedback.

docs/notifications.md ("Names") lists the field paths and where they come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regwatch.model import (
    FieldFeedback,
    RegistrationFieldValue,
    RegistrationProfile,
    RegistrationSummary,
    Scope,
    Transition,
)
from regwatch.severity import ACTION_REQUIRED_STATUSES

NAME_TAG = "Name"
DRAFT = "DRAFT"
FEEDBACK_VERSION_STATUSES = frozenset({"DENIED"})
FEEDBACK_REGISTRATION_STATUSES = frozenset({"REQUIRES_UPDATES"})
# A revocation stops traffic on the registration's numbers / sender ids: what it stops is
# the impact worth a call. (On every completion it would cost a call per approval and break
# the scan budget at 10,000 registrations; docs/performance.md.)
ASSOCIATIONS_AT_REVOCATION = frozenset({"REVOKED"})

# Fields that hold what people call a registration, per registration type, first filled one
# wins (field paths and their sources in docs/notifications.md#names). A type not listed, or
# a form AWS changes, falls back to GENERIC_NAME_FIELDS matched on the last segment of the
# field path (a heuristic: `...companyName`, `...dbaName`); the id remains the last resort.
NAME_FIELDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "US_TOLL_FREE_REGISTRATION": ("companyInfo.companyName",),
    # The brand as people say it (doing-business-as), else the legal company name.
    "US_TEN_DLC_BRAND_REGISTRATION": ("contactInfo.dbaName", "companyInfo.companyName"),
    # The form's "campaign name" is often a description paragraph: cut to MAX_NAME_CHARS.
    "US_TEN_DLC_CAMPAIGN_REGISTRATION": ("campaignInfo.campaignName", "campaignUseCase.useCase"),
}
GENERIC_NAME_FIELDS: tuple[str, ...] = (
    "campaignName",
    "brandName",
    "dbaName",
    "displayName",
    "senderId",
    "companyName",
    "useCaseName",
)
# A name is a label, not an essay: long descriptions are cut for the headline.
MAX_NAME_CHARS = 80


@dataclass(frozen=True, slots=True)
class ProfileReads:
    """Which reads one registration's change calls for (all False: none)."""

    name_from_version: int | None = None  # read the fields of this version (+ the Name tag)
    feedback_from_version: int | None = None  # read the fields of this version for feedback
    associations: bool = False

    @property
    def field_values_version(self) -> int | None:
        return self.name_from_version or self.feedback_from_version

    @property
    def any(self) -> bool:
        return self.field_values_version is not None or self.associations


def _left_draft(transition: Transition, current: int) -> bool:
    """The current version's first step out of DRAFT (its fields are final from now on)."""
    version = transition.version.version_number if transition.version else None
    return (
        transition.scope is Scope.VERSION
        and version == current
        and transition.status != DRAFT
        and transition.previous_status in (None, DRAFT)
    )


def reads_for(
    previous: RegistrationProfile | None,
    registration: RegistrationSummary,
    current_version_status: str | None,
    transitions: Sequence[Transition],
) -> ProfileReads:
    """What to read for a registration whose diff produced `transitions`.

    Every read is tied to a moment that needs it, so a registration costs a few reads over
    its whole life, not per change: the name when its current version is submitted (or, for
    one regwatch never named, when it first needs a person); field feedback on a denial;
    associations on a revocation.
    """
    if not transitions:
        return ProfileReads()
    current = registration.current_version_number
    needs_person = any(t.status in ACTION_REQUIRED_STATUSES for t in transitions)
    never_named = previous is None or previous.fields_version is None
    name_from = None
    if current_version_status not in (None, DRAFT) and (
        (
            any(_left_draft(t, current) for t in transitions)
            and (previous is None or previous.fields_version != current)
        )
        or (needs_person and never_named)
    ):
        name_from = current
    feedback_from = None
    for transition in transitions:
        version = transition.version.version_number if transition.version else None
        if (
            transition.scope is Scope.VERSION
            and version == current
            and transition.status in FEEDBACK_VERSION_STATUSES
        ) or (transition.scope is Scope.REGISTRATION and transition.status in FEEDBACK_REGISTRATION_STATUSES):
            feedback_from = current
    # What a revocation stops is the impact on-call needs; read it then (once per revocation).
    associations = any(t.status in ASSOCIATIONS_AT_REVOCATION for t in transitions)
    return ProfileReads(name_from, feedback_from, associations)


def _clean(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1] + "…"


def _field_text(value: RegistrationFieldValue) -> str | None:
    if value.text_value:
        return _clean(value.text_value)
    if value.select_choices:
        return _clean(", ".join(value.select_choices))
    return None


def name_from_fields(
    registration_type: str, values: Sequence[RegistrationFieldValue]
) -> tuple[str, str] | None:
    """(name, source) from the form: the type's known fields first, then generic ones."""
    by_path = {value.field_path: value for value in values}
    for path in NAME_FIELDS_BY_TYPE.get(registration_type, ()):
        found = by_path.get(path)
        text = _field_text(found) if found else None
        if text:
            return text, f"field:{path}"
    by_leaf: dict[str, RegistrationFieldValue] = {}
    for value in values:
        by_leaf.setdefault(value.field_path.rsplit(".", 1)[-1].lower(), value)
    for leaf in GENERIC_NAME_FIELDS:
        found = by_leaf.get(leaf.lower())
        text = _field_text(found) if found else None
        if found is not None and text:
            return text, f"field:{found.field_path}"
    return None


def flagged_fields(values: Sequence[RegistrationFieldValue]) -> tuple[FieldFeedback, ...]:
    """Every field with a reviewer's DeniedReason or Feedback, in field-path order."""
    return tuple(
        FieldFeedback(value.field_path, value.denied_reason or None, value.feedback or None)
        for value in sorted(values, key=lambda v: v.field_path)
        if value.denied_reason or value.feedback
    )


def choose_name(
    name_tag: str | None, registration_type: str, values: Sequence[RegistrationFieldValue]
) -> tuple[str | None, str | None]:
    """The `Name` tag (the console's friendly name), else the form's fields."""
    if name_tag and _clean(name_tag):
        return _clean(name_tag), f"tag:{NAME_TAG}"
    found = name_from_fields(registration_type, values)
    return found if found else (None, None)
