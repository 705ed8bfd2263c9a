"""The roles and resource policies of a synthesized template, resolved to the local names.

`PolicyBook.from_stack(provisioner, functions)`: each regwatch function's role (its
`AWS::IAM::Policy` documents and inline policies, with every intrinsic resolved by the
provisioner that created the stack on moto), keyed by the access key the function signs
with; the resource policies of queues, topics and buses (`AWS::SQS::QueuePolicy`,
`AWS::SNS::TopicPolicy`, `AWS::Events::EventBusPolicy`), keyed by the resource's ARN.
`add_assumable_roles(template, ...)` adds the roles of another stack (the RegwatchSpoke
template) that may be assumed in any member account: each is resolved for the account
whose role is assumed, with that account's `AWS::AccountId`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.provision import Provisioner

ARN_PARTITION = "arn:aws"


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    account: str
    policies: tuple[Mapping[str, Any], ...]  # identity policies
    trust: Mapping[str, Any] | None = None
    session: str = "local"

    @property
    def arn(self) -> str:
        return f"{ARN_PARTITION}:iam::{self.account}:role/{self.name}"

    @property
    def session_arn(self) -> str:
        """How AWS names the caller in its messages."""
        return f"{ARN_PARTITION}:sts::{self.account}:assumed-role/{self.name}/{self.session}"


def function_access_key(logical_id: str) -> str:
    """The key a local function signs with (one per function, as each Lambda has its own role)."""
    return f"LOCAL{logical_id}".replace("-", "")


def _queue_arn(url: str, region: str) -> str:
    account, name = url.rstrip("/").split("/")[-2:]
    return f"{ARN_PARTITION}:sqs:{region}:{account}:{name}"


def _role_policies(
    template: Mapping[str, Any], role_id: str, provisioner: Provisioner
) -> list[Mapping[str, Any]]:
    resources = template.get("Resources", {})
    found: list[Mapping[str, Any]] = []
    for definition in resources.values():
        properties = definition.get("Properties", {})
        if definition.get("Type") == "AWS::IAM::Policy" and {"Ref": role_id} in properties.get("Roles", []):
            found.append(provisioner.resolve(properties["PolicyDocument"]))
    for inline in resources[role_id].get("Properties", {}).get("Policies", []):
        found.append(provisioner.resolve(inline["PolicyDocument"]))
    return found


def _role(template: Mapping[str, Any], role_id: str, provisioner: Provisioner, session: str) -> Role:
    properties = template["Resources"][role_id].get("Properties", {})
    explicit = properties.get("RoleName")
    name = (
        str(provisioner.resolve(explicit))
        if explicit is not None
        else f"{provisioner.stack_name}-{role_id}"[:64]
    )
    trust = properties.get("AssumeRolePolicyDocument")
    return Role(
        name=name,
        account=provisioner.account_id,
        policies=tuple(_role_policies(template, role_id, provisioner)),
        trust=provisioner.resolve(trust) if trust is not None else None,
        session=session,
    )


@dataclass
class PolicyBook:
    """What the gate checks a request against."""

    functions: dict[str, Role] = field(default_factory=dict)  # access key id -> role
    resource_policies: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)  # ARN -> documents
    assumable: dict[str, tuple[Mapping[str, Any], str, dict[str, str]]] = field(default_factory=dict)
    _assumed_cache: dict[str, Role] = field(default_factory=dict)

    @classmethod
    def from_stack(cls, provisioner: Provisioner, function_ids: Iterable[str]) -> PolicyBook:
        book = cls()
        template = provisioner.template
        resources = template.get("Resources", {})
        for logical_id in function_ids:
            if logical_id not in resources:
                continue  # a local-only function (the demo's slack-thread copy): no role to check it by
            properties = resources[logical_id].get("Properties", {})
            role_ref = properties.get("Role", {})
            if not isinstance(role_ref, Mapping) or "Fn::GetAtt" not in role_ref:
                continue  # an imported role: nothing in this template says what it may do
            role_id = role_ref["Fn::GetAtt"][0]
            name = (
                str(provisioner.resources[logical_id].ref)
                if logical_id in provisioner.resources
                else logical_id
            )
            book.functions[function_access_key(logical_id)] = _role(template, role_id, provisioner, name)
        book.add_resource_policies(template, provisioner)
        return book

    def add_resource_policies(self, template: Mapping[str, Any], provisioner: Provisioner) -> None:
        region = provisioner.region
        for definition in template.get("Resources", {}).values():
            kind = definition.get("Type")
            properties = definition.get("Properties", {})
            if kind == "AWS::SQS::QueuePolicy":
                document = provisioner.resolve(properties["PolicyDocument"])
                for url in provisioner.resolve(properties["Queues"]):
                    self.resource_policies.setdefault(_queue_arn(str(url), region), []).append(document)
            elif kind == "AWS::SNS::TopicPolicy":
                document = provisioner.resolve(properties["PolicyDocument"])
                for arn in provisioner.resolve(properties["Topics"]):
                    self.resource_policies.setdefault(str(arn), []).append(document)
            elif kind == "AWS::Events::EventBusPolicy":
                bus = str(provisioner.resolve(properties["EventBusName"]))
                arn = f"{ARN_PARTITION}:events:{region}:{provisioner.account_id}:event-bus/{bus}"
                if "Statement" in properties:
                    document = {"Statement": [provisioner.resolve(properties["Statement"])]}
                else:
                    document = provisioner.resolve(properties["Policy"])
                self.resource_policies.setdefault(arn, []).append(document)

    def add_assumable_roles(
        self, template: Mapping[str, Any], *, region: str, parameters: Mapping[str, str]
    ) -> list[str]:
        """Roles of `template` (e.g. the RegwatchSpoke stack) by role name; returns the names."""
        names = []
        probe = Provisioner(template, {}, Path(), region=region, parameters=parameters)
        for logical_id, definition in template.get("Resources", {}).items():
            if definition.get("Type") != "AWS::IAM::Role":
                continue
            explicit = definition.get("Properties", {}).get("RoleName")
            if explicit is None:
                continue  # only a named role can be assumed by a name the hub knows
            name = str(probe.resolve(explicit))
            self.assumable[name] = (template, logical_id, dict(parameters))
            names.append(name)
        return names

    def replace_assumable(self, name: str, template: Mapping[str, Any]) -> Mapping[str, Any]:
        """Resolve role `name` from another template from now on (keys already issued too);
        returns the one it replaces. Tests use it for a role with an action removed."""
        replaced, logical_id, parameters = self.assumable[name]
        self.assumable[name] = (template, logical_id, parameters)
        self._assumed_cache.clear()
        return replaced

    def assumable_role(self, role_arn: str, session: str) -> Role | None:
        """The role `role_arn` names, resolved in its account, if a known template defines it."""
        parts = role_arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("role/"):
            return None
        account, name = parts[4], parts[5].rsplit("/", 1)[-1]
        known = self.assumable.get(name)
        if known is None:
            return None
        cache_key = f"{account}/{name}/{session}"
        if cache_key not in self._assumed_cache:
            template, logical_id, parameters = known
            region = parameters.get("RoleRegion", "us-east-1")
            provisioner = Provisioner(
                template, {}, Path(), region=region, account_id=account, parameters=parameters
            )
            self._assumed_cache[cache_key] = _role(template, logical_id, provisioner, session)
        return self._assumed_cache[cache_key]
