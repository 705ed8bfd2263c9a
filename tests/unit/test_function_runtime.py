"""Which interpreter and bundle the local functions run with (local/function_runtime.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from local import function_runtime
from local.function_runtime import check_lambda_asset, resolve

PINNED = {"pydantic-core": "2.50.4", "slack-sdk": "3.47.0"}


def _asset(tmp_path: Path, so_name: str = "_core.cpython-312-x86_64-linux-gnu.so") -> Path:
    for name in function_runtime.HANDLER_PACKAGES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "handler.py").write_text("")
    for line in function_runtime.REQUIREMENTS.read_text().splitlines():
        match = function_runtime._REQUIREMENT.match(line.strip())
        if match:
            (tmp_path / f"{match[1].replace('-', '_')}-{match[2]}.dist-info").mkdir()
    (tmp_path / "pydantic_core").mkdir()
    (tmp_path / "pydantic_core" / so_name).write_bytes(b"")
    return tmp_path


def test_a_lambda_asset_as_pinned_passes_the_static_check(tmp_path: Path) -> None:
    assert check_lambda_asset(_asset(tmp_path), "3.12") == []


def test_the_static_check_names_what_is_wrong(tmp_path: Path) -> None:
    asset = _asset(tmp_path, so_name="_core.cpython-313-darwin.so")
    (asset / "notifier" / "handler.py").unlink()
    next(asset.glob("slack_sdk-*.dist-info")).rename(asset / "slack_sdk-3.0.0.dist-info")
    problems = check_lambda_asset(asset, "3.12")
    assert any("notifier/" in p for p in problems)
    assert any("slack-sdk==3.47.0" in p and "3.0.0" in p for p in problems)
    assert any("cpython-313-darwin" in p and "cpython-312-x86_64-linux-gnu" in p for p in problems)


def test_without_the_lambda_python_the_host_interpreter_runs_the_functions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(function_runtime, "ensure_host_runtime_layer", lambda: tmp_path)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(function_runtime, "lambda_platform_runs_here", lambda: True)
    runtime = resolve("3.9")  # a version this interpreter is not
    assert not runtime.lambda_platform
    assert runtime.python_flags == ("-S",), "the function must not see the dev venv's packages"
    assert "Python 3.9 (the Lambda runtime's) is not on this machine" in runtime.note
    assert "\n" not in runtime.note


def test_on_another_platform_the_host_interpreter_runs_the_functions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(function_runtime, "ensure_host_runtime_layer", lambda: tmp_path)
    monkeypatch.setattr(function_runtime.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(function_runtime.platform, "machine", lambda: "arm64")
    runtime = resolve(f"{sys.version_info.major}.{sys.version_info.minor}")
    assert not runtime.lambda_platform and "this is Darwin arm64" in runtime.note


@pytest.mark.skipif(
    not function_runtime.lambda_platform_runs_here(),
    reason="the Lambda platform (Linux x86_64) is not this one",
)
def test_where_the_lambda_python_exists_the_lambda_asset_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(function_runtime.FORCE_HOST, raising=False)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"  # this interpreter is one
    monkeypatch.setattr(function_runtime, "ensure_runtime_layer", lambda v: Path("/layer"))
    runtime = resolve(version)
    assert runtime.lambda_platform and runtime.note == "" and runtime.python_flags == ()
