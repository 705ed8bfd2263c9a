"""Where the stack's resources are: CloudFormation stack outputs, or an outputs file.

The seam between the command and a deployment. Both sources give the same mapping of
output keys (infra/outputs.py defines them) to values:

- `CloudFormationOutputs`: `DescribeStacks` of the deployed stack (`--stack-name`);
- `OutputsFile`: a JSON file in the format `cdk deploy --outputs-file` writes,
  `{"<stack name>": {"<OutputKey>": "<value>", ...}}`. The local demo stack writes one
  (it runs on moto server, which has no CloudFormation stack of it), and it also serves
  a deployment whose operators cannot call DescribeStacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from regwatch_cli.errors import CliError, ExitCode, translate

DEFAULT_STACK_NAME = "Regwatch"

# Output keys (infra/outputs.py writes them; the local stack writes the same ones).
SNAPSHOT_TABLE = "SnapshotTableName"
IDEMPOTENCY_TABLE = "IdempotencyTableName"
EVENT_BUS_NAME = "EventBusName"
EVENT_BUS_ARN = "EventBusArn"
EVENT_SOURCE = "EventSource"
ARCHIVE_ARN = "EventArchiveArn"
SCANNER_FUNCTION = "ScannerFunctionName"
SCANNER_DLQ = "ScannerDlqUrl"
MONITORED_REGIONS = "MonitoredRegions"
API_CALLS_PER_SECOND = "ApiCallsPerSecond"
DESTINATION_PREFIX = "Destination"
FUNCTION_SUFFIX = "FunctionName"
DLQ_SUFFIX = "DlqUrl"
RULE_SUFFIX = "RuleArn"
# Only in a local outputs file: the archive stand-in and each rule's local target queue.
LOCAL_ARCHIVE_LOG_GROUP = "LocalArchiveLogGroup"
LOCAL_TARGET_QUEUE_SUFFIX = "LocalTargetQueueUrl"
LOCAL_RULE_PATTERN_SUFFIX = "LocalRulePattern"


class OutputsSource(Protocol):
    def describe(self) -> str: ...

    def outputs(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class CloudFormationOutputs:
    """The outputs of a deployed stack (cloudformation:DescribeStacks)."""

    client: Any
    stack_name: str

    def describe(self) -> str:
        return f"stack {self.stack_name} in {self.client.meta.region_name}"

    def outputs(self) -> dict[str, str]:
        region = self.client.meta.region_name
        try:
            stacks = self.client.describe_stacks(StackName=self.stack_name)["Stacks"]
        except ClientError as error:
            message = str(error.response.get("Error", {}).get("Message", ""))
            if "does not exist" in message:
                raise CliError(
                    f"stack {self.stack_name} not found in {region}: deploy it (`npx cdk deploy`), or pass "
                    "the right --stack-name / --region (or --outputs-file for the local demo)",
                    ExitCode.STACK,
                ) from None
            raise translate(error, "cloudformation", region) from None
        return {str(o["OutputKey"]): str(o["OutputValue"]) for o in stacks[0].get("Outputs", [])}


@dataclass(frozen=True)
class OutputsFile:
    """Outputs from a `cdk deploy --outputs-file` style JSON file."""

    path: Path
    stack_name: str

    def describe(self) -> str:
        return f"stack {self.stack_name} from {self.path}"

    def outputs(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CliError(
                f"outputs file {self.path} does not exist: write it with `npx cdk deploy --outputs-file "
                f"{self.path}` (the local demo writes its own)",
                ExitCode.STACK,
            ) from None
        except (OSError, ValueError) as error:
            raise CliError(
                f"outputs file {self.path} is not readable JSON: {error}", ExitCode.STACK
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get(self.stack_name), dict):
            known = ", ".join(sorted(data)) if isinstance(data, dict) else "none"
            raise CliError(
                f"outputs file {self.path} has no stack {self.stack_name} (stacks: {known}): "
                "pass --stack-name",
                ExitCode.STACK,
            )
        return {str(k): str(v) for k, v in data[self.stack_name].items()}


@dataclass(frozen=True)
class Destination:
    """One notifier: its name (`slack`, `sns`, …), function, dead-letter queue and rule."""

    name: str
    function_name: str
    dlq_url: str | None
    rule_arn: str | None
    local_target_queue_url: str | None = None
    local_rule_pattern: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StackResources:
    """What the commands use, by role; `require` names the missing output if one is absent."""

    source: str
    outputs: Mapping[str, str]
    destinations: dict[str, Destination] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        value = self.outputs.get(key)
        return value or None

    def require(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise CliError(
                f"{self.source} has no output {key}: redeploy with this version of regwatch "
                "(`npx cdk deploy`) so the stack publishes it",
                ExitCode.STACK,
            )
        return value

    @property
    def monitored_regions(self) -> list[str]:
        return [r for r in (self.get(MONITORED_REGIONS) or "").split(",") if r]

    def destination(self, name: str) -> Destination:
        found = self.destinations.get(name.lower())
        if found is None:
            known = ", ".join(sorted(self.destinations)) or "none"
            raise CliError(
                f"no destination {name!r} in {self.source} (destinations: {known})", ExitCode.USAGE
            )
        return found


def destinations_from(outputs: Mapping[str, str]) -> dict[str, Destination]:
    """`Destination<Name>FunctionName` / `…DlqUrl` / `…RuleArn` outputs, grouped by name."""
    found: dict[str, Destination] = {}
    for key, value in outputs.items():
        if not (key.startswith(DESTINATION_PREFIX) and key.endswith(FUNCTION_SUFFIX)):
            continue
        label = key.removeprefix(DESTINATION_PREFIX).removesuffix(FUNCTION_SUFFIX)
        prefix = f"{DESTINATION_PREFIX}{label}"
        pattern = outputs.get(f"{prefix}{LOCAL_RULE_PATTERN_SUFFIX}")
        found[label.lower()] = Destination(
            name=label.lower(),
            function_name=value,
            dlq_url=outputs.get(f"{prefix}{DLQ_SUFFIX}") or None,
            rule_arn=outputs.get(f"{prefix}{RULE_SUFFIX}") or None,
            local_target_queue_url=outputs.get(f"{prefix}{LOCAL_TARGET_QUEUE_SUFFIX}") or None,
            local_rule_pattern=json.loads(pattern) if pattern else None,
        )
    return found


def resolve(source: OutputsSource) -> StackResources:
    outputs = source.outputs()
    return StackResources(source.describe(), outputs, destinations_from(outputs))
