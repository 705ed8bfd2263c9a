"""Organization scale over real sockets: discovery, fan-out, per-target credentials and health."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dispatcher.handler import DispatchFailed

from tests.integration.org.conftest import HUB, OTHER_REGION, REGION, OrgWorld

BRAND = "US_TEN_DLC_BRAND_REGISTRATION"


def denied_registration(world: OrgWorld, account: str, region: str = REGION) -> str:
    registration = world.control.create_registration(region, BRAND, account=account)
    registration_id = str(registration["RegistrationId"])
    world.control.set_version_status(region, registration_id, 1, "DENIED", account=account)
    return registration_id


def by_type(events: list[dict[str, Any]], detail_type: str) -> list[dict[str, Any]]:
    return [e["detail"] for e in events if e["detail-type"] == detail_type]


def org_mode(world: OrgWorld, ou_ids: list[str], exclude: list[str] = ()) -> None:  # type: ignore[assignment]
    world.configure(
        ORGANIZATION=json.dumps({"enabled": True, "ouIds": ou_ids, "excludeAccounts": list(exclude)})
    )


def test_discovery_keeps_active_accounts_of_the_ous_nested_ones_included(org_world: OrgWorld) -> None:
    org = org_world.organization()
    engineering = org.ou("engineering")
    platform = org.ou("platform", parent=engineering)
    sales = org.ou("sales")
    a = org.account("a", engineering)
    b = org.account("b", platform)  # nested OU
    org.account("c", sales)  # outside the OU filter
    suspended = org.account("d", engineering)
    org.client.close_account(AccountId=suspended)
    excluded = org.account("e", engineering)
    org_mode(org_world, [engineering], exclude=[excluded])
    org_world.configure(MONITORED_REGIONS=f"{REGION},{OTHER_REGION}")

    summary = org_world.dispatch()

    expected = sorted((account, region) for account in (HUB, a, b) for region in (REGION, OTHER_REGION))
    assert org_world.queued_targets() == expected
    assert summary["targets"] == 6 and summary["accounts"] == 3
    assert summary["skippedInactive"] == [suspended]


def test_an_unknown_ou_fails_the_schedule_naming_the_setting_and_still_queues_the_rest(
    org_world: OrgWorld,
) -> None:
    org_world.organization()
    org_mode(org_world, ["ou-zzzz-zzzzzzzz"])
    with pytest.raises(DispatchFailed, match=r"regwatch\.organization\.ouIds: 'ou-zzzz-zzzzzzzz'"):
        org_world.dispatch()
    assert org_world.queued_targets() == [(HUB, REGION)]


@pytest.mark.parametrize("code", ["AWSOrganizationsNotInUseException", "AccessDeniedException"])
def test_organization_mode_outside_the_management_or_delegated_admin_account_names_the_setting(
    org_world: OrgWorld, code: str
) -> None:
    org_world.organization()
    org_mode(org_world, [])
    # moto answers ListAccounts from any account; a member account gets these answers from AWS.
    org_world.refuse_organizations(code)
    with pytest.raises(DispatchFailed, match=r"regwatch\.organization: .*management account or .*delegated"):
        org_world.dispatch()
    assert org_world.queued_targets() == [(HUB, REGION)]


def test_a_denied_account_is_unhealthy_once_the_others_complete_and_it_recovers_once(
    org_world: OrgWorld,
) -> None:
    org = org_world.organization()
    members = org.ou("members")
    a, b, c = (org.account(name, members) for name in ("a", "b", "c"))
    org_mode(org_world, [members])
    registrations = {account: denied_registration(org_world, account) for account in (HUB, a, b, c)}
    org_world.deny_assume_role(b)

    first = org_world.schedule()
    denied = by_type(first, "Registration Version Denied")
    assert sorted((d["accountId"], d["registrationId"]) for d in denied) == sorted(
        (account, registrations[account]) for account in (HUB, a, c)
    )
    unhealthy = by_type(first, "Target Unhealthy")
    assert [(u["accountId"], u["region"], u["reason"], u["errorCode"]) for u in unhealthy] == [
        (b, REGION, "ASSUME_ROLE_FAILED", "AccessDenied")
    ]
    assert unhealthy[0]["severity"] == "ACTION_REQUIRED" and unhealthy[0]["schemaVersion"] == "1.2"

    for _ in range(2):  # still broken: nothing more, not one alert per schedule
        assert org_world.schedule() == []
    health = org_world.health_items()
    assert health[f"{b}#{REGION}"]["healthy"] == {"BOOL": False}
    assert health[f"{b}#{REGION}"]["consecutiveFailures"] == {"N": "3"}
    assert org_world.dispatch()["unhealthyTargets"] == [f"{b}/{REGION}"]
    org_world.queued_targets()

    org_world.denied_roles.clear()
    recovered = org_world.schedule()
    assert [
        (d["accountId"], d["registrationId"]) for d in by_type(recovered, "Registration Version Denied")
    ] == [(b, registrations[b])]
    [recovery] = by_type(recovered, "Target Recovered")
    assert recovery["accountId"] == b and recovery["since"] == unhealthy[0]["since"]
    assert recovery["severity"] == "GOOD_NEWS"
    assert org_world.schedule() == []
    event_ids = [e["detail"]["eventId"] for e in org_world.events]
    assert len(event_ids) == len(set(event_ids)), "an event was published twice"


def test_a_suspended_account_and_a_denied_region_are_reported_with_their_reason(org_world: OrgWorld) -> None:
    suspended, region_denied = "111122223333", "222233334444"
    org_world.configure(
        TARGET_ACCOUNTS=json.dumps(
            [{"id": suspended}, {"id": region_denied, "regions": [REGION, OTHER_REGION]}]
        )
    )
    denied_registration(org_world, region_denied, OTHER_REGION)
    org_world.control.suspend_account(suspended)
    org_world.control.deny_account(region_denied, region=REGION)

    events = org_world.schedule()

    reasons = sorted((u["accountId"], u["region"], u["reason"]) for u in by_type(events, "Target Unhealthy"))
    assert reasons == [(suspended, REGION, "ACCOUNT_SUSPENDED"), (region_denied, REGION, "ACCESS_DENIED")]
    # The same account's other region is unaffected.
    assert [(d["accountId"], d["region"]) for d in by_type(events, "Registration Version Denied")] == [
        (region_denied, OTHER_REGION)
    ]


def test_every_events_account_is_the_target_account_and_members_are_isolated(org_world: OrgWorld) -> None:
    a, b = "111122223333", "222233334444"
    org_world.configure(TARGET_ACCOUNTS=json.dumps([{"id": a}, {"id": b}]))
    ids = {account: denied_registration(org_world, account) for account in (a, b)}

    events = org_world.schedule()

    denied = by_type(events, "Registration Version Denied")
    assert sorted((d["accountId"], d["registrationId"]) for d in denied) == sorted(ids.items())
    for detail in denied:
        assert f":{detail['accountId']}:registration/" in detail["registrationArn"]
    # Snapshots are partitioned per target.
    partitions = {
        item["pk"]["S"] for item in org_world.dynamodb.scan(TableName="regwatch-snapshots")["Items"]
    }
    assert {f"{a}#{REGION}", f"{b}#{REGION}"} <= partitions


def test_a_forwarded_native_event_rescans_in_the_members_account(org_world: OrgWorld) -> None:
    from tests.integration.scanner.conftest import status_change_event

    member = "111122223333"
    org_world.configure(TARGET_ACCOUNTS=json.dumps([{"id": member}]))
    registration_id = denied_registration(org_world, member)
    event = {**status_change_event(registration_id, "REQUIRES_UPDATES"), "account": member}

    summary = org_world.scanner_invoke(event)

    assert summary["trigger"] == "registration-status-change"
    assert summary["targets"][f"{member}/{REGION}"]["registrationsRead"] == 1
    [denied] = by_type(org_world.drain_events(), "Registration Version Denied")
    assert (denied["accountId"], denied["registrationId"]) == (member, registration_id)
    # An event from an account that is not a target is ignored, not scanned with a guessed role.
    stranger = {**event, "account": "999988887777"}
    assert org_world.scanner_invoke(stranger)["targets"] == {}
