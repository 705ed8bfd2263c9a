"""Which interpreter and bundle the local functions run with: Lambda's, or this machine's.

The Lambda asset (what `cdk deploy` uploads) holds manylinux x86_64 wheels for the runtime's
Python (3.12). Where that runs — Linux x86_64 with a Python 3.12 on the machine, as in CI —
the demo runs that very asset under that interpreter. Anywhere else (macOS, arm64, a box with
only Python 3.11 or 3.13) it builds a bundle of the same `requirements.txt` and `lambdas/`
for this machine's interpreter and platform, says so in one line, runs that, and still checks
the Lambda asset without running it (`check_lambda_asset`).
"""

from __future__ import annotations

import dataclasses
import fcntl
import glob
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar


class _Spec(Protocol):
    @property
    def python_version(self) -> str: ...

    @property
    def asset_path(self) -> Path: ...


SpecT = TypeVar("SpecT", bound=_Spec)

ROOT = Path(__file__).resolve().parents[1]
AWSLAMBDARIC_VERSION = "4.2.2"
BUILD = ROOT / ".build"
REQUIREMENTS = ROOT / "requirements.txt"
LAMBDAS = ROOT / "lambdas"
HANDLER_PACKAGES = ("scanner", "notifier")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", "*.egg-info")


@dataclass(frozen=True)
class FunctionRuntime:
    python: str
    runtime_layer: Path
    lambda_platform: bool  # True: the Lambda asset runs as deployed
    python_flags: tuple[str, ...] = ()
    note: str = ""  # one line for the user when the host fallback is used


def find_python(version: str) -> str:
    """The interpreter of the Lambda runtime's Python version (compiled wheels must match)."""
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [
        *sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}")),
        shutil.which(f"python{version}"),
    ]
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        candidates.append(sys.executable)
    for candidate in candidates:
        # pyenv shims exist for every name but fail unless that version is selected.
        if candidate and "/shims/" not in candidate and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(
        f"Python {version} is needed to run the Lambda bundle locally (its compiled wheels are built "
        f"for the Lambda runtime python{version}); install it, e.g. `pyenv install {version}`"
    )


