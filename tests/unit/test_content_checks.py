"""Content checks named after AWS's denial reasons, on the forms the emulator serves."""

from __future__ import annotations

from datetime import date

from local.emulator.forms import CAMPAIGN, FORMS, TOLL_FREE
from regwatch.content_checks import TOLL_FREE_URLS_REQUIRED_FROM, company_name_core
from regwatch.registration_check import check_registration
from regwatch.registration_form import FieldValue, Problem, definition_from_api

BEFORE = TOLL_FREE_URLS_REQUIRED_FROM.replace(day=14)
TODAY = date(2026, 12, 6)

GOOD_CAMPAIGN = {
    "campaignInfo.campaignName": "Acme Corp sends sign-in codes to customers of its app who asked for them.",
    "campaignInfo.vertical": ["RETAIL"],
    "campaignInfo.optInWorkflow": "Customers tick an unchecked SMS box on https://acme-corp.com/account/security.",
    "campaignInfo.optInMessage": "Acme Corp: codes on. Msg&data rates apply. HELP for help, STOP to end.",
    "campaignInfo.helpMessage": "Acme Corp: help at support@acme-corp.com. Reply STOP to cancel.",
    "campaignInfo.stopMessage": "Acme Corp: you are unsubscribed, no further messages.",
    "campaignCapabilities.numberCapabilities": ["SMS"],
    "campaignUseCase.useCase": ["TWO_FACTOR_AUTHENTICATION"],
    "campaignUseCase.subscriberOptIn": ["Yes"],
    "campaignUseCase.subscriberOptOut": ["Yes"],
    "campaignUseCase.subscriberHelp": ["Yes"],
    "campaignUseCase.directLending": ["No"],
    "campaignUseCase.embeddedLink": ["No"],
    "campaignUseCase.embeddedPhone": ["No"],
    "campaignUseCase.ageGated": ["No"],
    "messageSamples.messageSample1": "Acme Corp: your code is [code]. Reply STOP to opt out.",
}
GOOD_TOLL_FREE = {
    "companyInfo.companyName": "Acme Travel, Inc.",
    "companyInfo.website": "https://acmetravel.com",
    "companyInfo.address1": "1 Pine St",
    "companyInfo.city": "Seattle",
    "companyInfo.state": "WA",
    "companyInfo.zipCode": "98101",
    "companyInfo.isoCountryCode": ["US"],
    "companyInfo.businessType": ["SOLE_PROPRIETOR"],
    "contactInfo.firstName": "Sam",
    "contactInfo.lastName": "Ortiz",
    "contactInfo.supportEmail": "help@acmetravel.com",
    "contactInfo.supportPhoneNumber": "+18005550100",
    "messagingUseCase.monthlyMessageVolume": ["1,000"],
    "messagingUseCase.useCaseCategory": ["ACCOUNT_NOTIFICATIONS"],
    "messagingUseCase.useCaseDetails": "Acme Travel texts booking confirmations to travelers who ask.",
    "messagingUseCase.optInType": ["DIGITAL_FORM"],
    "messagingUseCase.optInDescription": "Travelers tick an unchecked box at checkout on https://acmetravel.com/book.",
    "messagingUseCase.privacyPolicyUrl": "https://acmetravel.com/privacy",
    "messagingUseCase.termsAndConditionsUrl": "https://acmetravel.com/terms",
    "messageSamples.messageSample1": "Acme Travel: booking [ref] confirmed. Reply STOP to opt out.",
}


def check(
    kind: str, fields: dict[str, str | list[str] | None], today: date = TODAY
) -> dict[tuple[str, str], Problem]:
    values = [
        FieldValue(p, select_choices=tuple(v)) if isinstance(v, list) else FieldValue(p, v)
        for p, v in fields.items()
        if v is not None
    ]
    definitions = [definition_from_api(d) for d in FORMS[kind]]
    return {(p.field_path, p.rule): p for p in check_registration(kind, definitions, values, today)}


def test_complete_forms_have_no_problems() -> None:
    assert check(CAMPAIGN, GOOD_CAMPAIGN) == {}
    assert check(TOLL_FREE, GOOD_TOLL_FREE) == {}


def test_opt_in_description_missing_is_one_line_and_vague_is_named() -> None:
    missing = check(CAMPAIGN, {**GOOD_CAMPAIGN, "campaignInfo.optInWorkflow": None})
    assert list(missing) == [("campaignInfo.optInWorkflow", "REQUIRED")]
    assert "OPT_IN_WORKFLOW_MISSING" in missing[("campaignInfo.optInWorkflow", "REQUIRED")].denial_codes
    vague = check(
        CAMPAIGN,
        {**GOOD_CAMPAIGN, "campaignInfo.optInWorkflow": "Our customers agree to get these messages from us."},
    )
    assert (
        vague[("campaignInfo.optInWorkflow", "OPT_IN_DESCRIPTION_VAGUE")].denial_codes[0] == "UNCLEAR_OPT_IN"
    )


