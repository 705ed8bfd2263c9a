"""Exactly-once delivery per `detail.eventId` with Powertools idempotency on DynamoDB.

Table layout is Powertools' default (partition key `id`, TTL attribute `expiration`).
The same event delivered twice (EventBridge at-least-once, Lambda async retries, the
scanner re-emitting a transition) runs the delivery once; the second call returns the
stored result. A failed delivery deletes its in-progress record, so a retry can succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.hook import IdempotentHookFunction

# Longer than EventBridge's 24 h retry window and Lambda's async retries, and long
# enough for a DLQ redrive within a week to be recognised as already delivered.
DEDUP_WINDOW = timedelta(days=7)
EVENT_KEY_JMESPATH = "detail.eventId"


def deliver_once(
    deliver: Callable[..., dict[str, Any]],
    *,
    dynamodb_client: Any,
    table_name: str,
    key_prefix: str,
    on_duplicate: IdempotentHookFunction,
) -> tuple[Callable[..., dict[str, Any]], IdempotencyConfig]:
    """Wrap `deliver(event=<raw event dict>, ...)` so each eventId runs it once.

    Returns the wrapped function and its config; call `config.register_lambda_context`
    on every invocation so an in-progress record expires with the Lambda timeout.
    """
    config = IdempotencyConfig(
        event_key_jmespath=EVENT_KEY_JMESPATH,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=int(DEDUP_WINDOW.total_seconds()),
        response_hook=on_duplicate,
    )
    persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb_client)
    wrapped = idempotent_function(
        deliver,
        data_keyword_argument="event",
        persistence_store=persistence,
        config=config,
        key_prefix=key_prefix,
    )
    return wrapped, config
