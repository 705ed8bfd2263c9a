"""Scenario files: seed registrations and play a timeline of control actions.

Format (documented in docs/emulator.md; example in local/scenarios/example.json):
clock start, registrations with versions (statuses, optional history, denied reasons,
field values), bulk `generate` blocks, and `timeline` steps `{"at": seconds, "action":
..., ...}` that run when the emulator clock reaches start + at. `account` (top level,
per registration, per generate block or step) places them in an account other than
the default 123456789012.
"""

from __future__ import annotations

import heapq
import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from local.emulator import actions
from local.emulator.generate import REVIEW_PATHS
from local.emulator.lifecycle import FieldValue, Registration, Version, history_key, refresh_summary
from local.emulator.protocol import ApiError
from local.emulator.store import DEFAULT_ACCOUNT, Store

# Numbers below this are offsets in seconds from the scenario start, above it epochs.
_EPOCH_THRESHOLD = 1_000_000_000
_HOUR = 3600.0
_sequence = itertools.count()


class Timeline:
    """Pending steps ordered by due time, plus a log of what was played."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, int, dict[str, Any]]] = []
        self.log: list[dict[str, Any]] = []

    def clear(self) -> None:
        self.pending.clear()
        self.log.clear()

    def schedule(self, due: float, step: dict[str, Any]) -> None:
        heapq.heappush(self.pending, (due, next(_sequence), step))

    def apply_due(self, store: Store) -> list[dict[str, Any]]:
        """Run every step whose time has come, oldest first; failures are logged, not raised."""
        applied: list[dict[str, Any]] = []
        if not self.pending:
            return applied
        with store.lock:
            now = store.clock.now()
            while self.pending and self.pending[0][0] <= now:
                due, _, step = heapq.heappop(self.pending)
                entry: dict[str, Any] = {"due": due, "step": step}
                try:
                    run_step(store, step, timestamp=due)
                    entry["ok"] = True
                except (ApiError, ValueError, KeyError, LookupError) as error:
                    entry.update(ok=False, error=str(error))
                applied.append(entry)
                self.log.append(entry)
        return applied


def run_step(store: Store, step: dict[str, Any], timestamp: float | None = None) -> Any:
    body = {k: v for k, v in step.items() if k not in ("at", "action")}
    action = actions.ACTIONS.get(str(step.get("action")))
    if action is None:
        raise ValueError(f"unknown action {step.get('action')!r}; known: {', '.join(actions.ACTIONS)}")
    if step.get("action") in ("set_version_status", "set_registration") and timestamp is not None:
        # A step stamps history at its own due time, even when the clock jumped past it.
        body.setdefault("timestamp", round(timestamp, 3))
    return action(store, body)


def load(path: str | Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a scenario is a JSON object")
    return data


def to_epoch(value: Any, start: float) -> float:
    """A scenario time: ISO-8601 text, an epoch, or an offset in seconds from the start."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    number = float(value)
    return number if abs(number) >= _EPOCH_THRESHOLD else start + number


def seed(
    store: Store, timeline: Timeline, scenario: dict[str, Any], account: str | None = None
) -> dict[str, Any]:
    """Apply a scenario; returns the ids created, by ref, by region and by account.

    `account` (if given) replaces the scenario's top-level `account` as the default of
    its registrations, generate blocks and timeline steps.
    """
    with store.lock:
        clock = scenario.get("clock") or {}
        if "start" in clock:
            store.clock.set(
                to_epoch(clock["start"], store.clock.now()),
                follow_real_time=bool(clock.get("follow_real_time", False)),
            )
        start = store.now()
        default_region = scenario.get("region") or actions.DEFAULT_REGION
        default_account = account or actions.account_of(scenario)
        created: dict[str, list[str]] = {}
        by_account: dict[str, dict[str, list[str]]] = {}
        refs: dict[str, str] = {}

        def note(owner: str, region: str, ids: list[str]) -> None:
            created.setdefault(region, []).extend(ids)
            by_account.setdefault(owner, {}).setdefault(region, []).extend(ids)

        forms = scenario.get("forms") or {}
        for spec in scenario.get("registrations") or []:
            registration = _seed_registration(
                store, spec, default_region, actions.account_of(spec, default_account), start, forms=forms
            )
            note(registration.account, registration.region, [registration.registration_id])
            if spec.get("ref"):
                store.refs[str(spec["ref"])] = (
                    registration.account,
                    registration.region,
                    registration.registration_id,
                )
                refs[str(spec["ref"])] = registration.registration_id
        for kind in ("rcs_agents", "notify_configurations"):
            action = actions.ACTIONS["set_rcs_agent" if kind == "rcs_agents" else "set_notify_configuration"]
            for entry in scenario.get(kind) or []:
                action(store, {"region": default_region, "account": default_account, **entry})
        for block in scenario.get("generate") or []:
            region = block.get("region") or default_region
            owner = actions.account_of(block, default_account)
            ids = actions.generate_action(store, {**block, "region": region, "account": owner})
            note(owner, region, ids)
        for spec in scenario.get("timeline") or []:
            step = dict(spec)
            if default_account != DEFAULT_ACCOUNT:
                step.setdefault("account", default_account)
            timeline.schedule(start + float(step.get("at", 0)), step)
    return {
        "registrations": created,
        "accounts": by_account,
        "refs": refs,
        "start": start,
        "scheduled": len(timeline.pending),
    }


