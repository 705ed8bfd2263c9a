"""The snapshot table as the stack defines it (pk/sk strings, on demand), created on moto server.

Shared by the scanner and organization integration worlds, which both need an empty one per test.
"""

from __future__ import annotations

from typing import Any


def create_snapshot_table(dynamodb: Any, table_name: str) -> None:
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
