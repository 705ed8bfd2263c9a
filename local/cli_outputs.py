"""Point the `regwatch` command at the local stack: an outputs file plus endpoint variables.

moto server has no CloudFormation stack of the local deployment, so the local stack writes
the template's Outputs (resolved to local names by local.provision) into a file in the format
`cdk deploy --outputs-file` writes, which the command reads with `--outputs-file` (or
`REGWATCH_OUTPUTS_FILE`). Two local-only entries complete it for `regwatch replay`: the
archive stand-in's log group and, per destination, its rule's local target queue and event
pattern (regwatch_cli/replay.py explains why). The command reaches moto, the emulator and the
Lambda Invoke server through boto3's standard `AWS_ENDPOINT_URL_<SERVICE>` variables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from local.provision import ProvisionedStack
from regwatch_cli import resources

OUTPUTS_FILE_NAME = "stack-outputs.json"


def local_outputs(stack: ProvisionedStack) -> dict[str, str]:
    outputs = dict(stack.outputs)
    archives = stack.of_type("AWS::Events::Archive")
    if archives:
        outputs[resources.LOCAL_ARCHIVE_LOG_GROUP] = archives[0].attributes["LogGroup"]
    for key, rule_arn in stack.outputs.items():
        if not (key.startswith(resources.DESTINATION_PREFIX) and key.endswith(resources.RULE_SUFFIX)):
            continue
        prefix = key.removesuffix(resources.RULE_SUFFIX)
        target = next((t for t in stack.lambda_targets if t.rule_arn == rule_arn), None)
        if target is not None:
            outputs[f"{prefix}{resources.LOCAL_TARGET_QUEUE_SUFFIX}"] = target.delivery_queue_url
            outputs[f"{prefix}{resources.LOCAL_RULE_PATTERN_SUFFIX}"] = json.dumps(target.event_pattern or {})
    return outputs


def write_outputs_file(path: Path, stack_name: str, outputs: Mapping[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({stack_name: dict(outputs)}, indent=2, sort_keys=True), encoding="utf-8")
    return path


def command_environment(
    outputs_file: Path, moto_url: str, emulator_url: str, lambda_url: str, region: str
) -> dict[str, str]:
    """What to export so `regwatch …` talks to the local stack (no AWS account involved)."""
    env = {
        "REGWATCH_OUTPUTS_FILE": str(outputs_file),
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2": emulator_url,
        "AWS_ENDPOINT_URL_LAMBDA": lambda_url,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    return env
