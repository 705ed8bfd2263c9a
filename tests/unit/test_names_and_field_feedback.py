"""Names, impact and field feedback: when to read, what to call a registration, and
field feedback within EventBridge / Block Kit / SNS limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from destinations.slack.render import MAX_BLOCKS, SECTION_TEXT_LIMIT, render_slack_message
from regwatch.event_models import parse_regwatch_event
from regwatch.events import MAX_ENTRY_BYTES, build_entry
from regwatch.model import (
    FieldFeedback,
    RegistrationChange,
    RegistrationFieldValue,
    RegistrationProfile,
)
from regwatch.profile import MAX_NAME_CHARS, choose_name, flagged_fields, reads_for
from regwatch_alerts.alert_content import describe, field_path_in_words
from regwatch_alerts.render_text import BODY_BYTES_LIMIT, render_text_notification
from tests.golden.sample_events import (
    CONTEXT,
    DENIAL_REASONS,
    SOURCE,
    as_delivered,
    registration,
    registration_transition,
    version_transition,
)

T = datetime(2026, 1, 1, tzinfo=UTC)


def _profile(**changes: object) -> RegistrationProfile:
    return replace(RegistrationProfile(fields_version=2, associations_read=True), **changes)  # type: ignore[arg-type]


def test_a_submission_reads_the_name_once_and_a_review_step_reads_nothing() -> None:
    submitted = [version_transition("SUBMITTED", "DRAFT")]
    reads = reads_for(None, registration(current_version=2), "SUBMITTED", submitted)
    assert (reads.name_from_version, reads.feedback_from_version, reads.associations) == (2, None, False)
    # Never named, and now it needs a person: the name is read for that alert.
    auth = [version_transition("REQUIRES_AUTHENTICATION", "REVIEWING")]
    reads = reads_for(None, registration(current_version=2), "REQUIRES_AUTHENTICATION", auth)
    assert (reads.name_from_version, reads.associations) == (2, False)
    assert not reads_for(_profile(), registration(current_version=2), "REQUIRES_AUTHENTICATION", auth).any
    # A revocation of a registration never listed: what it stops is read too.
    revoked = [version_transition("REVOKED", "APPROVED")]
    assert reads_for(None, registration(current_version=2), "REVOKED", revoked).associations
    reviewing = [version_transition("REVIEWING", "SUBMITTED")]
    assert not reads_for(_profile(), registration(current_version=2), "REVIEWING", reviewing).any
    # A new version still being typed (DRAFT) has no final fields: nothing read yet.
    draft = [version_transition("DRAFT", None, version_number=3)]
    assert not reads_for(_profile(), registration(current_version=3), "DRAFT", draft).any
    assert not reads_for(_profile(), registration(), "DENIED", []).any


def test_denial_and_requires_updates_read_feedback_and_complete_reads_associations() -> None:
    denied = [version_transition("DENIED", "REVIEWING")]
    reads = reads_for(_profile(), registration(current_version=2), "DENIED", denied)
    assert (reads.name_from_version, reads.feedback_from_version, reads.field_values_version) == (None, 2, 2)
    updates = [registration_transition("REQUIRES_UPDATES", "REVIEWING")]
    assert (
        reads_for(_profile(), registration(current_version=2), "DENIED", updates).feedback_from_version == 2
    )
    complete = [registration_transition("COMPLETE", "PROVISIONING", RegistrationChange.STATUS_CHANGED)]
    assert not reads_for(_profile(), registration(current_version=2), "APPROVED", complete).any
    revoked = [version_transition("REVOKED", "APPROVED")]
    reads = reads_for(_profile(), registration(current_version=2), "REVOKED", revoked)
    assert reads.associations and reads.field_values_version is None


def test_name_prefers_the_tag_then_known_fields_then_generic_ones() -> None:
    values = [
        RegistrationFieldValue("companyInfo.companyName", text_value="Acme Corp"),
        RegistrationFieldValue("brandInfo.dbaName", text_value="Acme"),
    ]
    assert choose_name("Acme brand", "US_TOLL_FREE_REGISTRATION", values) == ("Acme brand", "tag:Name")
    assert choose_name("  ", "US_TOLL_FREE_REGISTRATION", values) == (
        "Acme Corp",
        "field:companyInfo.companyName",
    )
    # A type without a table entry: generic leaf names, in their order (dbaName before companyName).
    assert choose_name(None, "UK_SENDER_ID_REGISTRATION", values) == ("Acme", "field:brandInfo.dbaName")
    assert choose_name(None, "X", [RegistrationFieldValue("a.b", text_value="zzz")]) == (None, None)
    long = [RegistrationFieldValue("x.companyName", text_value="A" * 500)]
    name, _ = choose_name(None, "X", long)
    assert name is not None and len(name) == MAX_NAME_CHARS and name.endswith("…")
    choices = [RegistrationFieldValue("x.senderId", select_choices=("ACME",))]
    assert choose_name(None, "X", choices) == ("ACME", "field:x.senderId")


def test_flagged_fields_keep_unknown_paths_in_path_order() -> None:
    values = [
        RegistrationFieldValue("zNew.unknownThing", denied_reason="Some new rule"),
        RegistrationFieldValue("companyInfo.companyName", text_value="Acme"),
        RegistrationFieldValue("companyInfo.website", feedback="Use https"),
    ]
    assert flagged_fields(values) == (
        FieldFeedback("companyInfo.website", None, "Use https"),
        FieldFeedback("zNew.unknownThing", "Some new rule", None),
    )
    assert field_path_in_words("messageSamples.messageSample2") == "Message samples › Message sample 2"
    assert field_path_in_words("companyInfo.companyWebsiteUrl") == "Company info › Company website URL"
    assert field_path_in_words("...") == "..."


def _denial_with_fields(count: int, chars: int) -> dict[str, object]:
    feedback = tuple(
        FieldFeedback(f"section{n:03d}.field{n:03d}", "R" * chars, "F" * chars) for n in range(count)
    )
    transition = replace(
        version_transition("DENIED", "REVIEWING", reasons=DENIAL_REASONS),
        profile=_profile(field_feedback_version=2, field_feedback=feedback),
    )
    return as_delivered(build_entry(transition, CONTEXT))


def test_field_feedback_is_trimmed_to_fit_eventbridge_reasons_first() -> None:
    event = _denial_with_fields(count=300, chars=3000)
    detail = event["detail"]
    assert isinstance(detail, dict)
    assert len(json.dumps(detail).encode()) < MAX_ENTRY_BYTES
    assert detail["truncated"] is True
    assert "fieldFeedback.feedback" in detail["truncatedFields"]
    # AWS's registration-level reasons survive; field feedback is what gives way.
    assert len(detail["deniedReasons"]) == len(DENIAL_REASONS)
    parse_regwatch_event(event, SOURCE)


@pytest.mark.parametrize(("count", "chars"), [(3, 10), (40, 1500), (300, 3000)])
def test_field_feedback_fits_block_kit_and_sns(count: int, chars: int) -> None:
    event = parse_regwatch_event(_denial_with_fields(count, chars), SOURCE)
    shown = len(event.detail.field_feedback)
    message = render_slack_message(event)
    assert len(message["blocks"]) <= MAX_BLOCKS
    sections = [b for b in message["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in sections)
    texts = json.dumps(message, ensure_ascii=False)
    assert "Section 000 › Field 000" in texts
    if shown > 10:
        assert "more flagged fields" in texts
    else:
        assert "more flagged fields" not in texts
        assert f"Section {shown - 1:03d} › Field {shown - 1:03d}" in texts
    body = render_text_notification(event).body
    assert len(body.encode()) <= BODY_BYTES_LIMIT
    assert "FIELDS THE REVIEWER FLAGGED" in body
    assert describe(event).flagged_fields[0].field == "Section 000 › Field 000"


def test_10dlc_forms_are_named_by_their_published_field_paths() -> None:
    brand = [
        RegistrationFieldValue("companyInfo.companyName", text_value="Acme Holdings, LLC"),
        RegistrationFieldValue("contactInfo.dbaName", text_value="Acme"),
    ]
    assert choose_name(None, "US_TEN_DLC_BRAND_REGISTRATION", brand) == ("Acme", "field:contactInfo.dbaName")
    # No DBA filled: the legal name.
    assert choose_name(None, "US_TEN_DLC_BRAND_REGISTRATION", brand[:1]) == (
        "Acme Holdings, LLC",
        "field:companyInfo.companyName",
    )
    campaign = [
        RegistrationFieldValue("campaignInfo.campaignName", text_value="Acme sign-in codes " + "x" * 200),
        RegistrationFieldValue("campaignUseCase.useCase", select_choices=("MIXED",)),
    ]
    name, source = choose_name(None, "US_TEN_DLC_CAMPAIGN_REGISTRATION", campaign)
    assert source == "field:campaignInfo.campaignName"
    assert name is not None and name.startswith("Acme sign-in codes") and len(name) == MAX_NAME_CHARS
    assert choose_name(None, "US_TEN_DLC_CAMPAIGN_REGISTRATION", campaign[1:]) == (
        "MIXED",
        "field:campaignUseCase.useCase",
    )