def test_samples_need_opt_out_language_and_no_url_shorteners() -> None:
    found = check(
        CAMPAIGN,
        {
            **GOOD_CAMPAIGN,
            "messageSamples.messageSample1": "Acme Corp: your code is [code], see https://bit.ly/x1",
        },
    )
    assert set(found) == {
        ("messageSamples.messageSample1", "SAMPLE_OPT_OUT_MISSING"),
        ("messageSamples.messageSample1", "SAMPLE_URL_SHORTENER"),
    }


def test_keyword_messages_need_help_stop_and_a_contact() -> None:
    found = check(
        CAMPAIGN,
        {
            **GOOD_CAMPAIGN,
            "campaignInfo.optInMessage": "Acme Corp: welcome! Msg & data rates may apply. Reply STOP to end.",
            "campaignInfo.helpMessage": "Acme Corp: we are here to help you anytime.",
        },
    )
    assert set(found) == {
        ("campaignInfo.optInMessage", "OPT_IN_MESSAGE_HELP_STOP"),
        ("campaignInfo.helpMessage", "HELP_MESSAGE_CONTACT"),
    }


def test_toll_free_needs_privacy_and_terms_urls_from_2026_09_15() -> None:
    # The emulator's form already requires them; the dated check stands when a form does not.
    without = {
        **GOOD_TOLL_FREE,
        "messagingUseCase.privacyPolicyUrl": None,
        "messagingUseCase.termsAndConditionsUrl": None,
    }
    relaxed = [
        {**d, "FieldRequirement": "OPTIONAL"} if "Url" in d["FieldPath"] else d for d in FORMS[TOLL_FREE]
    ]
    definitions = [definition_from_api(d) for d in relaxed]
    values = [
        FieldValue(p, select_choices=tuple(v)) if isinstance(v, list) else FieldValue(p, v)
        for p, v in without.items()
        if v
    ]
    after = {
        (p.field_path, p.rule)
        for p in check_registration(TOLL_FREE, definitions, values, TOLL_FREE_URLS_REQUIRED_FROM)
    }
    assert after == {
        ("messagingUseCase.privacyPolicyUrl", "TOLL_FREE_URL_REQUIRED"),
        ("messagingUseCase.termsAndConditionsUrl", "TOLL_FREE_URL_REQUIRED"),
    }
    assert check_registration(TOLL_FREE, definitions, values, BEFORE) == []
    bad = check(
        TOLL_FREE, {**GOOD_TOLL_FREE, "messagingUseCase.privacyPolicyUrl": "acmetravel dot com slash privacy"}
    )
    assert ("messagingUseCase.privacyPolicyUrl", "URL_FORMAT") in bad


def test_company_name_must_appear_in_samples_and_brand_contact_not_on_a_public_domain() -> None:
    found = check(
        TOLL_FREE,
        {
            **GOOD_TOLL_FREE,
            "messageSamples.messageSample1": "Globex: booking [ref] confirmed. Reply STOP to opt out.",
            "contactInfo.supportEmail": "acme.travel@gmail.com",
        },
    )
    assert set(found) == {
        ("messageSamples.messageSample1", "COMPANY_NAME_MISMATCH"),
        ("contactInfo.supportEmail", "PUBLIC_EMAIL_DOMAIN"),
    }
    assert (
        found[("contactInfo.supportEmail", "PUBLIC_EMAIL_DOMAIN")].denial_codes[0]
        == "BRAND_EMAIL_PUBLIC_DOMAIN"
    )
    # Legal suffixes go (all of them: messages often say just the name).
    assert company_name_core("Acme Corp Pte. Ltd.") == company_name_core("ACME") == "acme"


def test_a_campaign_is_checked_against_its_brands_name_when_given() -> None:
    definitions = [definition_from_api(d) for d in FORMS[CAMPAIGN]]
    values = [
        FieldValue(p, select_choices=tuple(v)) if isinstance(v, list) else FieldValue(p, v)
        for p, v in GOOD_CAMPAIGN.items()
    ]
    assert check_registration(CAMPAIGN, definitions, values, TODAY, ["Acme Corp, Inc."]) == []
    found = {
        (p.field_path, p.rule) for p in check_registration(CAMPAIGN, definitions, values, TODAY, ["Globex"])
    }
    assert found == {
        ("campaignInfo.optInMessage", "COMPANY_NAME_MISMATCH"),
        ("campaignInfo.helpMessage", "COMPANY_NAME_MISMATCH"),
        ("campaignInfo.stopMessage", "COMPANY_NAME_MISMATCH"),
        ("messageSamples.messageSample1", "COMPANY_NAME_MISMATCH"),
    }
