"""The Lambda bundle, built without Docker: Linux wheels of requirements.txt + lambdas/.

pip downloads manylinux wheels for the Lambda runtime's Python (including compiled ones such
as pydantic_core) whatever the build machine runs. The installed dependencies are kept in
`.build/lambda-deps/<hash of requirements.txt + platform>`, so repeated synths (tests,
`make synth`) work offline and only copy; the asset hash covers requirements.txt, every file
under lambdas/ and the target platform.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = REPO_ROOT / "lambdas"
REQUIREMENTS = REPO_ROOT / "requirements.txt"
DEPENDENCY_CACHE = REPO_ROOT / ".build" / "lambda-deps"

# One place decides the runtime; the wheels are fetched for exactly this interpreter.
# python3.13 exists in CDK's Runtime enum, but cdk-nag L1 only accepts the newest one (3.14),
# so per the project rule we stay on 3.12 (see infra/nag.py for the acknowledgment).
PYTHON_VERSION = "3.12"
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64
PIP_PLATFORM = "manylinux2014_x86_64"

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", "*.egg-info")


def _source_files() -> list[Path]:
    return sorted(
        path
        for path in LAMBDAS_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def bundle_hash() -> str:
    """Content hash of everything that goes into the bundle."""
    digest = hashlib.sha256()
    digest.update(f"{PIP_PLATFORM}|cp|{PYTHON_VERSION}".encode())
    digest.update(REQUIREMENTS.read_bytes())
    for path in _source_files():
        digest.update(str(path.relative_to(LAMBDAS_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dependencies_hash() -> str:
    digest = hashlib.sha256(f"{PIP_PLATFORM}|cp|{PYTHON_VERSION}".encode())
    digest.update(REQUIREMENTS.read_bytes())
    return digest.hexdigest()


def ensure_dependencies() -> Path:
    """requirements.txt installed for the Lambda platform, once per requirements/platform hash."""
    cached = DEPENDENCY_CACHE / dependencies_hash()
    if (cached / ".complete").exists():
        return cached
    staging = cached.with_name(cached.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--requirement",
            str(REQUIREMENTS),
            "--target",
            str(staging),
            "--platform",
            PIP_PLATFORM,
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
        ],
        check=True,
    )
    (staging / ".complete").write_text("ok\n", encoding="utf-8")
    shutil.rmtree(cached, ignore_errors=True)
    staging.rename(cached)
    return cached


def build_bundle(destination: Path) -> Path:
    """Fill `destination` with the dependencies and lambdas/ (handler packages at the root)."""
    shutil.copytree(
        ensure_dependencies(), destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete")
    )
    # The handlers' packages sit at the bundle root: handler = "scanner.handler.lambda_handler".
    shutil.copytree(LAMBDAS_DIR, destination, dirs_exist_ok=True, ignore=_IGNORED)
    return destination


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """CDK's local bundling hook: always succeeds locally, so CDK never falls back to Docker."""

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        build_bundle(Path(output_dir))
        return True


def lambda_code() -> lambda_.Code:
    """The one asset shared by every function of the stack."""
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=bundle_hash(),
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds. CDK requires an image value regardless.
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python" + PYTHON_VERSION),
            local=cast(ILocalBundling, LocalPipBundling()),
        ),
    )
