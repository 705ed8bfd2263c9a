"""What provisioning yields: the local stack's resources, functions and Lambda targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from local.functions import FunctionSpec
from local.provision.template import Physical, TemplateError

# Resource types that have no local meaning (permissions, logs, alarms, the CDK's own metadata).
IGNORED_TYPES = frozenset(
    {
        "AWS::CDK::Metadata",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::Logs::LogGroup",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::Events::EventBusPolicy",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
    }
)


@dataclass(frozen=True, slots=True)
class LambdaTarget:
    """One Lambda target of one rule, delivered through an SQS queue locally."""

    rule_logical_id: str
    rule_name: str
    rule_arn: str
    target_id: str
    function_logical_id: str
    target_arn: str
    delivery_queue_url: str
    dead_letter_queue_url: str | None
    max_retries: int
    max_event_age_seconds: int | None
    event_pattern: Mapping[str, Any] | None
    schedule_expression: str | None


@dataclass(slots=True)
class ProvisionedStack:
    template: Mapping[str, Any]
    resources: dict[str, Physical]
    functions: dict[str, FunctionSpec]
    lambda_targets: list[LambdaTarget]
    skipped: dict[str, int]
    # The template's Outputs, resolved to the local names (what `cdk deploy --outputs-file` writes).
    outputs: dict[str, str] = field(default_factory=dict)

    def function_for_handler(self, handler: str) -> FunctionSpec:
        """The function whose Handler is `handler` (e.g. `scanner.handler.lambda_handler`)."""
        found = [spec for spec in self.functions.values() if spec.handler == handler]
        if len(found) != 1:
            raise TemplateError(f"expected one function with handler {handler}, found {len(found)}")
        return found[0]

    def notifier_for(self, destination: str) -> FunctionSpec:
        """The notifier function of `destination` (every notifier runs the same handler; its
        `DESTINATION` variable names the registry entry)."""
        found = [
            spec for spec in self.functions.values() if spec.environment.get("DESTINATION") == destination
        ]
        if len(found) != 1:
            raise TemplateError(f"expected one notifier for destination {destination}, found {len(found)}")
        return found[0]

    def targets_of(self, function_logical_id: str) -> list[LambdaTarget]:
        return [t for t in self.lambda_targets if t.function_logical_id == function_logical_id]

    def of_type(self, resource_type: str) -> list[Physical]:
        return [p for p in self.resources.values() if p.type == resource_type]
