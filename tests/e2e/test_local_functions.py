"""The local Lambda runtime: a bundle folder run under awslambdaric against our Runtime API.

A tiny handler package written to a tmp folder stands in for a CDK asset, so these
tests check the runtime plumbing on its own, over real sockets and real processes.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.functions import REGISTRY, FunctionError, FunctionSpec, LocalFunction

HANDLER_SOURCE = textwrap.dedent(
    """
    import os
    import time

    def lambda_handler(event, context):
        action = event.get("action")
        if action == "fail":
            raise ValueError("asked to fail: " + event.get("why", ""))
        if action == "exit":
            os._exit(3)
        if action == "sleep":
            time.sleep(event["seconds"])
        return {
            "echo": event,
            "requestId": context.aws_request_id,
            "functionArn": context.invoked_function_arn,
            "remainingMs": context.get_remaining_time_in_millis(),
            "greeting": os.environ.get("GREETING"),
            "region": os.environ.get("AWS_REGION"),
            "pid": os.getpid(),
        }
    """
)


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("asset")
    (folder / "tiny").mkdir()
    (folder / "tiny" / "__init__.py").write_text("")
    (folder / "tiny" / "handler.py").write_text(HANDLER_SOURCE)
    return folder


@pytest.fixture(scope="module")
def tiny(asset: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFunction]:
    spec = FunctionSpec(
        name="Tiny",
        handler="tiny.handler.lambda_handler",
        asset_path=asset,
        environment={"GREETING": "hello from the template"},
        timeout_seconds=3,
    )
    log = tmp_path_factory.mktemp("logs") / "tiny.log"
    with LocalFunction(spec, region="eu-west-1", log_path=log) as function:
        yield function


def test_invocation_returns_the_handler_result_with_a_lambda_context(tiny: LocalFunction) -> None:
    result = tiny.invoke({"action": "echo", "n": 1})
    assert result["echo"] == {"action": "echo", "n": 1}
    assert result["greeting"] == "hello from the template"
    assert result["region"] == "eu-west-1"
    assert result["functionArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:Tiny"
    assert 0 < result["remainingMs"] <= 3000
    second = tiny.invoke({"action": "echo", "n": 2})
    assert second["requestId"] != result["requestId"]
    assert second["pid"] == result["pid"], "a warm environment is reused"


def test_handler_exception_becomes_a_function_error(tiny: LocalFunction) -> None:
    with pytest.raises(FunctionError) as raised:
        tiny.invoke({"action": "fail", "why": "test"})
    assert raised.value.error_type == "ValueError"
    assert "asked to fail: test" in raised.value.error_message
    assert tiny.invoke({"action": "echo"})["echo"] == {"action": "echo"}


def test_crash_is_reported_and_the_environment_replaced(tiny: LocalFunction) -> None:
    before = tiny.invoke({"action": "echo"})["pid"]
    with pytest.raises(FunctionError) as raised:
        tiny.invoke({"action": "exit"})
    assert raised.value.error_type == "Runtime.ExitError"
    after = tiny.invoke({"action": "echo"})["pid"]
    assert after != before


def test_timeout_kills_the_environment(tiny: LocalFunction) -> None:
    before = tiny.invoke({"action": "echo"})["pid"]
    with pytest.raises(FunctionError) as raised:
        tiny.invoke({"action": "sleep", "seconds": 10})
    assert raised.value.error_type == "Sandbox.Timedout"
    assert tiny.invoke({"action": "echo"})["pid"] != before


def test_import_error_is_an_init_error(asset: Path) -> None:
    spec = FunctionSpec(
        name="Broken", handler="tiny.missing.lambda_handler", asset_path=asset, timeout_seconds=5
    )
    with LocalFunction(spec) as broken, pytest.raises(FunctionError) as raised:
        broken.invoke({})
    assert "Runtime.ImportModuleError" in raised.value.error_type


def test_stop_leaves_no_process_behind(asset: Path) -> None:
    spec = FunctionSpec(name="Short", handler="tiny.handler.lambda_handler", asset_path=asset)
    function = LocalFunction(spec).start()
    pid = function.invoke({"action": "echo"})["pid"]
    function.stop()
    assert pid not in REGISTRY.alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
