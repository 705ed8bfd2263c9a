"""Settings of the dispatcher, parsed from the environment on the first invocation."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from function_support.settings_parsing import SettingsError
from function_support.target_settings import TargetSettings, target_settings_from

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_QUEUE_URL = re.compile(r"^https?://\S+/\d{12}/[A-Za-z0-9_-]{1,80}$")
# A target not scanned healthily for this many schedule intervals counts as stale.
STALE_AFTER_INTERVALS = 3


@dataclass(frozen=True, slots=True)
class DispatcherSettings:
    scan_queue_url: str
    snapshot_table_name: str
    monitored_regions: tuple[str, ...]
    heartbeat_minutes: int
    function_region: str
    targets: TargetSettings = field(default_factory=TargetSettings)

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> DispatcherSettings:
        problems: list[str] = []
        queue_url = environ.get("SCAN_QUEUE_URL", "").strip()
        if not _QUEUE_URL.match(queue_url):
            problems.append(f"SCAN_QUEUE_URL must be the scan queue's URL, got {queue_url[:200]!r}")
        table = environ.get("SNAPSHOT_TABLE_NAME", "").strip()
        if not table:
            problems.append("SNAPSHOT_TABLE_NAME is not set: it must hold the snapshot table's name")
        function_region = (
            environ.get("AWS_REGION", "").strip() or environ.get("AWS_DEFAULT_REGION", "").strip()
        )
        raw = environ.get("MONITORED_REGIONS", "").strip()
        regions = tuple(dict.fromkeys(r.strip() for r in raw.split(",") if r.strip())) or (
            (function_region,) if function_region else ()
        )
        if not regions:
            problems.append("MONITORED_REGIONS is not set and AWS_REGION is not set either")
        bad = [r for r in regions if not _REGION.match(r)]
        if bad:
            problems.append(f"MONITORED_REGIONS holds invalid region names: {bad}")
        raw_minutes = environ.get("HEARTBEAT_MINUTES", "").strip() or "5"
        minutes = int(raw_minutes) if raw_minutes.isdigit() and int(raw_minutes) > 0 else 0
        if not minutes:
            problems.append(f"HEARTBEAT_MINUTES must be a positive whole number, got {raw_minutes[:20]!r}")
        targets = target_settings_from(environ, problems)
        if problems:
            raise SettingsError("Invalid dispatcher configuration: " + "; ".join(problems))
        return cls(
            scan_queue_url=queue_url,
            snapshot_table_name=table,
            monitored_regions=regions,
            heartbeat_minutes=minutes,
            function_region=function_region or regions[0],
            targets=targets,
        )

    @classmethod
    def from_environment(cls) -> DispatcherSettings:
        return cls.from_mapping(os.environ)
