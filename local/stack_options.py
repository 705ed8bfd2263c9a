"""What one local stack is: its scenario, regions, output folder and demo extras.

The account and region every local resource lives in are fixed (moto's default account):
the demo, the tests and the benchmarks share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "local" / "scenarios" / "demo.json"
DEFAULT_OUTPUT = ROOT / "demo-output"
CDK_OUTDIR = ROOT / ".build" / "cdk.out"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEMO_REGIONS = ("us-east-1", "us-west-2")
EMULATOR_QUOTA_RPS = 10.0


@dataclass(slots=True)
class StackOptions:
    scenario_path: Path = DEFAULT_SCENARIO
    regions: tuple[str, ...] = DEMO_REGIONS
    output_dir: Path = DEFAULT_OUTPUT
    cdk_outdir: Path = CDK_OUTDIR
    context: dict[str, Any] = field(default_factory=dict)
    emulator_rate_limit: float | None = EMULATOR_QUOTA_RPS
    destinations: tuple[str, ...] = ()  # extra demo destinations (local/destination_sinks.py)
    organization: bool = False  # the organization demo (local/org_demo.py)
