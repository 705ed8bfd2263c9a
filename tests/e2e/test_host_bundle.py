"""The fallback bundle (local/function_runtime.py): requirements.txt + lambdas/ built for this
machine's interpreter, run in isolation (`python -S`: no site-packages, as on Lambda), imports
every handler. This is what `make demo` runs where the Lambda runtime's Python is missing."""

from __future__ import annotations

import os
import subprocess

from local.function_runtime import ensure_host_bundle, ensure_host_runtime_layer, host_interpreter

HANDLERS = ("scanner.handler", "notifier.handler")


def test_the_host_bundle_imports_every_handler_without_the_dev_venv() -> None:
    bundle, layer = ensure_host_bundle(), ensure_host_runtime_layer()
    code = "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]; import awslambdaric"
    completed = subprocess.run(
        [host_interpreter(), "-S", "-c", code, *HANDLERS],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": f"{bundle}{os.pathsep}{layer}",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    # The venv's packages are not what was imported: the bundle has its own copy.
    probe = subprocess.run(
        [host_interpreter(), "-S", "-c", "import pydantic; print(pydantic.__file__)"],
        env={"PYTHONPATH": str(bundle)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(bundle))
