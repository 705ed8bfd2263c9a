"""`make demo` mistakes end in one line naming the problem and the fix, never a traceback.

Run as a user runs it (`python -m local.run`, what `make demo ARGS=...` calls).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = env if env is not None else dict(os.environ)
    base["PYTHONPATH"] = f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}"
    return subprocess.run(
        [sys.executable, "-m", "local.run", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _single_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_malformed_scenario_file_is_one_line_naming_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"registrations": [\n  {"id": "x",}\n]}')
    result = _demo("--scenario", str(bad))
    assert result.returncode == 2
    line = _single_error_line(result)
    assert line.startswith(f"make demo: scenario file {bad} is not JSON (line 2, column")
    assert "docs/emulator.md" in line


def test_a_missing_scenario_file_is_one_line(tmp_path: Path) -> None:
    result = _demo("--scenario", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "does not exist: pass an existing file to --scenario" in _single_error_line(result)


def test_the_dry_run_without_credentials_says_how_to_configure_them() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") or k in {"AWS_REGION", "AWS_DEFAULT_REGION"}
    }
    env.update(
        {
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    result = _demo("--aws-dry-run", "--regions", "us-east-1", env=env)
    assert result.returncode == 4, result.stdout + result.stderr
    line = _single_error_line(result)
    assert line.startswith("regwatch: no usable AWS credentials:") and "aws configure" in line
