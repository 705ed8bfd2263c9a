"""The scanner's flood-guard settings (DELETION_GUARD_PERCENT / DELETION_GUARD_COUNT).

Parsed beside the other scanner settings; a bad value is one problem naming its variable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from regwatch.deletion_guard import DEFAULT_GUARD_COUNT, DEFAULT_GUARD_PERCENT, DeletionGuard


def deletion_guard_from(environ: Mapping[str, str], problems: list[str]) -> DeletionGuard:
    percent, count = DEFAULT_GUARD_PERCENT, DEFAULT_GUARD_COUNT
    raw_percent = environ.get("DELETION_GUARD_PERCENT", "").strip()
    if raw_percent:
        try:
            percent = float(raw_percent)
        except ValueError:
            percent = math.nan
        if not math.isfinite(percent) or not 0 <= percent <= 100:
            problems.append(
                f"DELETION_GUARD_PERCENT must be a number from 0 to 100, got {raw_percent[:50]!r}"
            )
            percent = DEFAULT_GUARD_PERCENT
    raw_count = environ.get("DELETION_GUARD_COUNT", "").strip()
    if raw_count:
        if raw_count.isdigit():
            count = int(raw_count)
        else:
            problems.append(f"DELETION_GUARD_COUNT must be a whole number ≥ 0, got {raw_count[:50]!r}")
    return DeletionGuard(percent=percent, count=count)
