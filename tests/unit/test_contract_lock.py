"""docs/events.md is an interface other teams build on: it changes only with a version bump.

Each released schema version pins a fingerprint of the written contract (docs/events.md
and docs/events.schema.json). Editing either without bumping `SCHEMA_VERSION` (and adding
the new version's fingerprint here) fails this test, so a contract change cannot slip in
as a "doc fix".
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from regwatch.events import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_FILES = ("docs/events.md", "docs/events.schema.json")
# schemaVersion -> sha256 of the contract files as released under that version.
RELEASED_CONTRACTS = {
    "1.0": "3258ed975899fdc9e698bb403e4b1f0e76eda716a2a469781d469448e1074f36",
    "1.1": "13a7f63fcbcf1e9f08608938223ac49a810c06ef0f6cffa7f0905ec2829f8be0",
    "1.2": "0b0537fe64e6e7bbd661beb275d03fb7e32a72fddd18da5608903bc1720c8e09",
}


def contract_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in CONTRACT_FILES:
        digest.update((ROOT / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_current_schema_version_is_released() -> None:
    assert SCHEMA_VERSION in RELEASED_CONTRACTS, (
        f"schemaVersion {SCHEMA_VERSION} has no released contract fingerprint in this test"
    )


def test_the_written_contract_matches_its_schema_version() -> None:
    assert contract_fingerprint() == RELEASED_CONTRACTS[SCHEMA_VERSION], (
        "docs/events.md or docs/events.schema.json changed without a schema version bump: bump "
        "regwatch.events.SCHEMA_VERSION (minor for additive changes, major for breaking ones), "
        "say what changed in docs/events.md, and add the new fingerprint to RELEASED_CONTRACTS"
    )
