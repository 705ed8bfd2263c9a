"""Run a bundled Lambda function in its own process, the way Lambda runs it.

The function's code is its CDK asset folder (what `cdk deploy` uploads), not the
source tree; it runs under the Lambda runtime's Python with `awslambdaric` talking to
a local Runtime API (`local.runtime_api`). Each process gets its own session so that
it can be killed with its whole group, and asks the kernel to kill it if this process
dies first: Ctrl-C or a crash of the demo leaves nothing behind.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from local.function_runtime import (  # noqa: F401 - re-exported: where callers look for them
    AWSLAMBDARIC_VERSION,
    ROOT,
    FunctionRuntime,
    ensure_runtime_layer,
    find_python,
    resolve,
)
from local.runtime_api import InvocationTimeout, RuntimeApiServer, RuntimeGone

DEFAULT_ACCOUNT_ID = "123456789012"
_PR_SET_PDEATHSIG = 1

# Variables a function process may inherit from ours; everything else is set explicitly
# so the user's real AWS profile or endpoints can never leak into a local function.
_INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "SYSTEMROOT")


class FunctionError(Exception):
    """The function answered with an error (unhandled exception, timeout or crash)."""

    def __init__(self, function_name: str, error_type: str, error_message: str) -> None:
        super().__init__(f"{function_name}: {error_type}: {error_message}")
        self.function_name = function_name
        self.error_type = error_type
        self.error_message = error_message


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """What the template says about one function, with intrinsics already resolved."""

    name: str
    handler: str
    asset_path: Path
    runtime: str = "python3.12"
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout_seconds: int = 30
    memory_mb: int = 256
    logical_id: str = ""

    @property
    def python_version(self) -> str:
        """`python3.12` -> `3.12`."""
        return self.runtime.removeprefix("python")


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the demo dies, the kernel kills the child.
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class _ProcessRegistry:
    """Every function process started by this interpreter, killed at exit whatever happens."""

    def __init__(self) -> None:
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        atexit.register(self.kill_all)

    def add(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.add(process)

    def discard(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.discard(process)

    def kill_all(self) -> None:
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            terminate_group(process)

    def alive(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._processes if p.poll() is None]


REGISTRY = _ProcessRegistry()


def terminate_group(process: subprocess.Popen[bytes], grace_seconds: float = 2.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after the grace period."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace_seconds)
    REGISTRY.discard(process)


class LocalFunction:
    """One function: a Runtime API server plus a process running the bundle under awslambdaric.

    Like a Lambda execution environment, the process is reused across invocations and
    replaced after a crash or a timeout.
    """

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        extra_env: Mapping[str, str] | None = None,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        python: str | None = None,
        runtime_layer: Path | None = None,
        log_path: Path | None = None,
        python_flags: tuple[str, ...] = (),
    ) -> None:
        self.spec = spec
        self.region = region
        self.account_id = account_id
        self._extra_env = dict(extra_env or {})
        self._python = python
        self._runtime_layer = runtime_layer
        self._python_flags = python_flags
        self._log_path = log_path
        self._log_file: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._api: RuntimeApiServer | None = None
        self._lock = threading.Lock()
        self.invocations = 0
        self.cold_starts = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.spec.name}"

    def start(self) -> LocalFunction:
        if self._python is None:
            # The Lambda runtime's Python where it runs here, else this machine's (local.function_runtime).
            runtime = resolve(self.spec.python_version)
            self._python, self._python_flags = runtime.python, runtime.python_flags
            self._runtime_layer = self._runtime_layer or runtime.runtime_layer
        if self._runtime_layer is None:
            self._runtime_layer = ensure_runtime_layer(self.spec.python_version)
        if not (self.spec.asset_path / self.spec.handler.split(".")[0]).exists():
            raise FileNotFoundError(
                f"{self.spec.name}: handler {self.spec.handler} not found in asset {self.spec.asset_path}"
            )
        if self._log_path is not None:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self._log_path.open("ab")
        self._spawn()
        return self

    @property
    def access_key_id(self) -> str:
        """Each function signs with a key of its own, as each Lambda has its own role.

        Requests recorded by moto server can then be attributed to the function that made
        them, and compared with that function's IAM policy in the template.
        """
        return f"LOCAL{self.spec.logical_id or self.spec.name}".replace("-", "")

    def environment(self, runtime_api: str) -> dict[str, str]:
        """The process environment: Lambda's reserved variables, then the template's, then ours."""
        env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
        if self._runtime_layer is None:
            raise RuntimeError("start() the function first")
        env.update(
            {
                "AWS_LAMBDA_RUNTIME_API": runtime_api,
                "_HANDLER": self.spec.handler,
                "LAMBDA_TASK_ROOT": str(self.spec.asset_path),
                "PYTHONPATH": f"{self.spec.asset_path}{os.pathsep}{self._runtime_layer}",
                # The asset folder is CDK's content-addressed cache: never write .pyc into it.
                "PYTHONDONTWRITEBYTECODE": "1",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": self.spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.spec.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.spec.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": "local",
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": self.access_key_id,
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "TZ": ":UTC",
            }
        )
        env.update(self.spec.environment)
        env.update(self._extra_env)
        return env

    def _spawn(self) -> None:
        if self._python is None:
            raise RuntimeError("start() the function first")
        if self._api is None:
            self._api = RuntimeApiServer.start(self.spec.name, region=self.region, account_id=self.account_id)
        output: IO[bytes] | int = self._log_file if self._log_file is not None else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [self._python, *self._python_flags, "-m", "awslambdaric", self.spec.handler],
            cwd=self.spec.asset_path,
            env=self.environment(self._api.address),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        REGISTRY.add(self._process)
        self.cold_starts += 1

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def invoke(self, event: Any) -> Any:
        """Invoke synchronously (RequestResponse); raise FunctionError if the function failed."""
        with self._lock:
            if self._api is None:
                raise RuntimeError(f"{self.spec.name} is not started")
            if not self._alive() or self._api.init_error is not None:
                self._restart()
            self.invocations += 1
            try:
                result = self._api.invoke(
                    event, timeout_seconds=self.spec.timeout_seconds, is_alive=self._alive
                )
            except InvocationTimeout as timeout:
                # Lambda discards an environment whose invocation timed out.
                self._restart()
                raise FunctionError(self.spec.name, "Sandbox.Timedout", str(timeout)) from timeout
            except RuntimeGone as gone:
                error = self._api.init_error or {}
                raise FunctionError(
                    self.spec.name,
                    str(error.get("errorType", "Runtime.ExitError")),
                    str(error.get("errorMessage", gone)),
                ) from gone
        if result.error is not None:
            raise FunctionError(
                self.spec.name,
                str(result.error.get("errorType", "Unhandled")),
                str(result.error.get("errorMessage", "")),
            )
        return result.payload

    def _restart(self) -> None:
        if self._process is not None:
            terminate_group(self._process)
        if self._api is not None:
            self._api.stop()
            self._api = None
        self._spawn()

    def stop(self) -> None:
        if self._process is not None:
            terminate_group(self._process)
            self._process = None
        if self._api is not None:
            self._api.stop()
            self._api = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> LocalFunction:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
