"""Alert content for denials: AWS's fix under each documented reason and one resubmit verdict."""

from __future__ import annotations

import json

import pytest

from regwatch.event_models import parse_regwatch_event
from regwatch.events import EventContext, build_entry
from regwatch.model import DeniedReason
from regwatch_alerts.alert_content import AlertContent, describe
from tests.golden.sample_events import SOURCE, version_transition

CONTEXT = EventContext("123456789012", "us-east-1", SOURCE, "regwatch")


def content_for(*reasons: str) -> AlertContent:
    transition = version_transition(
        "DENIED", "REVIEWING", reasons=tuple(DeniedReason(r, f"short {r}") for r in reasons)
    )
    entry = build_entry(transition, CONTEXT)
    raw = {
        "version": "0", "id": "1", "detail-type": entry["DetailType"], "source": entry["Source"],
        "account": CONTEXT.account_id, "time": "2025-03-03T09:22:00Z", "region": CONTEXT.region,
        "resources": entry["Resources"], "detail": json.loads(entry["Detail"]),
    }  # fmt: skip
    return describe(parse_regwatch_event(raw, SOURCE))


def test_each_documented_reason_carries_its_fix_and_resubmittability() -> None:
    content = content_for("INVALID_URL", "Public email domain", "SOMETHING_NEW")
    first, second, unknown = content.reasons
    assert first.long_description is not None and first.long_description.startswith("Fix (AWS's guide): ")
    assert "A new version can be submitted" in first.long_description
    assert second.long_description is not None and "business domain" in second.long_description
    assert unknown.long_description is None, "a reason the guide does not list is shown as AWS wrote it"
    assert "regwatch resubmit-draft registration-0a1b2c3d4e5f" in content.next_steps[-1]


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (("INVALID_URL", "SECURITY_REVIEW_FAILED"), "AWS does not accept a new version for “Security review"),
        (("INVALID_URL", "NON_COMPLIANT_USE_CASE"), "depends on the content (“Non-compliant use case”)"),
        (("SOMETHING_NEW",), "Then create a new version of the registration with the fixes"),
    ],
)
def test_the_verdict_follows_the_least_resubmittable_reason(reasons: tuple[str, ...], expected: str) -> None:
    steps = content_for(*reasons).next_steps
    assert expected in steps[-1]
    if "SECURITY_REVIEW_FAILED" in reasons:
        assert "AWS Support case" in steps[-1] and "resubmit-draft" not in steps[-1]


def test_explain_shows_the_fix_and_lists_it_for_scripts() -> None:
    from regwatch_cli.explain import VersionExplanation

    transition = version_transition(
        "DENIED", "REVIEWING", reasons=(DeniedReason("SECURITY_REVIEW_FAILED", "Did not pass."),)
    )
    entry = build_entry(transition, CONTEXT)
    raw = {
        "version": "0", "id": "1", "detail-type": entry["DetailType"], "source": entry["Source"],
        "account": CONTEXT.account_id, "time": "2025-03-03T09:22:00Z", "region": CONTEXT.region,
        "resources": entry["Resources"], "detail": json.loads(entry["Detail"]),
    }  # fmt: skip
    explained = VersionExplanation(2, "latest denied", parse_regwatch_event(raw, SOURCE), ())
    assert explained.as_dict()["denialFixes"] == [
        {
            "reason": "SECURITY_REVIEW_FAILED",
            "title": "Security review requirements not met",
            "fix": "The decision is final: consider other messaging options or apply again later.",
            "resubmittable": "NO",
        }
    ]
    text = explained.text()
    assert "AWS's guide: The decision is final" in text and "open an AWS Support case" in text
