"""Registration forms the emulator serves: `DescribeRegistrationFieldDefinitions`.

Field paths, types and limits follow AWS's published forms (US 10DLC brand and campaign,
US toll-free, Singapore sender ID; as the user guide and its CLI walkthroughs list them),
in botocore 1.44.5's `RegistrationFieldDefinition` shape. Conditional fields carry
`ConditionalBehavior` rules that exercise every operator the model lists (EQUALS,
NOT_EQUALS, IN, NOT_IN, HAS_VALUE, NO_VALUE) and the per-rule validation overrides.
"""

from __future__ import annotations

from typing import Any

from local.emulator import pagination
from local.emulator.protocol import validation_error
from local.emulator.store import DEFAULT_ACCOUNT, Store

BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
CAMPAIGN = "US_TEN_DLC_CAMPAIGN_REGISTRATION"
TOLL_FREE = "US_TOLL_FREE_REGISTRATION"
SENDER_ID = "SG_SENDER_ID_REGISTRATION"
DEFAULT_MAX_RESULTS = 100
YES_NO = ("Yes", "No")
US_STATES_PATTERN = "[A-Z]{2}"
URL_PATTERN = "https?://\\S+"
EIN_PATTERN = "\\d{2}-?\\d{7}"


def _field(path: str, field_type: str, title: str, requirement: str, hint: str) -> dict[str, Any]:
    return {
        "SectionPath": path.split(".", 1)[0],
        "FieldPath": path,
        "FieldType": field_type,
        "FieldRequirement": requirement,
        "DisplayHints": {"Title": title, "ShortDescription": hint},
    }


def text(
    path: str,
    title: str,
    requirement: str = "REQUIRED",
    *,
    min_length: int = 1,
    max_length: int = 255,
    pattern: str = ".*",
    hint: str = "",
) -> dict[str, Any]:
    item = _field(path, "TEXT", title, requirement, hint or title)
    item["TextValidation"] = {"MinLength": min_length, "MaxLength": max_length, "Pattern": pattern}
    return item


def select(
    path: str,
    title: str,
    options: tuple[str, ...],
    requirement: str = "REQUIRED",
    *,
    min_choices: int = 1,
    max_choices: int = 1,
    hint: str = "",
) -> dict[str, Any]:
    item = _field(path, "SELECT", title, requirement, hint or title)
    item["SelectValidation"] = {
        "MinChoices": min_choices,
        "MaxChoices": max_choices,
        "Options": list(options),
    }
    return item


def attachment(path: str, title: str, requirement: str = "OPTIONAL", hint: str = "") -> dict[str, Any]:
    return _field(path, "ATTACHMENT", title, requirement, hint or title)


def when(
    depends_on: str, operator: str, values: tuple[str, ...] = (), behavior: str = "REQUIRED", **check: Any
) -> dict[str, Any]:
    """One ConditionalRule with one condition; `check` holds ConditionalValidation members."""
    condition: dict[str, Any] = {"DependsOnFieldPath": depends_on, "Operator": operator}
    if values:
        condition["Values"] = list(values)
    rule: dict[str, Any] = {"Conditions": [condition], "RuleBehavior": behavior}
    if check:
        rule["ConditionalValidation"] = check
    return rule


def conditional(item: dict[str, Any], rules: list[dict[str, Any]], default: str) -> dict[str, Any]:
    item["FieldRequirement"] = "CONDITIONAL"
    item["ConditionalBehavior"] = {"Rules": rules, "DefaultBehavior": default}
    return item


