"""`npx cdk synth` with the pinned CLI, offline and without credentials, then the real bundle.

This is the one test that bundles for real: pip fetches Linux wheels for the Lambda runtime
(cached in .build/lambda-bundle, so later runs need no network). The bundle is then imported
by the runtime's Python with nothing but the bundle on sys.path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.bundling import PYTHON_VERSION

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = (
    "scanner.handler",
    "dispatcher.handler",
    "notifier.handler",
    "evaluator.handler",
)
DEV_ONLY = ("aws_cdk", "cdk_nag", "moto", "pytest", "jsii", "local", "infra", "tests", "cfnlint")


def runtime_python() -> str:
    candidates = sorted(Path("/root/.pyenv/versions").glob(f"{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}"))
    found = shutil.which(f"python{PYTHON_VERSION}")
    for candidate in [*map(str, candidates), found]:
        if candidate and "/shims/" not in candidate and os.access(candidate, os.X_OK):
            return candidate
    raise AssertionError(f"python{PYTHON_VERSION} (the Lambda runtime's version) is needed for this test")


@pytest.fixture(scope="module")
def cloud_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "CDK_")) and key not in {"PYTHONPATH"}
    }
    # No credentials anywhere: no variables, no files, no instance metadata.
    environment.update(
        {
            "AWS_CONFIG_FILE": str(outdir / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(outdir / "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "CDK_DISABLE_VERSION_CHECK": "1",
        }
    )
    result = subprocess.run(
        [
            "npx",
            "--no-install",
            "cdk",
            "synth",
            "--quiet",
            "--no-notices",
            "--output",
            str(outdir),
            "-c",
            "regwatch.slackWebhookSecret=regwatch/slack",
            "-c",
            "regwatch.schedule=rate(10 minutes)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return outdir


def _template(outdir: Path) -> dict[str, Any]:
    return json.loads((outdir / "Regwatch.template.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_cli_synth_applies_cdk_json_and_command_line_context(cloud_assembly: Path) -> None:
    template = _template(cloud_assembly)
    types = [resource["Type"] for resource in template["Resources"].values()]
    assert types.count("AWS::Lambda::Function") == 5  # scanner, dispatcher, evaluator, Slack, SNS
    schedules = [
        r["Properties"].get("ScheduleExpression")
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
    ]
    assert "rate(10 minutes)" in schedules
    report = json.loads((cloud_assembly / "validation-report.json").read_text(encoding="utf-8"))
    assert report["pluginReports"] == [], "cdk-nag ran and found nothing unacknowledged"


def _asset_dir(outdir: Path) -> Path:
    template = _template(outdir)
    assets = {
        r["Metadata"]["aws:asset:path"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert len(assets) == 1, "one shared bundle"
    return outdir / assets.pop()


def test_bundle_imports_every_handler_in_isolation(cloud_assembly: Path) -> None:
    asset = _asset_dir(cloud_assembly)
    assert not [name for name in DEV_ONLY if (asset / name).exists()], "dev-only code in the bundle"
    compiled = list((asset / "pydantic_core").glob("_pydantic_core.*.so"))
    assert [p.name for p in compiled] == [
        f"_pydantic_core.cpython-{PYTHON_VERSION.replace('.', '')}-x86_64-linux-gnu.so"
    ]
    probe = (
        "import importlib, sys\n"
        f"sys.path[:0] = [{str(asset)!r}]\n"
        f"for name in {HANDLERS!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    assert callable(module.lambda_handler), name\n"
        "    assert module.__file__.startswith(sys.path[0]), module.__file__\n"
        "import pydantic_core, boto3\n"
        "print(boto3.__version__, pydantic_core.__file__)\n"
    )
    # -I: no user site, no PYTHON* variables, no cwd; -S: no site-packages. Only the bundle + stdlib.
    result = subprocess.run(
        [runtime_python(), "-I", "-S", "-c", probe],
        env={"PATH": os.environ["PATH"], "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.startswith("1.44.5 " + str(asset))
