"""One alert per change (contract 1.1 `detail.alert`), over real sockets.

For every pair of version statuses the emulator can put a registration's current version
through (and the registration status it derives from each), one scan must publish every
transition but mark exactly one alert per change: each version transition alerts; the
registration-level change it causes does not, and its previous status rides on the
version's alert. A registration-level change with nothing behind it alerts on its own.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from local.emulator.lifecycle import VERSION_STATUSES
from tests.integration.scanner.conftest import REGION, ScannerWorld

PAIRS = [(a, b) for a, b in itertools.product(VERSION_STATUSES, VERSION_STATUSES) if a != b]


def _scan(world: ScannerWorld) -> list[dict[str, Any]]:
    world.invoke()
    return world.details()


def _check_one_alert_per_change(details: list[dict[str, Any]], where: str) -> None:
    versions = [d for d in details if d["scope"] == "VERSION"]
    registrations = [d for d in details if d["scope"] == "REGISTRATION"]
    alerts = [d for d in details if d["alert"]]
    if versions:
        assert all(d["alert"] for d in versions), where
        assert not any(d["alert"] for d in registrations), where
        for change in registrations:
            carrier = versions[-1]
            assert carrier["registrationPreviousStatus"] == change["previousStatus"], where
            assert carrier["registrationStatus"] == change["status"], where
    else:
        assert [d["alert"] for d in registrations] == [True] * len(registrations), where
    # No change announced twice: one alert per version step, or one for the registration.
    assert len(alerts) == (len(versions) or len(registrations)), where
    assert max(Counter(d["eventId"] for d in alerts).values(), default=0) <= 1, where


def test_every_version_status_pair_gives_one_alert_per_change(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registrations = {pair: world.create_registration() for pair in PAIRS}
    _scan(world)
    for (first, _), registration_id in registrations.items():
        world.control.set_version_status(REGION, registration_id, 1, first)
    world.control.advance_clock(60)
    _scan(world)
    for (_, second), registration_id in registrations.items():
        world.control.set_version_status(REGION, registration_id, 1, second)
    world.control.advance_clock(60)
    details = _scan(world)
    by_registration: dict[str, list[dict[str, Any]]] = {}
    for detail in details:
        by_registration.setdefault(detail["registrationId"], []).append(detail)
    pairs_with_registration_change = 0
    for pair, registration_id in registrations.items():
        seen = by_registration.get(registration_id, [])
        pairs_with_registration_change += any(d["scope"] == "REGISTRATION" for d in seen)
        _check_one_alert_per_change(seen, f"{pair[0]} -> {pair[1]}")
    # A change the registration summary hides (DRAFT -> DISCARDED keeps CREATED) waits for
    # reconciliation; every other pair is seen now. The interesting case must be exercised.
    assert len(by_registration) > len(PAIRS) * 3 // 4
    assert pairs_with_registration_change > len(PAIRS) // 3


def test_a_registration_change_without_a_version_change_alerts(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.control.set_version_status(REGION, registration_id, 1, "APPROVED")
    _scan(world)
    world.control.set_registration(REGION, registration_id, "PROVISIONING")
    world.control.advance_clock(60)
    _scan(world)
    world.control.set_registration(REGION, registration_id, "COMPLETE")
    world.control.advance_clock(60)
    details = _scan(world)
    assert [(d["scope"], d["previousStatus"], d["status"], d["alert"]) for d in details] == [
        ("REGISTRATION", "PROVISIONING", "COMPLETE", True)
    ]
    world.sms.delete_registration(RegistrationId=registration_id)
    details = _scan(world)
    assert [(d["status"], d["alert"]) for d in details] == [("DELETED", True)]
