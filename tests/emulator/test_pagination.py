"""Pagination over hundreds of registrations, with filters, through boto3's paginators."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.clients import REGION

COUNT = 260


@pytest.fixture
def generated(emulator_control: Any) -> list[str]:
    ids: list[str] = emulator_control.generate(REGION, COUNT, versions_min=1, versions_max=5, seed=7)
    return ids


def _all_pages(sms: Any, **params: Any) -> list[dict[str, Any]]:
    return list(sms.get_paginator("describe_registrations").paginate(**params))


def test_listing_pages_through_every_registration_once(sms: Any, generated: list[str]) -> None:
    pages = _all_pages(sms, PaginationConfig={"PageSize": 50})
    listed = [r["RegistrationId"] for page in pages for r in page["Registrations"]]
    assert len(pages) == 6
    assert [len(page["Registrations"]) for page in pages] == [50, 50, 50, 50, 50, 10]
    assert sorted(listed) == sorted(generated)
    assert "NextToken" not in pages[-1]


def test_filters_combine_with_paging(sms: Any, generated: list[str]) -> None:
    everything = [r for page in _all_pages(sms) for r in page["Registrations"]]
    by_status = Counter(r["RegistrationStatus"] for r in everything)
    by_type_and_status = Counter((r["RegistrationType"], r["RegistrationStatus"]) for r in everything)
    assert len(by_status) >= 4, "generated data mixes statuses"

    filters = [{"Name": "registration-status", "Values": ["COMPLETE", "REQUIRES_UPDATES"]}]
    pages = _all_pages(sms, Filters=filters, PaginationConfig={"PageSize": 20})
    listed = [r for page in pages for r in page["Registrations"]]
    assert len(listed) == by_status["COMPLETE"] + by_status["REQUIRES_UPDATES"]
    assert all(len(page["Registrations"]) <= 20 for page in pages)

    campaign = "US_TEN_DLC_CAMPAIGN_REGISTRATION"
    both = [
        {"Name": "registration-type", "Values": [campaign]},
        {"Name": "registration-status", "Values": ["COMPLETE"]},
    ]
    listed = [
        r
        for page in _all_pages(sms, Filters=both, PaginationConfig={"PageSize": 7})
        for r in page["Registrations"]
    ]
    assert len(listed) == by_type_and_status[(campaign, "COMPLETE")] > 0
    assert {(r["RegistrationType"], r["RegistrationStatus"]) for r in listed} == {(campaign, "COMPLETE")}


def test_a_token_only_continues_the_request_it_came_from(sms: Any, generated: list[str]) -> None:
    first = sms.describe_registrations(MaxResults=10)
    token = first["NextToken"]
    assert len(sms.describe_registrations(MaxResults=10, NextToken=token)["Registrations"]) == 10
    other_filters = [{"Name": "registration-status", "Values": ["COMPLETE"]}]
    with pytest.raises(ClientError) as caught:
        sms.describe_registrations(NextToken=token, Filters=other_filters)
    assert caught.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_paging_survives_deletes_between_pages(sms: Any, generated: list[str]) -> None:
    first = sms.describe_registrations(MaxResults=100)
    last_seen = first["Registrations"][-1]["RegistrationId"]
    sms.delete_registration(RegistrationId=last_seen)
    rest = [r for page in _all_pages(sms, NextToken=first["NextToken"]) for r in page["Registrations"]]
    assert len(first["Registrations"]) + len(rest) == COUNT


def test_versions_page_and_filter(sms: Any, emulator_control: Any) -> None:
    [rid] = emulator_control.generate(REGION, 1, versions_min=5, versions_max=5, seed=3)
    pages = list(
        sms.get_paginator("describe_registration_versions").paginate(
            RegistrationId=rid, PaginationConfig={"PageSize": 2}
        )
    )
    numbers = [v["VersionNumber"] for page in pages for v in page["RegistrationVersions"]]
    assert numbers == [1, 2, 3, 4, 5]
    assert len(pages) == 3
    current = pages[-1]["RegistrationVersions"][-1]["RegistrationVersionStatus"]
    filtered = sms.describe_registration_versions(
        RegistrationId=rid, Filters=[{"Name": "registration-version-status", "Values": [current]}]
    )["RegistrationVersions"]
    assert 5 in [v["VersionNumber"] for v in filtered]
    assert {v["RegistrationVersionStatus"] for v in filtered} == {current}
    picked = sms.describe_registration_versions(RegistrationId=rid, VersionNumbers=[4, 2])
    assert [v["VersionNumber"] for v in picked["RegistrationVersions"]] == [2, 4]


def test_generated_registrations_are_consistent_and_deterministic(
    sms: Any, emulator_control: Any, generated: list[str]
) -> None:
    again = emulator_control.generate("eu-west-1", COUNT, seed=7)
    assert set(again).isdisjoint(generated), "the region is part of the seed"
    assert emulator_control.generate("eu-west-1", COUNT, seed=7) == again
    for rid in generated[:40]:
        summary = sms.describe_registrations(RegistrationIds=[rid])["Registrations"][0]
        versions = sms.describe_registration_versions(RegistrationId=rid)["RegistrationVersions"]
        statuses = [v["RegistrationVersionStatus"] for v in versions]
        assert summary["CurrentVersionNumber"] == len(versions)
        assert statuses.count("APPROVED") <= 1
        approved = [v["VersionNumber"] for v in versions if v["RegistrationVersionStatus"] == "APPROVED"]
        assert summary.get("ApprovedVersionNumber") == (approved[0] if approved else None)
        for version in versions:
            stamps = list(version["RegistrationVersionStatusHistory"].values())
            assert stamps == sorted(stamps), "history follows the lifecycle in time order"
