"""Settings of the scanner, parsed from the environment on the first invocation.

Every problem is reported at once, each naming its variable, so a misconfigured
deployment fails on its first invocation with one readable message.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from function_support.deletion_guard_settings import deletion_guard_from
from function_support.settings_parsing import DEFAULT_EVENT_SOURCE, SettingsError
from function_support.target_settings import TargetSettings, target_settings_from
from regwatch.deletion_guard import DeletionGuard
from regwatch.diff import BaselineAlerts
from regwatch.listing_policy import ListingPolicy

DEFAULT_API_CALLS_PER_SECOND = 0.8  # below the default Describe* quota of 1/s, leaving room for others
DEFAULT_RECONCILE_HOURS = 24.0
# Adaptive listing (regwatch/listing_policy.py): a full listing every 15 minutes while AWS's
# native events flow for the target; none seen for a day and it lists fully every schedule.
DEFAULT_FULL_LISTING_MINUTES = 15.0
DEFAULT_NATIVE_EVENT_WINDOW_HOURS = 24.0
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# EventBridge reserves "aws." sources; names are at most 256 printable characters.
_EVENT_SOURCE = re.compile(r"^(?!aws\.)[A-Za-z0-9._/-]{1,256}$")
_BUS_NAME = re.compile(r"^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/)?[A-Za-z0-9._/-]{1,256}$")


@dataclass(frozen=True, slots=True)
class ScannerSettings:
    snapshot_table_name: str
    event_bus_name: str
    event_source: str
    monitored_regions: tuple[str, ...]
    api_calls_per_second: float
    reconcile_hours: float
    baseline_alerts: BaselineAlerts
    function_region: str
    targets: TargetSettings = field(default_factory=TargetSettings)
    deletion_guard: DeletionGuard = field(default_factory=DeletionGuard)
    listing: ListingPolicy = field(default_factory=ListingPolicy)

    @property
    def reconcile_period(self) -> timedelta:
        return timedelta(hours=self.reconcile_hours)

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> ScannerSettings:
        problems: list[str] = []

        def text(name: str, default: str | None = None) -> str:
            value = environ.get(name, "").strip()
            if not value and default is None:
                problems.append(f"{name} is not set")
            return value or (default or "")

        def positive_number(name: str, default: float, upper: float, *, zero_allowed: bool = False) -> float:
            raw = environ.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError:
                problems.append(f"{name} must be a number, got {raw[:50]!r}")
                return default
            in_range = (value >= 0 if zero_allowed else value > 0) and value <= upper
            if not math.isfinite(value) or not in_range:
                lower = "0 or more" if zero_allowed else "greater than 0"
                problems.append(f"{name} must be {lower} and at most {upper:g}, got {raw[:50]!r}")
                return default
            return value

        table = text("SNAPSHOT_TABLE_NAME")
        bus = text("EVENT_BUS_NAME")
        if bus and not _BUS_NAME.match(bus):
            problems.append(f"EVENT_BUS_NAME is not an event bus name or ARN: {bus[:100]!r}")
        source = text("EVENT_SOURCE", DEFAULT_EVENT_SOURCE)
        if not _EVENT_SOURCE.match(source):
            problems.append(
                f"EVENT_SOURCE must not start with 'aws.' and use [A-Za-z0-9._/-], got {source[:50]!r}"
            )

        function_region = (
            environ.get("AWS_REGION", "").strip() or environ.get("AWS_DEFAULT_REGION", "").strip()
        )
        raw_regions = environ.get("MONITORED_REGIONS", "").strip()
        regions = tuple(dict.fromkeys(r.strip() for r in raw_regions.split(",") if r.strip()))
        if not regions:
            if function_region:
                regions = (function_region,)
            else:
                problems.append("MONITORED_REGIONS is not set and AWS_REGION is not set either")
        bad = [r for r in regions if not _REGION.match(r)]
        if bad:
            problems.append(
                f"MONITORED_REGIONS holds invalid region names: {', '.join(repr(r[:30]) for r in bad)}"
            )

        rate = positive_number("API_CALLS_PER_SECOND", DEFAULT_API_CALLS_PER_SECOND, upper=1000)
        reconcile = positive_number("RECONCILE_HOURS", DEFAULT_RECONCILE_HOURS, upper=24 * 365)
        full_listing = positive_number(
            "FULL_LISTING_MINUTES", DEFAULT_FULL_LISTING_MINUTES, upper=24 * 60, zero_allowed=True
        )
        native_window = positive_number(
            "NATIVE_EVENT_WINDOW_HOURS", DEFAULT_NATIVE_EVENT_WINDOW_HOURS, upper=24 * 30
        )

        raw_baseline = environ.get("BASELINE_ALERTS", "").strip().lower() or BaselineAlerts.ACTIONABLE.value
        try:
            baseline = BaselineAlerts(raw_baseline)
        except ValueError:
            allowed = ", ".join(repr(b.value) for b in BaselineAlerts)
            problems.append(f"BASELINE_ALERTS must be one of {allowed}, got {raw_baseline[:50]!r}")
            baseline = BaselineAlerts.ACTIONABLE

        targets = target_settings_from(environ, problems)
        deletion_guard = deletion_guard_from(environ, problems)

        if problems:
            raise SettingsError("Invalid scanner configuration: " + "; ".join(problems))
        return cls(
            snapshot_table_name=table,
            event_bus_name=bus,
            event_source=source,
            monitored_regions=regions,
            api_calls_per_second=rate,
            reconcile_hours=reconcile,
            baseline_alerts=baseline,
            function_region=function_region or regions[0],
            targets=targets,
            deletion_guard=deletion_guard,
            listing=ListingPolicy(
                full_listing_interval=timedelta(minutes=full_listing),
                native_event_window=timedelta(hours=native_window),
            ),
        )

    @classmethod
    def from_environment(cls) -> ScannerSettings:
        return cls.from_mapping(os.environ)
