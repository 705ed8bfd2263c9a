"""How the benchmark prices the planning index (benchmarks/instrument.py): a Query of the
index by the entries it returns, eventually consistent; a put on the snapshot table also
writes the item's index entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from benchmarks import instrument
from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot
from regwatch_aws.planning_index import PLANNING_ATTRIBUTES
from regwatch_aws.snapshot_store import registration_to_item
from tests.unit.test_scan import T0

KEY = RegionKey("123456789012", "us-east-1")


def _item(versions: int) -> dict[str, Any]:
    snapshot = RegistrationSnapshot(
        registration_id="registration-" + "a" * 32,
        registration_arn="arn:aws:sms-voice:us-east-1:123456789012:registration/registration-" + "a" * 32,
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status="COMPLETE",
        current_version_number=versions,
        approved_version_number=versions,
        latest_denied_version_number=None,
        versions={
            n: VersionSnapshot(n, "APPROVED", {"SubmittedTimestamp": T0, "ApprovedTimestamp": T0})
            for n in range(1, versions + 1)
        },
        full_read_at=T0,
        revision=7,
    )
    return registration_to_item(KEY, snapshot, timedelta(days=30))


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in {"pk", "sk", *PLANNING_ATTRIBUTES}}


def test_an_index_query_costs_its_entries_at_half_rate_the_full_query_its_items() -> None:
    items = [_item(versions=12) for _ in range(100)]
    full, _ = instrument._query({"ConsistentRead": True}, {"Items": items})
    planning, _ = instrument._query({"IndexName": "planning"}, {"Items": [_entry(i) for i in items]})
    assert instrument.item_size(_entry(items[0])) < 250
    assert instrument.item_size(items[0]) > 1500
    assert full >= 10 * planning > 0


def test_a_put_on_the_snapshot_table_also_writes_its_index_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    item = _item(versions=1)
    monkeypatch.setenv("SNAPSHOT_TABLE_NAME", "snapshots")
    assert instrument._put_item({"TableName": "snapshots", "Item": item}, {}) == (0.0, 2.0)
    assert instrument._put_item({"TableName": "other", "Item": item}, {}) == (0.0, 1.0)
