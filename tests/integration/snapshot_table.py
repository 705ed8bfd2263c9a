"""The snapshot table as the stack defines it (pk/sk strings, on demand, the planning index),
created on moto server.

Shared by the scanner and organization integration worlds, which both need an empty one per test.
"""

from __future__ import annotations

from typing import Any

from regwatch_aws.planning_index import snapshot_table_request


def create_snapshot_table(dynamodb: Any, table_name: str) -> None:
    dynamodb.create_table(**snapshot_table_request(table_name))
