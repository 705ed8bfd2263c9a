"""Content checks the field definitions cannot express, each heading off documented denial reasons.

AWS's rejection troubleshooting guide (regwatch.denial_reasons) names what reviewers deny
for: an opt-in description that is missing or vague, sample messages without opt-out
language or with public URL shorteners, HELP/STOP instructions missing from the opt-in
message, privacy-policy and terms URLs missing (toll-free registrations need both from
2026-09-15), a company name that differs between fields, a brand contact on a public
email domain. These checks look at the values only (no network): whether a URL answers
is for the reviewer to find out.

Field paths are the ones AWS's forms use (US 10DLC campaign: campaignInfo.*,
messageSamples.*; toll-free and sender IDs: messagingUseCase.*, contactInfo.*); a check
applies when its field is part of the type's form.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date

from regwatch.registration_form import FieldValue, Problem

TOLL_FREE_URLS_REQUIRED_FROM = date(2026, 9, 15)
OPT_IN_PATHS = ("campaignInfo.optInWorkflow", "messagingUseCase.optInDescription")
SAMPLE_SECTION = "messageSamples."
OPT_IN_MESSAGE = "campaignInfo.optInMessage"
HELP_MESSAGE = "campaignInfo.helpMessage"
STOP_MESSAGE = "campaignInfo.stopMessage"
PRIVACY_PATHS = ("campaignInfo.privacyPolicyLink", "messagingUseCase.privacyPolicyUrl")
PRIVACY_FILES = ("campaignInfo.privacyPolicyFile",)
TERMS_PATHS = ("campaignInfo.termsAndConditionsLink", "messagingUseCase.termsAndConditionsUrl")
TERMS_FILES = ("campaignInfo.termsAndConditionsFile",)
COMPANY_NAME_PATHS = ("companyInfo.companyName", "companyInfo.legalName", "companyInfo.dbaName")
MIN_OPT_IN_LENGTH = 40

# Free mailbox providers: AWS denies brand contacts on them (BRAND_EMAIL_PUBLIC_DOMAIN).
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "outlook.com", "hotmail.com",
        "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com",
        "proton.me", "gmx.com", "gmx.net", "mail.com", "yandex.com", "zoho.com", "qq.com", "163.com",
    }
)  # fmt: skip
URL_SHORTENERS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "t.co",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "tiny.cc",
    }
)
# How people describe where consent is collected; a description naming none is too vague.
_CONSENT_METHODS = re.compile(
    r"\b(web ?site|web ?form|form|check ?box|keyword|text(s|ed)? \w+ to|reply|app|mobile app|verbal|"
    r"phone call|paper|qr|sign[- ]?up|checkout|account|online|point of sale|in[- ]store|https?://)",
    re.IGNORECASE,
)
_STOP = re.compile(r"\bSTOP\b|\bopt[- ]?out\b|\bunsubscribe\b", re.IGNORECASE)
_HELP = re.compile(r"\bHELP\b", re.IGNORECASE)
_CONTACT = re.compile(r"@|https?://|www\.|\b\d{3}[-. ]?\d{3}[-. ]?\d{4}\b|\b1-\d{3}-\d{3}-\d{4}\b")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)
_HOSTS = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?:/\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
_LEGAL_SUFFIX = re.compile(
    r"[,.]?\s+(inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|plc|pte|pty|sa|ag)\.?$",
    re.IGNORECASE,
)


def _text(form: Mapping[str, FieldValue], path: str) -> str:
    value = form.get(path)
    return (value.text_value or "").strip() if value is not None else ""


def _present(form: Mapping[str, FieldValue], path: str) -> bool:
    value = form.get(path)
    return value is not None and value.present


def _opt_in(form: Mapping[str, FieldValue], known: Collection[str]) -> list[Problem]:
    found = []
    for path in (p for p in OPT_IN_PATHS if p in known):
        text = _text(form, path)
        if not text:
            found.append(
                Problem(
                    path,
                    "OPT_IN_DESCRIPTION_MISSING",
                    "no opt-in description: reviewers deny a form that does not say how recipients consent",
                    "describe every way consent is collected (web form with its URL, keyword, app, paper…), "
                    "with the disclosures shown there",
                    ("OPT_IN_WORKFLOW_MISSING",),
                )
            )
        elif len(text) < MIN_OPT_IN_LENGTH or not _CONSENT_METHODS.search(text):
            found.append(
                Problem(
                    path,
                    "OPT_IN_DESCRIPTION_VAGUE",
                    "the opt-in description names no concrete consent method (where, how, which page)",
                    "name the method and place of consent (e.g. 'checkbox on https://…/signup', 'text JOIN "
                    "to …') and the disclosures shown there",
                    ("UNCLEAR_OPT_IN", "OPT_IN_WORKFLOW_INCOMPLETE"),
                )
            )
    return found


def _samples(form: Mapping[str, FieldValue], known: Collection[str]) -> list[Problem]:
    paths = sorted({p for p in (*known, *form) if p.startswith(SAMPLE_SECTION)})
    texts = {p: _text(form, p) for p in paths if _text(form, p)}
    if not any(p.startswith(SAMPLE_SECTION) for p in known) or not texts:
        return []
    found = []
    if not any(_STOP.search(t) for t in texts.values()):
        found.append(
            Problem(
                min(texts),
                "SAMPLE_OPT_OUT_MISSING",
                "no sample message tells recipients how to opt out",
                "add opt-out language such as 'Reply STOP to opt out' to at least one sample",
                ("SAMPLE_MESSAGE_USE_CASE_MISMATCH", "MESSAGE_SAMPLES_MISMATCH"),
            )
        )
    for path, text in texts.items():
        hosts = {h.lower() for h in _HOSTS.findall(text)}
        if hosts & URL_SHORTENERS:
            found.append(
                Problem(
                    path,
                    "SAMPLE_URL_SHORTENER",
                    f"uses a public URL shortener ({', '.join(sorted(hosts & URL_SHORTENERS))})",
                    "use the full URL on your own branded domain",
                    ("SAMPLE_MESSAGE_SHORT_URL", "EMBEDDED_LINK_ISSUES"),
                )
            )
    return found


def _keyword_messages(form: Mapping[str, FieldValue], known: Collection[str]) -> list[Problem]:
    found = []
    opt_in = _text(form, OPT_IN_MESSAGE)
    if OPT_IN_MESSAGE in known and opt_in and not (_STOP.search(opt_in) and _HELP.search(opt_in)):
        found.append(
            Problem(
                OPT_IN_MESSAGE,
                "OPT_IN_MESSAGE_HELP_STOP",
                "the opt-in confirmation lacks HELP or STOP instructions",
                "add 'Reply HELP for help, STOP to cancel' to the opt-in message",
                ("OPT_IN_MESSAGE_NON_COMPLIANT_HELP_STOP",),
            )
        )
    help_text = _text(form, HELP_MESSAGE)
    if HELP_MESSAGE in known and help_text and not _CONTACT.search(help_text):
        found.append(
            Problem(
                HELP_MESSAGE,
                "HELP_MESSAGE_CONTACT",
                "the HELP reply gives no support contact",
                "include a support email, phone number or support URL in the HELP reply",
                ("HELP_MESSAGE_NON_COMPLIANT",),
            )
        )
    return found


def _urls(
    form: Mapping[str, FieldValue], known: Collection[str], registration_type: str, today: date
) -> list[Problem]:
    found = []
    toll_free = "TOLL_FREE" in registration_type.upper() and today >= TOLL_FREE_URLS_REQUIRED_FROM
    for kind, paths, files, code in (
        ("privacy policy", PRIVACY_PATHS, PRIVACY_FILES, "PRIVACY_POLICY_MISSING"),
        ("terms and conditions", TERMS_PATHS, TERMS_FILES, "TERMS_AND_CONDITIONS_MISSING"),
    ):
        for path in (p for p in paths if p in known):
            text = _text(form, path)
            if text and not _URL.match(text):
                found.append(
                    Problem(path, "URL_FORMAT", f"'{text}' is not a web address",
                            f"enter the public https:// URL of your {kind}", (code,))
                )  # fmt: skip
            has_file = any(_present(form, f) for f in files)
            if toll_free and not text and not has_file:
                found.append(
                    Problem(
                        path,
                        "TOLL_FREE_URL_REQUIRED",
                        f"toll-free registrations need a public {kind} URL from "
                        f"{TOLL_FREE_URLS_REQUIRED_FROM.isoformat()}",
                        f"publish your {kind} and enter its https:// URL",
                        (code,),
                    )
                )
    return found


def company_name_core(name: str) -> str:
    """`Acme Travel, Inc.` -> `acme travel`: what messages must mention."""
    core = name.strip()
    while True:
        shorter = _LEGAL_SUFFIX.sub("", core).strip()
        if shorter == core:
            return core.lower()
        core = shorter


def _company_name(
    form: Mapping[str, FieldValue], known: Collection[str], brand_names: Sequence[str]
) -> list[Problem]:
    given = [_text(form, p) for p in COMPANY_NAME_PATHS if _text(form, p)] + [n for n in brand_names if n]
    names = [company_name_core(name) for name in given]
    if not names:
        return []
    found = []
    checked = [
        (OPT_IN_MESSAGE, "OPT_IN_MESSAGE_MISMATCH"),
        (HELP_MESSAGE, "HELP_MESSAGE_MISMATCH"),
        (STOP_MESSAGE, "OPT_OUT_MESSAGE_MISMATCH"),
    ]
    for path, code in checked:
        text = _text(form, path).lower()
        if path in known and text and not any(name in text for name in names):
            found.append(
                Problem(path, "COMPANY_NAME_MISMATCH", "does not name the registered company",
                        f"mention '{names[0]}' (the registered name or DBA) in it", (code,))
            )  # fmt: skip
    samples = [_text(form, p).lower() for p in form if p.startswith(SAMPLE_SECTION) and _text(form, p)]
    if samples and not any(name in sample for sample in samples for name in names):
        found.append(
            Problem(
                f"{SAMPLE_SECTION}messageSample1",
                "COMPANY_NAME_MISMATCH",
                "no sample message names the registered company",
                f"start at least one sample with '{names[0]}' (the registered name or DBA)",
                ("SAMPLE_MESSAGE_MISMATCH",),
            )
        )
    return found


def _emails(form: Mapping[str, FieldValue], known: Collection[str]) -> list[Problem]:
    found = []
    for path in sorted(p for p in form if p.lower().endswith("email") and p in known):
        text = _text(form, path)
        match = _EMAIL.match(text)
        if text and not match:
            found.append(
                Problem(path, "EMAIL_FORMAT", f"'{text}' is not an email address",
                        "enter a mailbox on your business's domain", ("BRAND_EMAIL_INVALID_OR_MISSING",))
            )  # fmt: skip
        elif match and match.group(1).lower() in PUBLIC_EMAIL_DOMAINS:
            found.append(
                Problem(
                    path,
                    "PUBLIC_EMAIL_DOMAIN",
                    f"{match.group(1)} is a public email provider",
                    "use an address on your business's own domain (e.g. support@yourcompany.com)",
                    ("BRAND_EMAIL_PUBLIC_DOMAIN", "BRAND_EMAIL_INVALID_OR_MISSING"),
                )
            )
    return found


def content_problems(
    form: Mapping[str, FieldValue],
    known_paths: Collection[str],
    registration_type: str,
    today: date,
    brand_names: Sequence[str] = (),
) -> list[Problem]:
    """Every content problem of one form; `known_paths` are the type's field paths.

    `brand_names`: the registered brand's legal or DBA name for a form that has none of its
    own (a 10DLC campaign's belongs to its brand registration).
    """
    return [
        *_opt_in(form, known_paths),
        *_samples(form, known_paths),
        *_keyword_messages(form, known_paths),
        *_urls(form, known_paths, registration_type, today),
        *_company_name(form, known_paths, brand_names),
        *_emails(form, known_paths),
    ]