LEGAL_TYPES = ("PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT", "GOVERNMENT", "SOLE_PROPRIETOR")
VERTICALS = (
    "AGRICULTURE", "COMMUNICATION", "CONSTRUCTION", "EDUCATION", "ENERGY", "ENTERTAINMENT", "FINANCIAL",
    "GOVERNMENT", "HEALTHCARE", "HOSPITALITY", "INSURANCE", "MANUFACTURING", "NGO", "REAL_ESTATE",
    "RETAIL", "TECHNOLOGY",
)  # fmt: skip
USE_CASES = (
    "ACCOUNT_NOTIFICATION", "CHARITY", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION", "FRAUD_ALERT",
    "HIGHER_EDUCATION", "LOW_VOLUME", "MARKETING", "MIXED", "POLLING_VOTING",
    "PUBLIC_SERVICE_ANNOUNCEMENT", "SECURITY_ALERT", "TWO_FACTOR_AUTHENTICATION",
)  # fmt: skip
SUB_USE_CASES = tuple(u for u in USE_CASES if u not in {"CHARITY", "LOW_VOLUME", "MIXED"})
TOLL_FREE_USE_CASES = (
    "TWO_FACTOR_AUTHENTICATION", "ACCOUNT_NOTIFICATIONS", "CUSTOMER_CARE", "DELIVERY_NOTIFICATIONS",
    "FRAUD_ALERT_MESSAGING", "MARKETING", "POLLING_AND_VOTING", "PUBLIC_SERVICE_ANNOUNCEMENT",
    "SECURITY_ALERT",
)  # fmt: skip
VOLUMES = ("10", "100", "1,000", "10,000", "100,000", "250,000", "500,000", "750,000", "1,000,000")
OPT_IN_TYPES = ("DIGITAL_FORM", "KEYWORD", "VERBAL", "PAPER_FORM", "APP", "QR_CODE")


def _address(prefix: str) -> list[dict[str, Any]]:
    return [
        text(f"{prefix}.address1", "Address", max_length=100),
        text(f"{prefix}.address2", "Address line 2", "OPTIONAL", max_length=100),
        text(f"{prefix}.city", "City", max_length=100),
        text(f"{prefix}.state", "State", pattern=US_STATES_PATTERN, max_length=2),
        text(f"{prefix}.zipCode", "ZIP code", pattern="\\d{5}(-\\d{4})?", max_length=10),
        select(f"{prefix}.isoCountryCode", "Country", ("US",)),
    ]


def _brand() -> list[dict[str, Any]]:
    return [
        text("companyInfo.companyName", "Legal company name", max_length=100,
             hint="Exactly as on the IRS CP 575 letter"),
        text("companyInfo.dbaName", "DBA or brand name", "OPTIONAL", max_length=100),
        select("companyInfo.legalType", "Legal form", LEGAL_TYPES),
        select("companyInfo.taxIdIssuingCountry", "Tax ID issuing country", ("US", "CA", "GB", "OTHER")),
        conditional(
            text("companyInfo.taxId", "Tax ID (EIN)", max_length=21),
            [
                when("companyInfo.legalType", "EQUALS", ("SOLE_PROPRIETOR",), "DISALLOWED"),
                when("companyInfo.taxIdIssuingCountry", "EQUALS", ("US",), Pattern=EIN_PATTERN, MaxLength=10),
            ],
            "REQUIRED",
        ),
        conditional(
            text("companyInfo.stockSymbol", "Stock symbol", max_length=10, pattern="[A-Z.]{1,10}"),
            [
                when("companyInfo.legalType", "EQUALS", ("PUBLIC_PROFIT",)),
                when("companyInfo.legalType", "IN", ("NON_PROFIT", "GOVERNMENT", "SOLE_PROPRIETOR"),
                     "DISALLOWED"),
            ],
            "OPTIONAL",
        ),
        conditional(
            select("companyInfo.stockExchange", "Stock exchange", ("NASDAQ", "NYSE", "AMEX", "OTHER")),
            [when("companyInfo.stockSymbol", "NO_VALUE", behavior="DISALLOWED")],
            "REQUIRED",
        ),
        select("companyInfo.vertical", "Vertical", VERTICALS),
        text("companyInfo.website", "Company website", pattern=URL_PATTERN),
        *_address("companyInfo"),
        text("contactInfo.firstName", "Contact first name", max_length=100),
        text("contactInfo.lastName", "Contact last name", max_length=100),
        text("contactInfo.supportEmail", "Support email", max_length=100,
             hint="A mailbox on the company's domain; it receives the authentication email"),
        text("contactInfo.supportPhoneNumber", "Support phone number", pattern="\\+[1-9]\\d{7,14}"),
    ]  # fmt: skip


