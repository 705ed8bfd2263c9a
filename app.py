#!/usr/bin/env python3
"""CDK entry point: read and validate the `regwatch` context, build the stack, run cdk-nag.

No side effects beyond synthesis: no AWS calls, no lookups, so `cdk synth` works without
credentials and the stack is environment-agnostic (region/account come from `cdk deploy`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The infra imports the domain (regwatch.severity) from the Lambda import root.
sys.path.insert(0, str(Path(__file__).resolve().parent / "lambdas"))

import aws_cdk as cdk

from infra.config import ConfigError, load_config
from infra.fanout import multi_account
from infra.nag import add_nag_checks
from infra.spoke import SPOKE_STACK_ID, RegwatchSpokeStack
from infra.stack import STACK_ID, RegwatchStack


def main() -> None:
    app = cdk.App()
    try:
        config = load_config(app.node.get_all_context())
    except ConfigError as error:
        sys.exit(f"cdk.json / -c: {error}")
    RegwatchStack(app, STACK_ID, config=config, description="regwatch: SMS registration status monitor")
    if multi_account(config):
        # Deployed into member accounts (cdk deploy RegwatchSpoke, or its template via StackSets).
        try:
            RegwatchSpokeStack(
                app, SPOKE_STACK_ID, config=config, description="regwatch spoke: read-only role for the hub"
            )
        except ConfigError as error:
            sys.exit(f"cdk.json / -c: {error}")
    add_nag_checks(app)
    app.synth()


if __name__ == "__main__":
    main()