def ensure_runtime_layer(python_version: str, build_dir: Path | None = None) -> Path:
    """A folder with `awslambdaric` for the runtime's Python, installed once (a local 'layer').

    On Lambda the base image provides awslambdaric; locally it is pip-installed for the
    target platform and Python version, as the bundler does for the function's own wheels.
    """
    target = (build_dir or ROOT / ".build") / "local-runtime" / f"python{python_version}"
    marker = target / f".awslambdaric-{AWSLAMBDARIC_VERSION}"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    # Parallel first runs (test workers, a demo next to the tests) must not pip into one folder.
    with (target.parent / f"python{python_version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                    str(target),
                    "--upgrade",
                    "--platform",
                    "manylinux2014_x86_64",
                    "--only-binary=:all:",
                    "--implementation",
                    "cp",
                    "--python-version",
                    python_version,
                    f"awslambdaric=={AWSLAMBDARIC_VERSION}",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            marker.touch()
    return target


def lambda_platform_runs_here() -> bool:
    """manylinux x86_64 wheels load only on Linux x86_64."""
    return platform.system() == "Linux" and platform.machine().lower() in ("x86_64", "amd64")


def host_tag() -> str:
    """`cpython-313-linux-x86_64`: what a bundle built for this interpreter is valid for."""
    return f"{sys.implementation.cache_tag}-{sysconfig.get_platform()}".replace(".", "_")


def host_interpreter() -> str:
    """The interpreter behind this venv: it does not see the venv's packages, only the bundle's."""
    return str(getattr(sys, "_base_executable", "") or sys.executable)


def _pip_install_once(target: Path, arguments: Sequence[str]) -> Path:
    marker = target / ".complete"
    if marker.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Parallel first runs (test workers, a demo next to the tests) must not pip into one folder.
    with target.with_name(target.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-compile",
                    "--target",
                    str(target),
                    *arguments,
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            marker.write_text("ok\n", encoding="utf-8")
    return target


def ensure_host_runtime_layer() -> Path:
    """awslambdaric for this interpreter (the Lambda base image's part), installed once."""
    return _pip_install_once(
        BUILD / "local-runtime" / f"host-{host_tag()}-awslambdaric-{AWSLAMBDARIC_VERSION}",
        [f"awslambdaric=={AWSLAMBDARIC_VERSION}"],
    )


def ensure_host_bundle() -> Path:
    """requirements.txt for this interpreter and platform + lambdas/, like the Lambda asset."""
    requirements = REQUIREMENTS.read_bytes()
    dependencies = _pip_install_once(
        BUILD / "host-deps" / hashlib.sha256(host_tag().encode() + requirements).hexdigest()[:16],
        ["--requirement", str(REQUIREMENTS)],
    )
    digest = hashlib.sha256(host_tag().encode() + requirements)
    for path in sorted(p for p in LAMBDAS.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(LAMBDAS)).encode() + b"\0" + path.read_bytes())
    bundle = BUILD / "host-bundle" / digest.hexdigest()[:16]
    if not (bundle / ".complete").exists():
        staging = bundle.with_name(bundle.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(dependencies, staging, ignore=shutil.ignore_patterns(".complete"))
        shutil.copytree(LAMBDAS, staging, dirs_exist_ok=True, ignore=_IGNORED)
        (staging / ".complete").write_text("ok\n", encoding="utf-8")
        shutil.rmtree(bundle, ignore_errors=True)
        staging.rename(bundle)
    return bundle


FORCE_HOST = "REGWATCH_LOCAL_RUNTIME"  # "host": the fallback path even where Lambda's would run


def resolve(python_version: str) -> FunctionRuntime:
    """The Lambda runtime where it runs here; this machine's interpreter otherwise."""
    if os.environ.get(FORCE_HOST) == "host":
        reason = f"{FORCE_HOST}=host"
    elif lambda_platform_runs_here():
        try:
            return FunctionRuntime(find_python(python_version), ensure_runtime_layer(python_version), True)
        except FileNotFoundError:
            reason = f"Python {python_version} (the Lambda runtime's) is not on this machine"
    else:
        here = f"{platform.system()} {platform.machine()}"
        reason = f"the Lambda asset's wheels are for Linux x86_64, this is {here}"
    return FunctionRuntime(
        host_interpreter(),
        ensure_host_runtime_layer(),
        False,
        # No site-packages: the function sees its bundle and awslambdaric, as on Lambda.
        python_flags=("-S",),
        note=(
            f"{reason}: the functions run from a bundle of the same requirements.txt built for this "
            f"machine's Python {platform.python_version()} ({host_tag()}); CI runs the Lambda asset itself"
        ),
    )


_REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def check_lambda_asset(asset: Path, python_version: str) -> list[str]:
    """What can be checked of the Lambda asset without running it; the problems found.

    Handler packages present, every pinned distribution installed at its pinned version, and
    every compiled extension built for the Lambda runtime (cpython-3XY, x86_64 Linux).
    """
    problems = [
        f"handler package {name}/ missing"
        for name in HANDLER_PACKAGES
        if not (asset / name / "handler.py").exists()
    ]
    installed = {}
    for info in asset.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        installed[_normalized(name)] = version
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        match = _REQUIREMENT.match(line.strip())
        if match and installed.get(_normalized(match[1])) != match[2]:
            problems.append(
                f"{match[1]}=={match[2]} not in the asset (found {installed.get(_normalized(match[1]))})"
            )
    abi = f"cpython-{python_version.replace('.', '')}-x86_64-linux-gnu"
    for extension in asset.rglob("*.so"):
        if abi not in extension.name and ".abi3." not in extension.name:
            problems.append(f"{extension.relative_to(asset)} is not built for {abi}")
    return problems


def prepare(specs: Sequence[SpecT], note: Callable[[str], None]) -> tuple[FunctionRuntime, list[SpecT]]:
    """The runtime for the stack's functions, and their specs (pointing at the host bundle on
    the fallback path, after the Lambda asset passed its static check)."""
    version = specs[0].python_version
    runtime = resolve(version)
    if runtime.lambda_platform:
        return runtime, list(specs)
    # One line, shown whatever the demo's verbosity: the user must know what runs.
    print(f"note: {runtime.note}", file=sys.stderr, flush=True)
    assets = sorted({spec.asset_path for spec in specs})
    problems = [
        f"{asset.name}: {problem}" for asset in assets for problem in check_lambda_asset(asset, version)
    ]
    if problems:
        raise RuntimeError("the Lambda asset is not what requirements.txt pins: " + "; ".join(problems[:5]))
    note(
        f"Lambda asset checked without running it ({', '.join(a.name[:18] for a in assets)}): "
        f"pinned versions, compiled extensions for python{version} on Linux x86_64"
    )
    bundle = ensure_host_bundle()
    return runtime, [dataclasses.replace(spec, asset_path=bundle) for spec in specs]  # type: ignore[type-var]
