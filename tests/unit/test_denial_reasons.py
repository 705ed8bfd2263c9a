"""The denial knowledge base against AWS's "Rejection troubleshooting" guide as recorded.

DOCUMENTED_CODES (the table module's header) records the guide's ENUM values; the counts per
section and the reasons the guide marks "No" or "Depends on content" are transcribed here
again from the same page, so a table edit that drops or mislabels a reason fails.
"""

from __future__ import annotations

from collections import Counter

from regwatch.denial_reasons import (
    DOCUMENTED_CODES,
    REASONS,
    RETRIEVED,
    SOURCE_URL,
    Resubmittable,
    lookup,
    verdict,
)

# Rows per section of the guide (Brand Identity, Campaign Description, Website, Opt-In,
# Opt-Out, Age Gate, Disallowed Content).
SECTION_ROWS = {
    "Brand identity": 18,
    "Campaign description": 39,
    "Website": 21,
    "Opt-in": 23,
    "Opt-out": 3,
    "Age gate": 5,
    "Disallowed content": 25,
}
NOT_RESUBMITTABLE = {
    "BRAND_NON_COMPLIANT_HIGH_RISK_FINANCIAL",
    "SPAM_OR_PHISHING_ASSOCIATION",
    "CANNOT_UPDATE_REGISTRATION",
    "BRAND_URL_HIGH_RISK_DOMAIN",
    "TERMS_AND_CONDITIONS_NON_COMPLIANT_AFFILIATE_MARKETING",
    "OPT_IN_WORKFLOW_NON_COMPLIANT_CONTENT_GAMBLING",
    "OPT_IN_WORKFLOW_NON_COMPLIANT_CONTENT_HIGH_RISK_FINANCIAL",
    "OPT_IN_WORKFLOW_NON_COMPLIANT_CONTENT_ILLEGAL_SUBSTANCES",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_AFFILIATE_MARKETING",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_GAMBLING",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_HIGH_RISK_FINANCIAL",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_ILLEGAL_SUBSTANCES",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_JOB_BOARDS",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_SHAFT",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_SWEEPSTAKES",
    "CAMPAIGN_NON_COMPLIANT_CONTENT_CANNABIS",
    "NON_COMPLIANT_USE_CASE_AFFILIATE_MARKETING",
    "NON_COMPLIANT_USE_CASE_GAMBLING",
    "NON_COMPLIANT_USE_CASE_HIGH_RISK_FINANCIAL",
    "NON_COMPLIANT_USE_CASE_SHAFT",
    "NON_COMPLIANT_USE_CASE_CANNIBIS",
    "NON_COMPLIANT_USE_CASE_HATE",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_GAMBLING",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_HIGH_RISK_FINANCIAL",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_ILLEGAL_SUBSTANCES",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_JOB_BOARDS",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_SHAFT",
    "SAMPLE_MESSAGE_NON_COMPLIANT_CONTENT_SWEEPSTAKES",
    "REGISTRATION_SUSPENDED_BY_MNO",
    "SECURITY_REVIEW_FAILED",
}
DEPENDS_ON_CONTENT = {
    "BRAND_NON_COMPLIANT_SWEEPSTAKES",
    "NON_COMPLIANT_MESSAGE_SAMPLES",
    "OPT_IN_WORKFLOW_NON_COMPLIANT_CONTENT_SHAFT_AGE_GATE",
    "NON_COMPLIANT_USE_CASE",
}


def test_the_recorded_list_is_the_guides_and_every_reason_has_a_fix() -> None:
    assert len(DOCUMENTED_CODES) == len(set(DOCUMENTED_CODES)) == sum(SECTION_ROWS.values()) == 134
    missing = set(DOCUMENTED_CODES) - set(REASONS)
    extra = set(REASONS) - set(DOCUMENTED_CODES)
    assert (missing, extra) == (set(), set())
    assert Counter(r.category for r in REASONS.values()) == SECTION_ROWS
    assert all(r.fix.strip() and r.title.strip() for r in REASONS.values())
    assert SOURCE_URL.startswith("https://docs.aws.amazon.com/sms-voice/") and RETRIEVED == "2026-12-06"


def test_resubmittability_is_the_guides() -> None:
    by_flag = {
        flag: {code for code, r in REASONS.items() if r.resubmittable is flag} for flag in Resubmittable
    }
    assert by_flag[Resubmittable.NO] == NOT_RESUBMITTABLE
    assert by_flag[Resubmittable.DEPENDS] == DEPENDS_ON_CONTENT
    assert len(by_flag[Resubmittable.YES]) == 134 - len(NOT_RESUBMITTABLE) - len(DEPENDS_ON_CONTENT)


def test_a_reason_is_found_by_its_enum_value_or_console_title() -> None:
    assert lookup("OPT_IN_WORKFLOW_MISSING") is REASONS["OPT_IN_WORKFLOW_MISSING"]
    assert lookup(" opt_in_workflow_missing ") is REASONS["OPT_IN_WORKFLOW_MISSING"]
    assert lookup("Public email domain") is REASONS["BRAND_EMAIL_PUBLIC_DOMAIN"]
    assert (
        lookup("Campaign non-compliant content: gambling")
        is REASONS["CAMPAIGN_NON_COMPLIANT_CONTENT_GAMBLING"]
    )
    assert lookup("Opt-in workflow not provided") is None, "free text AWS might send has no entry"


def test_one_non_resubmittable_reason_decides_the_denial() -> None:
    yes, no, depends = (
        REASONS[c] for c in ("INVALID_URL", "SECURITY_REVIEW_FAILED", "NON_COMPLIANT_USE_CASE")
    )
    assert verdict([yes, yes]) is Resubmittable.YES
    assert verdict([yes, depends]) is Resubmittable.DEPENDS
    assert verdict([depends, no, yes]) is Resubmittable.NO
    assert verdict([]) is None


def test_only_denials_a_new_version_cannot_fix_page() -> None:
    from regwatch.severity import denial_pages

    assert denial_pages(["INVALID_URL", "Public email domain"]) is False, "resubmittable: chat's job"
    assert denial_pages(["INVALID_URL", "SECURITY_REVIEW_FAILED"]) is True
    assert denial_pages(["NON_COMPLIANT_USE_CASE"]) is True, "depends on content: a person decides"
    assert denial_pages(["INVALID_URL", "Website unreachable"]) is None, "unlisted: the usual urgency"
    assert denial_pages([]) is None
