"""`associationCount` is the true total (every page counted, up to a cap), over real sockets.

A revoked campaign with thousands of numbers must not read "… and 80 more": the scanner
pages ListRegistrationAssociations (each page one call of the target's rate budget), keeps
the first entries, and past its cap of pages says the count is a lower bound
(contract 1.2, `associationCountAtLeast`).
"""

from __future__ import annotations

from typing import Any

from regwatch_aws.sms_api import MAX_ASSOCIATION_PAGES, PAGE_SIZE
from tests.integration.scanner.conftest import REGION, ScannerWorld

BRAND = "US_TEN_DLC_BRAND_REGISTRATION"


def _numbers(count: int) -> list[dict[str, Any]]:
    return [
        {"resource_type": "phone-number", "resource_id": f"phone-{n}", "phone_number": f"+1206{n:07d}"}
        for n in range(count)
    ]


def _revoked_with(world: ScannerWorld, count: int) -> tuple[dict[str, Any], int]:
    world.configure(BASELINE_ALERTS="none")
    registration_id = str(world.sms.create_registration(RegistrationType=BRAND)["RegistrationId"])
    world.control.call(
        "set_associations", region=REGION, registration_id=registration_id, associations=_numbers(count)
    )
    world.control.set_version_status(REGION, registration_id, 1, "APPROVED")
    world.invoke()
    world.details()
    world.control.reset_counters()
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, "REVOKED")
    world.invoke()
    [revoked] = [d for d in world.details() if d["scope"] == "VERSION" and d["status"] == "REVOKED"]
    return revoked, int(world.control.counters().get("ListRegistrationAssociations", 0))


def test_every_page_is_counted_and_twenty_are_named(world: ScannerWorld) -> None:
    revoked, calls = _revoked_with(world, 2 * PAGE_SIZE + 50)
    assert revoked["associationCount"] == 250
    assert revoked["associationCountAtLeast"] is False
    assert len(revoked["associations"]) == 20
    assert revoked["associations"][0]["phoneNumber"] == "+12060000000"
    assert calls == 3, "one call per page of 100"


def test_past_the_cap_the_count_is_a_lower_bound_and_the_calls_stop(world: ScannerWorld) -> None:
    cap = MAX_ASSOCIATION_PAGES * PAGE_SIZE
    revoked, calls = _revoked_with(world, cap + 1)
    assert (revoked["associationCount"], revoked["associationCountAtLeast"]) == (cap, True)
    assert calls == MAX_ASSOCIATION_PAGES