def _campaign() -> list[dict[str, Any]]:
    return [
        text("campaignInfo.campaignName", "Campaign description", min_length=40, max_length=4096,
             hint="Who sends, to whom, and why"),
        select("campaignInfo.vertical", "Vertical", VERTICALS),
        text("campaignInfo.termsAndConditionsLink", "Terms and conditions URL", "OPTIONAL",
             pattern=URL_PATTERN),
        conditional(
            attachment("campaignInfo.termsAndConditionsFile", "Terms and conditions file"),
            [when("campaignInfo.termsAndConditionsLink", "HAS_VALUE", behavior="DISALLOWED")],
            "OPTIONAL",
        ),
        text("campaignInfo.privacyPolicyLink", "Privacy policy URL", "OPTIONAL", pattern=URL_PATTERN),
        conditional(
            attachment("campaignInfo.privacyPolicyFile", "Privacy policy file"),
            [when("campaignInfo.privacyPolicyLink", "HAS_VALUE", behavior="DISALLOWED")],
            "OPTIONAL",
        ),
        text("campaignInfo.optInWorkflow", "Opt-in workflow", min_length=40, max_length=2048,
             hint="Every way recipients consent, with links or screenshots"),
        attachment("campaignInfo.optInScreenshot", "Opt-in screenshot"),
        text("campaignInfo.optInKeyword", "Opt-in keyword", "OPTIONAL"),
        text("campaignInfo.optInMessage", "Opt-in confirmation message", min_length=20),
        text("campaignInfo.helpMessage", "HELP message", min_length=20),
        text("campaignInfo.stopMessage", "STOP message", min_length=20),
        select("campaignCapabilities.numberCapabilities", "Number capabilities",
               ("SMS", "SMS and MMS", "SMS and VOICE", "SMS and MMS and VOICE")),
        select("campaignCapabilities.messageType", "Message type", ("Transactional", "Promotional"),
               "OPTIONAL"),
        select("campaignUseCase.useCase", "Use case", USE_CASES),
        conditional(
            select("campaignUseCase.subUseCases", "Sub use cases", SUB_USE_CASES, max_choices=5),
            [
                when("campaignUseCase.useCase", "EQUALS", ("MIXED",)),
                when("campaignUseCase.useCase", "IN", ("LOW_VOLUME",),
                     AllowedValues=["ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION",
                                    "TWO_FACTOR_AUTHENTICATION"]),
            ],
            "DISALLOWED",
        ),
        select("campaignUseCase.subscriberOptIn", "Subscriber opt-in", ("Yes",)),
        select("campaignUseCase.subscriberOptOut", "Subscriber opt-out", ("Yes",)),
        select("campaignUseCase.subscriberHelp", "Subscriber help", ("Yes",)),
        select("campaignUseCase.directLending", "Direct lending or loan arrangement", YES_NO),
        select("campaignUseCase.embeddedLink", "Embedded link", YES_NO),
        conditional(
            text("campaignUseCase.embeddedLinkSample", "Embedded link sample", pattern=URL_PATTERN),
            [
                when("campaignUseCase.embeddedLink", "EQUALS", ("Yes",)),
                when("campaignUseCase.embeddedLink", "NOT_EQUALS", ("Yes",), "DISALLOWED"),
            ],
            "OPTIONAL",
        ),
        select("campaignUseCase.embeddedPhone", "Embedded phone number", YES_NO),
        select("campaignUseCase.ageGated", "Age-gated content", YES_NO),
        text("messageSamples.messageSample1", "Message sample 1", min_length=20, max_length=1024),
        *(text(f"messageSamples.messageSample{n}", f"Message sample {n}", "OPTIONAL", min_length=20,
               max_length=1024) for n in range(2, 6)),
    ]  # fmt: skip


