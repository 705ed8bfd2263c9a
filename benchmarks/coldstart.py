"""Cold-start figures: handler import time in fresh interpreters, and the bundled asset's size.

The handlers are the functions the stack deploys, found rather than listed: every
lambdas/<function>/handler.py with a `lambda_handler`, and the one notifier once per entry of
the destination registry (its `DESTINATION`), with that destination's delivery module, which
the notifier imports on its first invocation. tests/benchmarks/test_coldstart.py checks them
against the handlers of a synthesized template with every destination configured.

    python -m benchmarks.run --cold-start-only [--build-asset] [--write-docs]

measures only these and writes only the `performance-cold-start` section.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.stack import fake_aws_environment
from destinations.registry import DESTINATIONS

ROOT = Path(__file__).resolve().parents[1]
LAMBDAS = ROOT / "lambdas"


def _module(dotted: str) -> str:
    """`notifier.handler.lambda_handler` -> `notifier.handler`; `pkg.mod:function` -> `pkg.mod`."""
    return dotted.split(":", 1)[0] if ":" in dotted else dotted.rsplit(".", 1)[0]


def handler_modules() -> tuple[str, ...]:
    """What each deployed function imports on a cold start, one `import` statement's names each:
    the handler module, and for a notifier also its destination's delivery module."""
    handlers = sorted(
        f"{path.parent.name}.handler"
        for path in LAMBDAS.glob("*/handler.py")
        if "lambda_handler" in path.read_text(encoding="utf-8")
    )
    per_destination: dict[str, list[str]] = {}
    for spec in DESTINATIONS:
        per_destination.setdefault(_module(spec.handler), []).append(
            f"{_module(spec.handler)}, {_module(spec.delivery)}"
        )
    return tuple(entry for module in handlers for entry in per_destination.get(module, [module]))


HANDLER_MODULES = handler_modules()

_TIMER = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


def import_seconds(module: str, repeats: int = 5) -> float | None:
    """Median time to `import {module}` (one module, or several separated by commas) in a fresh
    interpreter (None if it does not import)."""
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
