"""The CDK app synthesized with the demo's settings, as `cdk synth` would (`python app.py`)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from local.destination_sinks import demo_context
from local.iam.stack import spoke_template
from local.org_demo import org_context
from local.provision import load_template
from local.stack_options import ROOT, StackOptions

SLACK_SECRET_NAME = "regwatch/demo-slack-webhook"  # noqa: S105 - a name; the value is a local URL
# Demo deployment settings on top of cdk.json: both regions, Slack wired to the local
# server's secret, every severity to Slack so the whole story is visible there, and a
# faster API rate that still stays under the emulator's quota (time is compressed).
DEMO_CONTEXT: dict[str, Any] = {
    "slackWebhookSecret": SLACK_SECRET_NAME,
    "slackSeverities": ["ACTION_REQUIRED", "GOOD_NEWS", "INFO"],
    "apiCallsPerSecond": 8,
}


def _context(options: StackOptions) -> dict[str, Any]:
    cdk_json = json.loads((ROOT / "cdk.json").read_text())
    regwatch = dict(cdk_json.get("context", {}).get("regwatch", {}))
    regwatch.update(DEMO_CONTEXT)
    regwatch["monitoredRegions"] = list(options.regions)
    regwatch.update(demo_context(options.destinations))
    if options.organization:
        regwatch.update(org_context(options.regions))
    regwatch.update(options.context)
    return {
        "regwatch": regwatch,
        # What `cdk synth` turns on: asset folders and construct paths in the template metadata.
        "aws:cdk:enable-asset-metadata": True,
        "aws:cdk:enable-path-metadata": True,
    }


def synthesize(options: StackOptions) -> tuple[str, dict[str, Any], Path, dict[str, Any] | None]:
    """`python app.py` into one reused outdir (bundling is skipped when the asset exists).

    Returns the template's file name, its content (read under the lock: another run may
    rewrite it next), the cloud assembly folder the asset paths are relative to, and the
    RegwatchSpoke template when the settings are multi-account (its role, for the IAM gate).
    """
    env = {
        **os.environ,
        "CDK_OUTDIR": str(options.cdk_outdir),
        "CDK_CONTEXT_JSON": json.dumps(_context(options)),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    options.cdk_outdir.parent.mkdir(parents=True, exist_ok=True)
    # One outdir is shared by every run (bundles are reused); two runs must not write it at once.
    with (options.cdk_outdir.parent / "cdk.out.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        completed = subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"cdk synthesis failed:\n{completed.stdout}\n{completed.stderr}")
        manifest = json.loads((options.cdk_outdir / "manifest.json").read_text())
        for name, artifact in manifest["artifacts"].items():
            # The hub stack; a RegwatchSpoke stack (multi-account settings) is deployed elsewhere.
            if artifact.get("type") == "aws:cloudformation:stack" and name == "Regwatch":
                template_file = str(artifact["properties"]["templateFile"])
                hub = load_template(options.cdk_outdir / template_file)
                return template_file, hub, options.cdk_outdir, spoke_template(options.cdk_outdir)
    raise RuntimeError("the cloud assembly has no stack")
