"""The emulator's own control API, under `/_emulator/` (never part of the AWS API).

`POST /_emulator/<name>` with a JSON object body; answers `{"result": ...}` or, for a
bad request, HTTP 400 `{"error": ...}`. `EmulatorControl` (control.py) wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.emulator import actions, associations, scenario
from local.emulator.state import EmulatorState

ControlHandler = Callable[[EmulatorState, dict[str, Any]], Any]


def _reset(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.reset()
    return {"now": state.store.now()}


def _seed(state: EmulatorState, body: dict[str, Any]) -> Any:
    scenario_data = body.get("scenario", body)
    if isinstance(scenario_data, str):
        scenario_data = scenario.load(scenario_data)
    result = scenario.seed(state.store, state.timeline, scenario_data)
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
    return dict(state.faults.counters)


def _reset_counters(state: EmulatorState, body: dict[str, Any]) -> Any:
    state.faults.counters.clear()
    return {}


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
    **{name: _run_action(name) for name in actions.ACTIONS},
    **{name: _run_module_action(action) for name, action in associations.ACTIONS.items()},
}
