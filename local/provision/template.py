"""The synthesized template read as data: intrinsics resolved to local names and ARNs.

`TemplateResolver` knows the template, the parameters, the pseudo parameters and the
resources created so far; the resource modules (local/provision/*.py) and the IAM gate
(local/iam) read the template through it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NO_VALUE = object()
NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

# The resource types the provisioner creates (or describes) locally.
CREATED_TYPES = frozenset(
    {
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::SecretsManager::Secret",
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
        "AWS::Events::Archive",
        "AWS::Lambda::Function",
        "AWS::Lambda::Alias",
    }
)


class TemplateError(Exception):
    """The template uses something the local stack cannot reproduce."""


@dataclass(slots=True)
class Physical:
    """A created (or described) resource: its Ref value and its GetAtt attributes."""

    logical_id: str
    type: str
    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


def load_template(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class TemplateResolver:
    """Resolves one template's intrinsics against the resources created so far (`resources`)."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        stack_name: str = "Regwatch",
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.resources: dict[str, Physical] = {}
        self.parameters = self._parameter_values(parameters or {})
        self.conditions: dict[str, bool] = {}
        self._resource_defs: dict[str, Any] = dict(template.get("Resources", {}))

    # ---- intrinsics -------------------------------------------------------------------------

    def _parameter_values(self, given: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, definition in self.template.get("Parameters", {}).items():
            if name in given:
                values[name] = given[name]
            elif "Default" in definition:
                values[name] = definition["Default"]
        return values

    def _pseudo(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.arn("cloudformation", f"stack/{self.stack_name}/local"),
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            return self.resources[name].ref
        return self._placeholder(name, "Ref")

    def _placeholder(self, logical_id: str, how: str) -> str:
        """A stand-in for resources with no local counterpart (roles, log groups…).

        Types the provisioner creates must be created before they are referenced, so a
        reference to one of those that is not there yet is a provisioner bug, not a gap.
        """
        definition = self._resource_defs.get(logical_id)
        if definition is None:
            raise TemplateError(f"{how} {logical_id}: no such parameter or resource")
        if definition.get("Type") in CREATED_TYPES:
            raise TemplateError(f"{how} {logical_id}: referenced before it was created locally")
        return f"arn:aws:local:{self.region}:{self.account_id}:{logical_id}"

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.resolve(self.template["Conditions"][name]))
        return self.conditions[name]

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        physical = self.resources.get(logical_id)
        if physical is None:
            return self._placeholder(logical_id, f"Fn::GetAtt {attribute}")
        if attribute not in physical.attributes:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: attribute not known locally")
        return physical.attributes[attribute]

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self._get_att(logical_id, attribute))
            return str(self._pseudo(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _join(self, argument: list[Any]) -> str:
        separator, items = argument
        return str(separator).join(str(v) for v in self.resolve(items))

    def _fn_sub(self, argument: str | list[Any]) -> str:
        if isinstance(argument, str):
            return self._sub(argument, {})
        return self._sub(argument[0], argument[1])

    def _select(self, argument: list[Any]) -> Any:
        index, items = argument
        return self.resolve(items)[int(self.resolve(index))]

    def _split(self, argument: list[Any]) -> list[str]:
        separator, text = argument
        return str(self.resolve(text)).split(separator)

    def _if(self, argument: list[Any]) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(name) else when_false)

    def _get_att_intrinsic(self, argument: str | list[str]) -> Any:
        logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return self._get_att(logical_id, attribute)

    def _equals(self, argument: list[Any]) -> bool:
        left, right = self.resolve(argument)
        return bool(left == right)

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._pseudo,
            "Fn::GetAtt": self._get_att_intrinsic,
            "Fn::Join": self._join,
            "Fn::Sub": self._fn_sub,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::If": self._if,
            "Fn::Equals": self._equals,
            "Fn::Not": lambda argument: not self.resolve(argument)[0],
            "Fn::And": lambda argument: all(self.resolve(argument)),
            "Fn::Or": lambda argument: any(self.resolve(argument)),
            "Condition": self.condition,
            "Fn::GetAZs": lambda _argument: [f"{self.region}a", f"{self.region}b"],
        }

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic in `value` (recursively) to plain data."""
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            intrinsic = self._intrinsics().get(key)
            if intrinsic is not None:
                return intrinsic(argument)
            if key.startswith("Fn::"):
                raise TemplateError(f"intrinsic {key} is not supported locally")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def resolve_keys(self, definition: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        """Resolve only the properties the local stack uses (roles, KMS keys… stay unresolved)."""
        props = definition.get("Properties", {})
        return {key: self.resolve(props[key]) for key in keys if key in props}

    def outputs(self) -> dict[str, str]:
        """The template's Outputs, resolved to the local names (`cdk deploy --outputs-file`)."""
        outputs: dict[str, str] = {}
        for key, definition in self.template.get("Outputs", {}).items():
            if "Condition" in definition and not self.condition(definition["Condition"]):
                continue
            try:
                outputs[key] = str(self.resolve(definition["Value"]))
            except TemplateError:
                continue  # an output of a resource with no local counterpart
        return outputs

    # ---- naming -----------------------------------------------------------------------------

    def name(self, logical_id: str, explicit: Any, limit: int, suffix: str = "") -> str:
        """The resource's explicit name, or the one CloudFormation would derive from the stack."""
        if explicit is not None:
            return str(self.resolve(explicit))
        base = NAME_UNSAFE.sub("-", f"{self.stack_name}-{logical_id}")
        return base[: limit - len(suffix)] + suffix

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    # ---- resources --------------------------------------------------------------------------

    def _active(self, definition: Mapping[str, Any]) -> bool:
        condition = definition.get("Condition")
        return condition is None or self.condition(condition)

    def of_type(self, *types: str) -> list[tuple[str, dict[str, Any]]]:
        """(logical id, definition) of the resources of these types whose Condition holds."""
        return [
            (logical_id, definition)
            for logical_id, definition in self._resource_defs.items()
            if definition.get("Type") in types and self._active(definition)
        ]

    def definitions(self) -> list[dict[str, Any]]:
        return list(self._resource_defs.values())
