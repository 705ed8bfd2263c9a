"""benchmarks/coldstart.py measures the functions the stack deploys, each as it starts.

The handler list is derived (lambdas/*/handler.py and the destination registry); this checks
it against the Handler and DESTINATION of every function of a real synthesis with every
destination configured, so a function added, removed or renamed in infra/ shows up here.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.coldstart import HANDLER_MODULES, import_seconds
from destinations.registry import destination
from tests.infra.conftest import synthesize
from tests.infra.test_infra_destinations import SETTINGS


def _cold_start_entry(function: dict[str, Any]) -> str:
    """What the function imports before its first answer: the handler module, and for a
    notifier also the delivery module its DESTINATION names (imported on the first invocation)."""
    module = function["Handler"].rsplit(".", 1)[0]
    named = function.get("Environment", {}).get("Variables", {}).get("DESTINATION")
    if named is None:
        return str(module)
    return f"{module}, {destination(named).delivery.split(':', 1)[0]}"


@pytest.fixture(scope="module")
def deployed() -> set[str]:
    synthesized = synthesize(SETTINGS)
    functions = synthesized.resources("AWS::Lambda::Function").values()
    return {_cold_start_entry(function["Properties"]) for function in functions}


def test_the_measured_handlers_are_the_deployed_functions(deployed: set[str]) -> None:
    assert set(HANDLER_MODULES) == deployed
    assert len(HANDLER_MODULES) == len(deployed), "each measured once"
    assert {"scanner.handler", "dispatcher.handler", "evaluator.handler"} <= deployed
    assert not any(entry.startswith(("notify_slack", "notify_sns")) for entry in HANDLER_MODULES)


def test_every_measured_handler_imports_in_a_fresh_interpreter() -> None:
    timings = {entry: import_seconds(entry, repeats=1) for entry in HANDLER_MODULES}
    assert all(seconds is not None and seconds > 0 for seconds in timings.values()), timings
