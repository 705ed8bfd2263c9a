"""`replay`: send archived regwatch events again to chosen destinations.

Deployed: EventBridge's own replay (StartReplay from the bus archive to the bus, with
`FilterArns` = the chosen destinations' rules, so other teams' rules on the bus are not
replayed to), then DescribeReplay until it ends. The window is on the event's `time`
(what EventBridge replays by); regwatch sets it to the status timestamp of the transition.

Local (documented equivalent, docs/demo.md): moto's StartReplay ignores the time window
and FilterArns, so the local stack keeps an archive stand-in — a CloudWatch Logs log group
that a rule with the archive's event pattern fills — and `LocalArchiveReplay` reads it,
applies the window and each destination rule's event pattern, and puts each matching
event on that rule's local target queue, from where the local stack delivers it like
EventBridge does (retries, DLQ). Both paths hand events to the destination's rule, and the
notifiers' idempotency decides: an event already delivered is not posted again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from regwatch_cli.errors import CliError, ExitCode
from regwatch_cli.resources import Destination

POLL_SECONDS = 5.0
FINAL_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class ReplayResult:
    name: str
    state: str
    destinations: tuple[str, ...]
    events: int | None  # known locally; EventBridge does not count
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "replayName": self.name,
            "state": self.state,
            "destinations": list(self.destinations),
            "events": self.events,
            "reason": self.reason,
        }


def replay_name(now: datetime) -> str:
    return f"regwatch-cli-{now:%Y%m%d-%H%M%S}"


def eventbridge_replay(
    events_client: Any,
    *,
    archive_arn: str,
    bus_arn: str,
    destinations: Sequence[Destination],
    since: datetime,
    until: datetime,
    progress: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> ReplayResult:
    rules = [d.rule_arn for d in destinations if d.rule_arn]
    if len(rules) != len(destinations):
        missing = [d.name for d in destinations if not d.rule_arn]
        raise CliError(f"the stack outputs name no rule for {missing}: redeploy this version", ExitCode.STACK)
    name = replay_name(datetime.now(UTC))
    events_client.start_replay(
        ReplayName=name,
        Description="regwatch replay " + ",".join(d.name for d in destinations),
        EventSourceArn=archive_arn,
        EventStartTime=since,
        EventEndTime=until,
        Destination={"Arn": bus_arn, "FilterArns": rules},
    )
    while True:
        state = events_client.describe_replay(ReplayName=name)
        current = str(state.get("State", "?"))
        last = state.get("EventLastReplayedTime")
        progress(f"replay {name}: {current}" + (f", replayed up to {last}" if last else ""))
        if current in FINAL_STATES:
            return ReplayResult(
                name, current, tuple(d.name for d in destinations), None, state.get("StateReason")
            )
        sleep(POLL_SECONDS)


# ---- the local equivalent ----------------------------------------------------------------------


def _matches_value(value: Any, conditions: Sequence[Any], present: bool) -> bool:
    for condition in conditions:
        if isinstance(condition, Mapping):
            if "anything-but" in condition:
                excluded = condition["anything-but"]
                excluded = excluded if isinstance(excluded, list) else [excluded]
                if present and value not in excluded:
                    return True
            elif "prefix" in condition:
                if present and isinstance(value, str) and value.startswith(str(condition["prefix"])):
                    return True
            elif "exists" in condition:
                if bool(condition["exists"]) == present:
                    return True
            else:
                raise CliError(f"the local replay does not support the pattern {condition}", ExitCode.STACK)
        elif present and value == condition:
            return True
    return False


def pattern_matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """EventBridge matching for the forms regwatch's rules use (lists, anything-but, prefix, exists,
    `$or` of sub-patterns at any level)."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(pattern_matches(branch, event) for branch in expected):
                return False
            continue
        present = key in event
        value = event.get(key)
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not pattern_matches(expected, value):
                return False
            continue
        values = value if isinstance(value, list) else [value]
        if not any(_matches_value(v, expected, present) for v in values or [None]):
            return False
    return True


def _event_time(event: Mapping[str, Any]) -> datetime | None:
    text = event.get("time")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def archived_events(logs_client: Any, log_group: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"logGroupName": log_group}
    while True:
        page = logs_client.filter_log_events(**request)
        for entry in page.get("events", []):
            try:
                found.append(json.loads(entry["message"]))
            except (ValueError, KeyError):
                continue
        token = page.get("nextToken")
        if not token:
            return found
        request["nextToken"] = token


def local_archive_replay(
    logs_client: Any,
    sqs_client: Any,
    *,
    log_group: str,
    destinations: Sequence[Destination],
    since: datetime,
    until: datetime,
    progress: Callable[[str], None],
) -> ReplayResult:
    events = [
        e for e in archived_events(logs_client, log_group) if (t := _event_time(e)) and since <= t < until
    ]
    progress(
        f"local archive {log_group}: {len(events)} event(s) "
        f"between {since:%Y-%m-%d %H:%M} and {until:%Y-%m-%d %H:%M}"
    )
    sent = 0
    name = replay_name(datetime.now(UTC))
    for destination in destinations:
        if destination.local_target_queue_url is None or destination.local_rule_pattern is None:
            raise CliError(
                f"the local outputs file has no target queue for {destination.name}", ExitCode.STACK
            )
        for event in events:
            if pattern_matches(destination.local_rule_pattern, event):
                replayed = {**event, "replay-name": name}
                sqs_client.send_message(
                    QueueUrl=destination.local_target_queue_url, MessageBody=json.dumps(replayed)
                )
                sent += 1
                progress(f"{destination.name}: {event.get('detail', {}).get('eventId')}")
    return ReplayResult(name, "COMPLETED", tuple(d.name for d in destinations), sent)
