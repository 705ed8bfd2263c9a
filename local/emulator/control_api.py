"""The emulator's own control API, under `/_emulator/` (never part of the AWS API).

`POST /_emulator/<name>` with a JSON object body; answers `{"result": ...}` or, for a
bad request, HTTP 400 `{"error": ...}`. `EmulatorControl` (control.py) wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.emulator import actions, associations, scenario
from local.emulator.accounts import check_account
from local.emulator.state import EmulatorState

ControlHandler = Callable[[EmulatorState, dict[str, Any]], Any]


def _reset(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.reset()
    return {"now": state.store.now()}


def _seed(state: EmulatorState, body: dict[str, Any]) -> Any:
    scenario_data = body.get("scenario", body)
    if isinstance(scenario_data, str):
        scenario_data = scenario.load(scenario_data)
    account = body.get("account") if "scenario" in body else None
    result = scenario.seed(
        state.store, state.timeline, scenario_data, None if account is None else check_account(account)
    )
    result["applied"] = state.timeline.apply_due(state.store)
    return result


def _clock_result(state: EmulatorState) -> dict[str, Any]:
    applied = state.timeline.apply_due(state.store)
    return {"now": state.store.clock.now(), "applied": applied, "pending": len(state.timeline.pending)}


def _advance(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.store.clock.advance(float(body.get("seconds", 0)))
    return _clock_result(state)


def _set_clock(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.store.clock.set(float(body["epoch_seconds"]), bool(body.get("follow_real_time", False)))
    return _clock_result(state)


def _now(state: EmulatorState, body: dict[str, Any]) -> Any:
    return {"now": state.store.clock.now(), "follows_real_time": state.store.clock.follows_real_time}


def _set_faults(state: EmulatorState, body: dict[str, Any]) -> Any:
    faults = dict(body.get("faults") or {})
    return state.faults.set(body.get("operation"), faults)


def _clear_faults(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.faults.clear(body.get("operation"))
    return state.faults.describe()


def _faults(state: EmulatorState, body: dict[str, Any]) -> Any:
    return state.faults.describe()


def _counters(state: EmulatorState, body: dict[str, Any]) -> Any:
    account = body.get("account")
    return state.counters(None if account is None else check_account(account))


def _reset_counters(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.clear_counters()
    return {}


# --- accounts -----------------------------------------------------------------------


def _register_credentials(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.accounts.register(str(body["access_key_id"]), body["account"], body.get("principal"))
    return state.accounts.describe()


def _deny_account(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.accounts.deny(body["account"], body.get("region"), body.get("reason"), body.get("principal"))
    return state.accounts.describe()


def _suspend_account(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.accounts.suspend(body["account"])
    return state.accounts.describe()


def _restore_account(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.accounts.restore(body["account"])
    return state.accounts.describe()


def _accounts(state: EmulatorState, body: dict[str, Any]) -> Any:
    described = state.accounts.describe()
    if "access_key_id" in body:
        described["resolved"] = state.accounts.resolve(str(body["access_key_id"]))
    with state.store.lock:
        described["registrations"] = {
            f"{account}/{region}": len(partition.registrations)
            for (account, region), partition in sorted(state.store.partitions.items())
        }
    return described


# --- native events --------------------------------------------------------------------


def _native_events(state: EmulatorState, body: dict[str, Any]) -> Any:
    if not body:
        return state.native_events.describe()
    settings = dict(body)
    settings.setdefault("enabled", True)
    return state.native_events.configure(**settings)


def _flush_native_events(state: EmulatorState, body: dict[str, Any]) -> Any:
    drained = state.native_events.flush(float(body.get("timeout", 10.0)))
    return {"drained": drained, "counters": state.native_events.counters_of()}


def _timeline(state: EmulatorState, body: dict[str, Any]) -> Any:
    return {
        "pending": [{"due": due, "step": step} for due, _, step in sorted(state.timeline.pending)],
        "log": state.timeline.log,
    }


def _run_action(name: str) -> ControlHandler:
    def run(state: EmulatorState, body: dict[str, Any]) -> Any:
        with state.store.lock:
            state.timeline.apply_due(state.store)
            return actions.ACTIONS[name](state.store, body)

    return run


def _run_module_action(action: actions.Action) -> ControlHandler:
    def run(state: EmulatorState, body: dict[str, Any]) -> Any:
        with state.store.lock:
            state.timeline.apply_due(state.store)
            return action(state.store, body)

    return run


CONTROL_HANDLERS: dict[str, ControlHandler] = {
    "reset": _reset,
    "seed": _seed,
    "advance": _advance,
    "advance_clock": _advance,
    "set_clock": _set_clock,
    "now": _now,
    "set_faults": _set_faults,
    "clear_faults": _clear_faults,
    "faults": _faults,
    "counters": _counters,
    "reset_counters": _reset_counters,
    "timeline": _timeline,
    "register_credentials": _register_credentials,
    "deny_account": _deny_account,
    "suspend_account": _suspend_account,
    "restore_account": _restore_account,
    "accounts": _accounts,
    "native_events": _native_events,
    "flush_native_events": _flush_native_events,
    **{name: _run_action(name) for name in actions.ACTIONS},
    **{name: _run_module_action(action) for name, action in associations.ACTIONS.items()},
}
