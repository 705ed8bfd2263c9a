"""Bulk, deterministic generation of realistic registrations (for benchmarks and demos).

Each registration gets 1..n versions whose histories follow the lifecycle: earlier
versions end DENIED, DISCARDED or APPROVED (ARCHIVED once a later one is approved), the
current one is anywhere in the pipeline. Same (account, region, seed, count) -> same
data; the default account keeps the ids it always had, other accounts get their own.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import random

from local.emulator.lifecycle import (
    APPROVED,
    ARCHIVED,
    AWS_REVIEWING,
    DENIED,
    DISCARDED,
    DRAFT,
    REQUIRES_AUTHENTICATION,
    REQUIRES_OFFLINE_REVIEW,
    REVIEWING,
    REVOKED,
    SUBMITTED,
    FieldValue,
    Registration,
    Version,
    history_key,
    refresh_summary,
)
from local.emulator.store import DEFAULT_ACCOUNT, Store


class _Weighted:
    """A weighted choice with precomputed cumulative weights (generation runs 100k times)."""

    def __init__(self, choices: tuple[tuple[str, int], ...]) -> None:
        self.names = [name for name, _ in choices]
        self.total = sum(weight for _, weight in choices)
        self.cumulative = list(itertools.accumulate(weight for _, weight in choices))

    def pick(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


# Registration types as named by DescribeRegistrationTypeDefinitions, with rough weights.
REGISTRATION_TYPES: tuple[tuple[str, int], ...] = (
    ("US_TEN_DLC_BRAND_REGISTRATION", 3),
    ("US_TEN_DLC_BRAND_VETTING", 1),
    ("US_TEN_DLC_CAMPAIGN_REGISTRATION", 4),
    ("US_TOLL_FREE_REGISTRATION", 4),
    ("US_SHORT_CODE_REGISTRATION", 1),
    ("CA_SHORT_CODE_REGISTRATION", 1),
    ("SG_SENDER_ID_REGISTRATION", 1),
    ("AU_SENDER_ID_REGISTRATION", 1),
    ("IN_SENDER_ID_REGISTRATION", 1),
)
_TYPES = _Weighted(REGISTRATION_TYPES)

# Status path through review for each status a version can end in.
REVIEW_PATHS: dict[str, tuple[str, ...]] = {
    DRAFT: (DRAFT,),
    SUBMITTED: (DRAFT, SUBMITTED),
    AWS_REVIEWING: (DRAFT, SUBMITTED, AWS_REVIEWING),
    REVIEWING: (DRAFT, SUBMITTED, REVIEWING),
    REQUIRES_AUTHENTICATION: (DRAFT, SUBMITTED, REVIEWING, REQUIRES_AUTHENTICATION),
    REQUIRES_OFFLINE_REVIEW: (DRAFT, SUBMITTED, REVIEWING, REQUIRES_OFFLINE_REVIEW),
    APPROVED: (DRAFT, SUBMITTED, REVIEWING, APPROVED),
    DENIED: (DRAFT, SUBMITTED, REVIEWING, DENIED),
    DISCARDED: (DRAFT, DISCARDED),
    REVOKED: (DRAFT, SUBMITTED, REVIEWING, APPROVED, REVOKED),
    ARCHIVED: (DRAFT, SUBMITTED, REVIEWING, APPROVED, ARCHIVED),
}

_EARLIER_OUTCOMES = _Weighted(((DENIED, 5), (DISCARDED, 2), (APPROVED, 3)))
_CURRENT_OUTCOMES = _Weighted(
    (
        (APPROVED, 45),
        (REVIEWING, 10),
        (SUBMITTED, 6),
        (AWS_REVIEWING, 4),
        (REQUIRES_AUTHENTICATION, 3),
        (REQUIRES_OFFLINE_REVIEW, 2),
        (DENIED, 14),
        (DRAFT, 10),
        (DISCARDED, 3),
        (REVOKED, 3),
    )
)

DENIED_REASONS: tuple[dict[str, str], ...] = (
    {
        "Reason": "Opt-in workflow",
        "ShortDescription": "The opt-in workflow is missing or unclear.",
        "LongDescription": "Describe how recipients opt in, with a publicly reachable screenshot or URL.",
        "DocumentationTitle": "Opt-in requirements",
        "DocumentationLink": "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations.html",
    },
    {
        "Reason": "Company information",
        "ShortDescription": "The company name does not match the tax record.",
    },
    {
        "Reason": "Sample messages",
        "ShortDescription": "Sample messages do not include opt-out language.",
        "LongDescription": "Add 'Reply STOP to opt out' to at least one sample message.",
    },
)

_HOUR = 3600.0
_DAY = 24 * _HOUR


def _make_version(rng: random.Random, number: int, final: str, start: float) -> tuple[Version, float]:
    history: dict[str, float] = {}
    stamp = start
    for status in REVIEW_PATHS[final]:
        key = history_key(status)
        if key is not None:
            history[key] = round(stamp, 3)
        stamp += rng.uniform(0.2 * _HOUR, 2 * _DAY)
    version = Version(number=number, status=final, history=history)
    if final == DENIED:
        version.denied_reasons = [dict(reason) for reason in rng.sample(DENIED_REASONS, rng.randint(1, 2))]
    return version, stamp


def _name_fields(registration_type: str, number: int) -> dict[str, FieldValue]:
    """The fields that name a registration, at the paths its type's form uses
    (docs/notifications.md#names); other types get the toll-free form's company name."""
    if registration_type == "US_TEN_DLC_BRAND_REGISTRATION":
        return {
            "companyInfo.companyName": FieldValue(text_value=f"Example Company {number} LLC"),
            "contactInfo.dbaName": FieldValue(text_value=f"Example Brand {number}"),
        }
    if registration_type == "US_TEN_DLC_CAMPAIGN_REGISTRATION":
        return {
            "campaignInfo.campaignName": FieldValue(
                text_value=f"Example {number} account notifications: sign-in codes and order updates "
                "for customers who opted in on the checkout page"
            ),
            "campaignUseCase.useCase": FieldValue(select_choices=["MIXED"]),
        }
    return {"companyInfo.companyName": FieldValue(text_value=f"Example Company {number}")}


def make_registration(
    store: Store,
    rng: random.Random,
    region: str,
    *,
    now: float,
    versions_min: int,
    versions_max: int,
    account: str = DEFAULT_ACCOUNT,
) -> Registration:
    count = rng.randint(versions_min, versions_max)
    created = now - rng.uniform(70 * _DAY, 400 * _DAY)
    outcomes = [_EARLIER_OUTCOMES.pick(rng) for _ in range(count - 1)]
    outcomes.append(_CURRENT_OUTCOMES.pick(rng))
    # A later approval archives the earlier approved versions.
    last_approved = max((i for i, o in enumerate(outcomes) if o in (APPROVED, REVOKED)), default=-1)
    versions: list[Version] = []
    stamp = created
    for index, outcome in enumerate(outcomes):
        final = ARCHIVED if outcome == APPROVED and index < last_approved else outcome
        version, stamp = _make_version(rng, index + 1, final, stamp)
        versions.append(version)
    registration_type = _TYPES.pick(rng)
    versions[-1].fields = {
        **_name_fields(registration_type, rng.randint(1, 99999)),
        "messagingUseCase.monthlyMessageVolume": FieldValue(select_choices=["10,000"]),
    }
    registration = Registration(
        region=region,
        registration_id=store.new_id(rng),
        registration_type=registration_type,
        created=round(created, 3),
        versions=versions,
        account=account,
    )
    refresh_summary(registration)
    return registration


def generate(
    store: Store,
    region: str,
    count: int,
    *,
    versions_min: int = 1,
    versions_max: int = 5,
    seed: int = 0,
    account: str = DEFAULT_ACCOUNT,
) -> list[str]:
    """Create `count` registrations in `region` of `account`; returns their ids in creation order."""
    if not 1 <= versions_min <= versions_max:
        raise ValueError("need 1 <= versions_min <= versions_max")
    key = f"{region}/{seed}/{count}" if account == DEFAULT_ACCOUNT else f"{account}/{region}/{seed}/{count}"
    rng = random.Random(key)
    now = store.now()
    # Hundreds of thousands of new objects would trigger repeated full collections; our
    # objects hold no cycles, so pause the cyclic GC and then freeze them out of its way
    # (refcounting still frees them after a reset).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        created = [
            make_registration(
                store,
                rng,
                region,
                now=now,
                versions_min=versions_min,
                versions_max=versions_max,
                account=account,
            )
            for _ in range(count)
        ]
    finally:
        if gc_was_enabled:
            gc.enable()
    gc.freeze()
    with store.lock:
        store.region(region, account).add_many(created)
    return [registration.registration_id for registration in created]