def _seed_registration(
    store: Store,
    spec: dict[str, Any],
    default_region: str,
    account: str,
    start: float,
    *,
    forms: dict[str, Any] | None = None,
) -> Registration:
    region = spec.get("region") or default_region
    created = to_epoch(spec.get("created", -30 * 24 * _HOUR), start)
    version_specs = spec.get("versions") or [{"status": "DRAFT"}]
    versions: list[Version] = []
    stamp = created
    for number, version_spec in enumerate(version_specs, start=1):
        version, stamp = _seed_version(number, version_spec, stamp, start, forms or {})
        versions.append(version)
    registration = Registration(
        region=region,
        registration_id=spec.get("id") or store.new_id(),
        registration_type=str(spec.get("type", "US_TEN_DLC_BRAND_REGISTRATION")),
        created=round(created, 3),
        versions=versions,
        additional_attributes=dict(spec.get("additional_attributes") or {}),
        tags=list(spec.get("tags") or []),
        account=account,
    )
    refresh_summary(registration)
    if "status" in spec:
        registration.status = str(spec["status"])
    store.region(region, account).add(registration)
    return registration


def _field_value(value: Any) -> FieldValue:
    """A field as the scenario gives it: text, a list of choices, or the keys spelled out."""
    if isinstance(value, str):
        return FieldValue(text_value=value)
    if isinstance(value, list):
        return FieldValue(select_choices=[str(choice) for choice in value])
    return FieldValue(
        select_choices=value.get("select_choices"),
        text_value=value.get("text_value"),
        attachment_id=value.get("attachment_id"),
        denied_reason=value.get("denied_reason"),
        feedback=value.get("feedback"),
    )


def _seed_version(
    number: int, spec: dict[str, Any], stamp: float, start: float, forms: dict[str, Any]
) -> tuple[Version, float]:
    status = str(spec.get("status", "DRAFT"))
    if "history" in spec:
        history = {key: round(to_epoch(value, start), 3) for key, value in spec["history"].items()}
        stamp = max(history.values(), default=stamp)
    else:
        # No history given: walk the usual review path one hour per step.
        history = {}
        for step_status in REVIEW_PATHS.get(status, ("DRAFT", status)):
            key = history_key(step_status)
            if key is not None:
                history[key] = round(stamp, 3)
            stamp += _HOUR
    version = Version(
        number=number,
        status=status,
        history=history,
        denied_reasons=[dict(reason) for reason in spec.get("denied_reasons") or []],
        feedback=spec.get("feedback"),
    )
    # `form` names a shared set of values (the scenario's `forms`); `fields` adds to it, and a
    # field given as null leaves the form's value out.
    form = spec.get("form")
    if form is not None and form not in forms:
        raise ValueError(f"unknown form {form!r}; the scenario's forms: {', '.join(forms) or 'none'}")
    values = {**(forms[form] if form is not None else {}), **(spec.get("fields") or {})}
    for path, value in values.items():
        if value is not None:
            version.fields[path] = _field_value(value)
    return version, stamp + _HOUR
