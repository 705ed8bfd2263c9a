"""The local stack's deliveries to its Lambda targets: each outcome noted, dead letters, redelivery.

One `TargetDelivery` per Lambda target (local.delivery); these functions add what the runner
does with all of them: note every outcome for the timeline, read and redrive the dead-letter
queues, replay the last delivery (EventBridge delivers at least once).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from local.delivery import DeliveryOutcome, TargetDelivery, dead_letter_messages, redrive
from local.functions import LocalFunction
from local.provision import LambdaTarget
from local.records import Note


def noted_delivery(
    sqs: Any,
    target: LambdaTarget,
    function: LocalFunction,
    seen: Counter[str],
    note: Callable[..., None],
) -> TargetDelivery:
    """`seen` counts the deliveries per event id (duplicates); `note(kind, **data)` records each outcome."""

    def observe(outcome: DeliveryOutcome) -> None:
        event_id = str(outcome.event.get("detail", {}).get("eventId", ""))
        if outcome.delivered:
            seen[event_id] += 1
            note("delivered", function=function.spec.name, event=outcome.event, attempts=outcome.attempts)
        else:
            note(
                "delivery_failed",
                function=function.spec.name,
                event=outcome.event,
                attempts=outcome.attempts,
                error=outcome.error_message,
                dead_lettered=outcome.dead_lettered,
            )

    return TargetDelivery(
        sqs,
        target.delivery_queue_url,
        function.invoke,
        target.dead_letter_queue_url,
        target.max_retries,
        target.max_event_age_seconds,
        rule_arn=target.rule_arn,
        target_arn=target.target_arn,
        observer=observe,
    )


def dead_letters_by_function(
    sqs: Any, targets: Sequence[LambdaTarget], functions: Mapping[str, LocalFunction]
) -> dict[str, list[dict[str, Any]]]:
    """What sits in each notifier target's dead-letter queue (messages stay there)."""
    found: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()  # a notifier's rules (alerts, digest) share its DLQ: read it once
    for target in targets:
        if target.dead_letter_queue_url in seen:
            continue
        if target.dead_letter_queue_url and target.schedule_expression is None:
            seen.add(target.dead_letter_queue_url)
            name = functions[target.function_logical_id].spec.name
            found[name] = found.get(name, []) + dead_letter_messages(sqs, target.dead_letter_queue_url)
    return found


def redrive_dead_letters(
    sqs: Any, targets: Sequence[LambdaTarget], deliveries: Mapping[str, TargetDelivery]
) -> int:
    """Hand every dead-lettered event back to its target; how many were delivered."""
    delivered = 0
    for rule_id, delivery in deliveries.items():
        target = next(t for t in targets if t.rule_logical_id == rule_id)
        if target.dead_letter_queue_url:
            delivered += redrive(sqs, target.dead_letter_queue_url, delivery)
    return delivered


def replay_last_deliveries(
    sqs: Any,
    deliveries: Mapping[str, TargetDelivery],
    functions: Mapping[str, LocalFunction],
    notes: Sequence[Note],
) -> int:
    """Queue each target's last delivered event (from the `delivered` notes) once more."""
    replayed = 0
    for delivery in deliveries.values():
        name = _function_name_of(functions, delivery)
        last = next(
            (
                n.data["event"]
                for n in reversed(notes)
                if n.kind == "delivered" and n.data["function"] == name
            ),
            None,
        )
        if last is not None:
            sqs.send_message(QueueUrl=delivery.queue_url, MessageBody=json.dumps(last))
            replayed += 1
    return replayed


def _function_name_of(functions: Mapping[str, LocalFunction], delivery: TargetDelivery) -> str:
    for function in functions.values():
        if function.invoke == delivery.invoke:
            return function.spec.name
    return "?"
