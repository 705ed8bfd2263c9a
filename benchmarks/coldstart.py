"""Cold-start figures: handler import time in fresh interpreters, and the bundled asset's size."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.stack import fake_aws_environment

ROOT = Path(__file__).resolve().parents[1]
HANDLER_MODULES = ("scanner.handler", "notifier.handler")

_TIMER = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


def import_seconds(module: str, repeats: int = 5) -> float | None:
    """Median time to import a handler module in a fresh interpreter (None if it does not import)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "lambdas"),
        "PYTHONDONTWRITEBYTECODE": "0",
        **fake_aws_environment(),
    }
    samples: list[float] = []
    # The first run compiles bytecode, as the bundle would ship it precompiled; not counted.
    for attempt in range(repeats + 1):
        completed = subprocess.run(
            [sys.executable, "-c", _TIMER.format(module=module)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0:
            return None
        if attempt:
            samples.append(float(completed.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def find_assets(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.glob("asset.*") if p.is_dir())


def build_assets() -> tuple[Path | None, str]:
    """Synthesize app.py into a temporary cloud assembly (bundling included)."""
    if not (ROOT / "app.py").exists():
        return None, "app.py not present"
    outdir = Path(tempfile.mkdtemp(prefix="regwatch-bench-cdk-"))
    environment = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    completed = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0:
        return None, "synth failed: " + (completed.stderr.strip().splitlines() or ["?"])[-1][:200]
    return outdir, f"built by `python app.py` with CDK_OUTDIR={outdir}"


def asset_sizes(build: bool) -> tuple[dict[str, int], str]:
    """Sizes of the bundled asset folders: a fresh build when asked, else an existing cdk.out."""
    if build:
        outdir, how = build_assets()
    else:
        outdir, how = ROOT / "cdk.out", "existing cdk.out"
    if outdir is None or not outdir.is_dir() or not find_assets(outdir):
        return {}, f"not built ({how})"
    return {p.name: directory_bytes(p) for p in find_assets(outdir)}, how
