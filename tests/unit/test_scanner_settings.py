"""Scanner settings: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regwatch.deletion_guard import DeletionGuard
from regwatch.diff import BaselineAlerts
from regwatch.listing_policy import ListingPolicy
from scanner.settings import ScannerSettings, SettingsError

MINIMAL = {"SNAPSHOT_TABLE_NAME": "snapshots", "EVENT_BUS_NAME": "regwatch", "AWS_REGION": "eu-west-1"}


def test_defaults() -> None:
    settings = ScannerSettings.from_mapping(MINIMAL)
    assert settings.snapshot_table_name == "snapshots"
    assert settings.event_bus_name == "regwatch"
    assert settings.event_source == "regwatch"
    assert settings.monitored_regions == ("eu-west-1",)
    assert settings.api_calls_per_second == 0.8
    assert settings.reconcile_period == timedelta(hours=24)
    assert settings.baseline_alerts is BaselineAlerts.ACTIONABLE
    assert settings.listing == ListingPolicy(timedelta(minutes=15), timedelta(hours=24))
    assert settings.function_region == "eu-west-1"
    assert settings.deletion_guard == DeletionGuard(percent=20.0, count=25)


def test_every_variable_is_read() -> None:
    settings = ScannerSettings.from_mapping(
        {
            **MINIMAL,
            "EVENT_BUS_NAME": "arn:aws:events:eu-west-1:123456789012:event-bus/central",
            "EVENT_SOURCE": "acme.regwatch",
            "MONITORED_REGIONS": " us-east-1, eu-west-1 ,us-east-1,ap-southeast-2",
            "API_CALLS_PER_SECOND": "0.5",
            "RECONCILE_HOURS": "6",
            "BASELINE_ALERTS": "ALL",
            "DELETION_GUARD_PERCENT": "35.5",
            "DELETION_GUARD_COUNT": "100",
            "FULL_LISTING_MINUTES": "0",
            "NATIVE_EVENT_WINDOW_HOURS": "6",
        }
    )
    assert settings.deletion_guard == DeletionGuard(percent=35.5, count=100)
    assert settings.listing == ListingPolicy(timedelta(0), timedelta(hours=6))
    assert not settings.listing.adaptive
    assert settings.monitored_regions == ("us-east-1", "eu-west-1", "ap-southeast-2")
    assert settings.api_calls_per_second == 0.5
    assert settings.reconcile_period == timedelta(hours=6)
    assert settings.baseline_alerts is BaselineAlerts.ALL
    assert settings.event_source == "acme.regwatch"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SNAPSHOT_TABLE_NAME": ""}, "SNAPSHOT_TABLE_NAME is not set"),
        ({"EVENT_BUS_NAME": " "}, "EVENT_BUS_NAME is not set"),
        ({"EVENT_BUS_NAME": "bad bus!"}, "EVENT_BUS_NAME is not an event bus"),
        ({"EVENT_SOURCE": "aws.sms-voice"}, "EVENT_SOURCE must not start with 'aws.'"),
        (
            {"MONITORED_REGIONS": "us-east-1,Frankfurt"},
            "MONITORED_REGIONS holds invalid region names: 'Frankfurt'",
        ),
        ({"AWS_REGION": "", "MONITORED_REGIONS": ""}, "MONITORED_REGIONS is not set and AWS_REGION"),
        ({"API_CALLS_PER_SECOND": "fast"}, "API_CALLS_PER_SECOND must be a number"),
        ({"API_CALLS_PER_SECOND": "0"}, "API_CALLS_PER_SECOND must be greater than 0"),
        ({"API_CALLS_PER_SECOND": "nan"}, "API_CALLS_PER_SECOND must be greater than 0"),
        ({"RECONCILE_HOURS": "-1"}, "RECONCILE_HOURS must be greater than 0"),
        ({"FULL_LISTING_MINUTES": "-5"}, "FULL_LISTING_MINUTES must be 0 or more and at most 1440"),
        ({"NATIVE_EVENT_WINDOW_HOURS": "0"}, "NATIVE_EVENT_WINDOW_HOURS must be greater than 0"),
        ({"BASELINE_ALERTS": "some"}, "BASELINE_ALERTS must be one of 'actionable', 'none', 'all'"),
        ({"DELETION_GUARD_PERCENT": "120"}, "DELETION_GUARD_PERCENT must be a number from 0 to 100"),
        ({"DELETION_GUARD_PERCENT": "many"}, "DELETION_GUARD_PERCENT must be a number from 0 to 100"),
        ({"DELETION_GUARD_COUNT": "-3"}, "DELETION_GUARD_COUNT must be a whole number"),
    ],
)
def test_bad_values_are_named(changes: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        ScannerSettings.from_mapping({**MINIMAL, **changes})
    assert named in str(error.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(SettingsError) as error:
        ScannerSettings.from_mapping({"AWS_REGION": "eu-west-1", "RECONCILE_HOURS": "0"})
    message = str(error.value)
    for name in ("SNAPSHOT_TABLE_NAME", "EVENT_BUS_NAME", "RECONCILE_HOURS"):
        assert name in message