def _toll_free() -> list[dict[str, Any]]:
    return [
        text("companyInfo.companyName", "Company name", max_length=100),
        text("companyInfo.website", "Company website", pattern=URL_PATTERN),
        *_address("companyInfo"),
        select("companyInfo.businessType", "Business type", LEGAL_TYPES),
        conditional(
            text("companyInfo.businessRegistrationNumber", "Business registration number (EIN)",
                 pattern=EIN_PATTERN),
            [when("companyInfo.businessType", "NOT_IN", ("SOLE_PROPRIETOR",))],
            "DISALLOWED",
        ),
        text("contactInfo.firstName", "Contact first name", max_length=100),
        text("contactInfo.lastName", "Contact last name", max_length=100),
        text("contactInfo.supportEmail", "Support email", max_length=100),
        text("contactInfo.supportPhoneNumber", "Support phone number", pattern="\\+[1-9]\\d{7,14}"),
        select("messagingUseCase.monthlyMessageVolume", "Monthly message volume", VOLUMES),
        select("messagingUseCase.useCaseCategory", "Use case", TOLL_FREE_USE_CASES),
        text("messagingUseCase.useCaseDetails", "Use case details", min_length=40, max_length=500),
        select("messagingUseCase.optInType", "Opt-in type", OPT_IN_TYPES),
        text("messagingUseCase.optInDescription", "Opt-in description", min_length=40, max_length=500),
        conditional(
            attachment("messagingUseCase.optInImage", "Opt-in image"),
            [when("messagingUseCase.optInType", "IN", ("VERBAL", "PAPER_FORM"))],
            "OPTIONAL",
        ),
        # Required for new toll-free registrations from 2026-09-15 (user guide).
        text("messagingUseCase.privacyPolicyUrl", "Privacy policy URL", pattern=URL_PATTERN),
        text("messagingUseCase.termsAndConditionsUrl", "Terms and conditions URL", pattern=URL_PATTERN),
        text("messageSamples.messageSample1", "Message sample 1", min_length=20, max_length=1024),
        text("messageSamples.messageSample2", "Message sample 2", "OPTIONAL", min_length=20, max_length=1024),
        text("messageSamples.messageSample3", "Message sample 3", "OPTIONAL", min_length=20, max_length=1024),
    ]  # fmt: skip


def _sender_id() -> list[dict[str, Any]]:
    return [
        text("companyInfo.companyName", "Company name", max_length=100),
        text("companyInfo.uen", "Unique Entity Number (UEN)", pattern="[0-9A-Z]{9,10}"),
        text("companyInfo.website", "Company website", pattern=URL_PATTERN),
        text("contactInfo.supportEmail", "Contact email", max_length=100),
        text("senderIdInfo.senderId", "Sender ID", max_length=11, pattern="[A-Za-z0-9 &.-]{3,11}"),
        select("messagingUseCase.useCaseCategory", "Use case",
               ("TWO_FACTOR_AUTHENTICATION", "ACCOUNT_NOTIFICATIONS", "MARKETING", "OTHER")),
        conditional(
            text("messagingUseCase.useCaseDetails", "Use case details", max_length=500),
            [when("messagingUseCase.useCaseCategory", "EQUALS", ("OTHER",), MinLength=40)],
            "OPTIONAL",
        ),
        text("messagingUseCase.optInDescription", "Opt-in description", min_length=40, max_length=500),
        text("messageSamples.messageSample1", "Message sample 1", min_length=20, max_length=1024),
    ]  # fmt: skip


FORMS: dict[str, list[dict[str, Any]]] = {
    BRAND: _brand(),
    CAMPAIGN: _campaign(),
    TOLL_FREE: _toll_free(),
    SENDER_ID: _sender_id(),
}


def describe_registration_field_definitions(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration_type = params["RegistrationType"]
    form = FORMS.get(registration_type)
    if form is None:
        raise validation_error(
            "UNKNOWN_REGISTRATION_TYPE", f"The registration type {registration_type} is not known."
        )
    section = params.get("SectionPath")
    wanted = set(params.get("FieldPaths") or [])
    known = {item["FieldPath"] for item in form}
    if section is not None and section not in {item["SectionPath"] for item in form}:
        raise validation_error("UNKNOWN_REGISTRATION_SECTION", f"The section {section} is not known.")
    if wanted - known:
        raise validation_error(
            "UNKNOWN_REGISTRATION_FIELD", f"Unknown field paths: {', '.join(sorted(wanted - known))}."
        )
    fingerprint = pagination.fingerprint(
        "DescribeRegistrationFieldDefinitions", registration_type, section, sorted(wanted)
    )
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, int):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    chosen = [
        (index, item)
        for index, item in enumerate(form)
        if (section is None or item["SectionPath"] == section) and (not wanted or item["FieldPath"] in wanted)
    ]
    remaining = [(i, item) for i, item in chosen if after is None or i > after]
    limit = int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)
    page = remaining[:limit]
    response: dict[str, Any] = {
        "RegistrationType": registration_type,
        "RegistrationFieldDefinitions": [item for _, item in page],
    }
    if len(remaining) > limit:
        response["NextToken"] = pagination.make_token(page[-1][0], fingerprint, store.clock.now())
    return response


HANDLERS = {"DescribeRegistrationFieldDefinitions": describe_registration_field_definitions}
