"""`regwatch deletions list | confirm` as a user runs it (a subprocess) against moto server,
and the confirmation as the scanner's DynamoDB adapter reads it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3

from regwatch.snapshot import HeldDeletions, RegionKey, ScanState
from regwatch_aws.snapshot_store import DynamoSnapshotStore
from tests.integration.snapshot_table import create_snapshot_table

ROOT = Path(__file__).resolve().parents[3]
TABLE = "regwatch-held"
KEY = RegionKey("111122223333", "eu-west-1")
HELD_AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def regwatch(outputs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regwatch_cli.main", *args, "--outputs-file", str(outputs)],
        cwd=ROOT,
        env={**os.environ, "AWS_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def held_target(tmp_path: Path) -> tuple[DynamoSnapshotStore, Path]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_snapshot_table(client, TABLE)
    store = DynamoSnapshotStore(client, TABLE)
    state = store.acquire_lease(KEY, "scan-1", HELD_AT, HELD_AT)
    assert state is not None
    store.release_lease(KEY, "scan-1", ScanState(held=HeldDeletions("scan-1", HELD_AT, 40, 41)))
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"Regwatch": {"SnapshotTableName": TABLE}}), encoding="utf-8")
    return store, outputs


def test_list_shows_the_held_target_and_confirm_records_the_go_ahead(aws: str, tmp_path: Path) -> None:
    store, outputs = held_target(tmp_path)
    listed = regwatch(outputs, "deletions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["account"], r["region"], r["held"], r["known"], r["cycleId"]) for r in rows] == [
        ("111122223333", "eu-west-1", 40, 41, "scan-1")
    ]
    assert store.load_state(KEY).held == HeldDeletions("scan-1", HELD_AT, 40, 41)
    assert not store.deletions_confirmed(KEY, "scan-1")

    confirmed = regwatch(outputs, "deletions", "confirm", "--account", KEY.account_id, "--region", KEY.region)
    assert confirmed.returncode == 0, confirmed.stderr
    assert "confirmed 40 held deletion(s)" in confirmed.stdout
    assert store.deletions_confirmed(KEY, "scan-1")


def test_confirm_without_a_hold_or_with_bad_input_is_one_line(aws: str, tmp_path: Path) -> None:
    _, outputs = held_target(tmp_path)
    nothing = regwatch(outputs, "deletions", "confirm", "--account", "999988887777", "--region", "eu-west-1")
    assert nothing.returncode == 5
    assert "no deletions are held for account 999988887777" in nothing.stderr
    bad = regwatch(outputs, "deletions", "confirm", "--account", "12", "--region", "eu-west-1")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "12-digit account id" in bad.stderr
    assert "Traceback" not in nothing.stderr + bad.stderr
