"""Create the synthesized stack's resources on moto server, from the template itself.

What runs locally is what deploys: tables, queues, topics, secrets, the bus, its
rules with their event patterns and targets are read from the CloudFormation template
that `cdk synth` wrote, with the intrinsics it uses (Ref, Fn::GetAtt, Fn::Join,
Fn::Sub, Fn::Select, Fn::Split, Fn::If) resolved to the local names and ARNs.

Two things moto cannot do are bridged, and only those: a rule's Lambda target becomes
an SQS "delivery queue" target (pattern kept verbatim; `local.delivery` invokes the
function from that queue, applying the target's RetryPolicy and DeadLetterConfig), and
functions are not created in moto but described as `FunctionSpec`s (handler,
environment, asset folder) for `local.functions` to run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.functions import FunctionSpec

NO_VALUE = object()
_QUEUE_ATTRIBUTES = (
    "MessageRetentionPeriod",
    "VisibilityTimeout",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
)
_RULE_PROPERTIES = (
    "Name",
    "EventBusName",
    "State",
    "EventPattern",
    "ScheduleExpression",
    "Description",
    "Targets",
)
# What a target keeps when it becomes a delivery-queue target; retries and DLQ move to local.delivery.
_TARGET_KEYS = ("Id", "Arn", "Input", "InputPath", "InputTransformer")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
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


def load_template(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Provisioner:
    """Builds a `ProvisionedStack` on moto from one template.

    `clients` maps a boto3 service name (`dynamodb`, `sqs`, `sns`, `events`,
    `secretsmanager`) to a client already pointed at moto. `secret_values` gives the
    value to store in a secret, by logical id or secret name (the webhook URL of the
    local Slack server, for instance); `asset_root` is the cloud assembly folder that
    `aws:asset:path` metadata is relative to.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        clients: Mapping[str, Any],
        asset_root: Path,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        stack_name: str = "Regwatch",
        secret_values: Mapping[str, str] | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.clients = clients
        self.asset_root = asset_root
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.secret_values = dict(secret_values or {})
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
            "AWS::StackId": self._arn("cloudformation", f"stack/{self.stack_name}/local"),
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

    def _condition(self, name: str) -> bool:
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
        return self.resolve(when_true if self._condition(name) else when_false)

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
            "Condition": self._condition,
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

    def _resolve_keys(self, definition: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        """Resolve only the properties the local stack uses (roles, KMS keys… stay unresolved)."""
        props = definition.get("Properties", {})
        return {key: self.resolve(props[key]) for key in keys if key in props}

    # ---- naming -----------------------------------------------------------------------------

    def _name(self, logical_id: str, explicit: Any, limit: int, suffix: str = "") -> str:
        if explicit is not None:
            return str(self.resolve(explicit))
        base = _NAME_UNSAFE.sub("-", f"{self.stack_name}-{logical_id}")
        return base[: limit - len(suffix)] + suffix

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    # ---- resources --------------------------------------------------------------------------

    def _active(self, definition: Mapping[str, Any]) -> bool:
        condition = definition.get("Condition")
        return condition is None or self._condition(condition)

    def _of_type(self, *types: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (logical_id, definition)
            for logical_id, definition in self._resource_defs.items()
            if definition.get("Type") in types and self._active(definition)
        ]

    def _create_queues(self) -> None:
        sqs = self.clients["sqs"]
        # Dead-letter queues first: a queue's RedrivePolicy names its DLQ's ARN.
        queues = sorted(
            self._of_type("AWS::SQS::Queue"),
            key=lambda item: "RedrivePolicy" in item[1].get("Properties", {}),
        )
        for logical_id, definition in queues:
            props = definition.get("Properties", {})
            fifo = bool(props.get("FifoQueue"))
            name = self._name(logical_id, props.get("QueueName"), 80, ".fifo" if fifo else "")
            attributes: dict[str, str] = {}
            for key in _QUEUE_ATTRIBUTES:
                if key in props:
                    attributes[key] = str(self.resolve(props[key]))
            if fifo:
                attributes["FifoQueue"] = "true"
            if "RedrivePolicy" in props:
                attributes["RedrivePolicy"] = json.dumps(self.resolve(props["RedrivePolicy"]))
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = self._arn("sqs", name)
            self.resources[logical_id] = Physical(
                logical_id, "AWS::SQS::Queue", url, {"Arn": arn, "QueueName": name, "QueueUrl": url}
            )

    def _create_topics(self) -> None:
        sns = self.clients["sns"]
        for logical_id, definition in self._of_type("AWS::SNS::Topic"):
            props = definition.get("Properties", {})
            fifo = bool(props.get("FifoTopic"))
            name = self._name(logical_id, props.get("TopicName"), 256, ".fifo" if fifo else "")
            attributes = {"FifoTopic": "true"} if fifo else {}
            if "DisplayName" in props:
                attributes["DisplayName"] = str(self.resolve(props["DisplayName"]))
            arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
            self.resources[logical_id] = Physical(
                logical_id, "AWS::SNS::Topic", arn, {"TopicArn": arn, "TopicName": name}
            )

    def _create_tables(self) -> None:
        dynamodb = self.clients["dynamodb"]
        for logical_id, definition in self._of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
            props = self._resolve_keys(
                definition,
                (
                    "TableName",
                    "KeySchema",
                    "AttributeDefinitions",
                    "BillingMode",
                    "ProvisionedThroughput",
                    "GlobalSecondaryIndexes",
                    "TimeToLiveSpecification",
                ),
            )
            name = self._name(logical_id, props.get("TableName"), 255)
            request: dict[str, Any] = {
                "TableName": name,
                "KeySchema": props["KeySchema"],
                "AttributeDefinitions": props["AttributeDefinitions"],
            }
            if props.get("BillingMode") == "PAY_PER_REQUEST" or "ProvisionedThroughput" not in props:
                request["BillingMode"] = "PAY_PER_REQUEST"
            else:
                request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
            indexes = [
                {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
                for index in props.get("GlobalSecondaryIndexes", [])
            ]
            if indexes:
                request["GlobalSecondaryIndexes"] = indexes
            arn = dynamodb.create_table(**request)["TableDescription"]["TableArn"]
            ttl = props.get("TimeToLiveSpecification")
            if ttl and ttl.get("Enabled"):
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
                )
            self.resources[logical_id] = Physical(
                logical_id, definition["Type"], name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"}
            )

    def _create_secrets(self) -> None:
        secrets = self.clients["secretsmanager"]
        for logical_id, definition in self._of_type("AWS::SecretsManager::Secret"):
            props = definition.get("Properties", {})
            name = self._name(logical_id, props.get("Name"), 512)
            value = self.secret_values.get(logical_id, self.secret_values.get(name))
            if value is None and "SecretString" in props:
                value = str(self.resolve(props["SecretString"]))
            arn = secrets.create_secret(Name=name, SecretString=value if value is not None else "")["ARN"]
            self.resources[logical_id] = Physical(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn})

    def create_referenced_secrets(self, names: Mapping[str, str]) -> None:
        """Secrets the stack imports by name (created outside it in a real account)."""
        secrets = self.clients["secretsmanager"]
        for name, value in names.items():
            secrets.create_secret(Name=name, SecretString=value)

    def _create_buses(self) -> None:
        events = self.clients["events"]
        for logical_id, definition in self._of_type("AWS::Events::EventBus"):
            props = definition.get("Properties", {})
            name = self._name(logical_id, props.get("Name"), 256)
            arn = events.create_event_bus(Name=name)["EventBusArn"]
            self.resources[logical_id] = Physical(
                logical_id, "AWS::Events::EventBus", name, {"Arn": arn, "Name": name}
            )

    def _create_archives(self) -> None:
        """The archive stand-in: moto's own replay ignores the time window and FilterArns.

        A rule on the archive's source bus, with the archive's event pattern, copies every
        event into a CloudWatch Logs log group; `regwatch replay` reads it back (the local
        equivalent of StartReplay, regwatch_cli/replay.py). Without a `logs` client, no archive.
        """
        logs = self.clients.get("logs")
        if logs is None:
            return
        events = self.clients["events"]
        for logical_id, definition in self._of_type("AWS::Events::Archive"):
            props = self._resolve_keys(definition, ("ArchiveName", "SourceArn", "EventPattern"))
            name = self._name(logical_id, props.get("ArchiveName"), 48)
            bus = str(props["SourceArn"]).split("event-bus/")[-1]
            log_group = f"/regwatch-local/archive/{name}"
            logs.create_log_group(logGroupName=log_group)
            rule_name = _NAME_UNSAFE.sub("-", f"archive-{name}")[:64]
            rule: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": "ENABLED"}
            rule["EventPattern"] = json.dumps(props.get("EventPattern") or {"source": [{"prefix": ""}]})
            events.put_rule(**rule)
            events.put_targets(
                Rule=rule_name,
                EventBusName=bus,
                Targets=[{"Id": "archive", "Arn": self._arn("logs", f"log-group:{log_group}")}],
            )
            self.resources[logical_id] = Physical(
                logical_id,
                "AWS::Events::Archive",
                name,
                {"Arn": self._arn("events", f"archive/{name}"), "LogGroup": log_group},
            )

    def _resolve_outputs(self) -> dict[str, str]:
        outputs: dict[str, str] = {}
        for key, definition in self.template.get("Outputs", {}).items():
            if "Condition" in definition and not self._condition(definition["Condition"]):
                continue
            try:
                outputs[key] = str(self.resolve(definition["Value"]))
            except TemplateError:
                continue  # an output of a resource with no local counterpart
        return outputs

    def _describe_functions(self) -> dict[str, FunctionSpec]:
        specs: dict[str, FunctionSpec] = {}
        functions = self._of_type("AWS::Lambda::Function")
        for logical_id, definition in functions:
            props = definition.get("Properties", {})
            name = self._name(logical_id, props.get("FunctionName"), 64)
            if props.get("FunctionName") is None:
                name = _construct_name(definition, logical_id)
            arn = self._arn("lambda", f"function:{name}")
            self.resources[logical_id] = Physical(logical_id, "AWS::Lambda::Function", name, {"Arn": arn})
        for logical_id, definition in self._of_type("AWS::Lambda::Alias"):
            props = self.resolve(definition.get("Properties", {}))
            target = str(props["FunctionName"]).split(":function:")[-1]
            arn = self._arn("lambda", f"function:{target}:{props['Name']}")
            self.resources[logical_id] = Physical(logical_id, "AWS::Lambda::Alias", arn, {"AliasArn": arn})
        for logical_id, definition in functions:
            props = self._resolve_keys(
                definition, ("Handler", "Runtime", "Environment", "Timeout", "MemorySize")
            )
            asset = definition.get("Metadata", {}).get("aws:asset:path")
            if not asset or "Handler" not in props:
                # Inline or image functions (CDK custom resources) have no local counterpart.
                continue
            specs[logical_id] = FunctionSpec(
                name=self.resources[logical_id].ref,
                handler=props["Handler"],
                asset_path=(self.asset_root / asset).resolve(),
                runtime=props.get("Runtime", "python3.12"),
                environment={k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()},
                timeout_seconds=int(props.get("Timeout", 3)),
                memory_mb=int(props.get("MemorySize", 128)),
                logical_id=logical_id,
            )
        return specs

    def _function_for_arn(self, arn: str) -> str | None:
        bare = arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
        for physical in self.resources.values():
            if physical.type == "AWS::Lambda::Function" and physical.ref == bare:
                return physical.logical_id
        return None

    def _subscribe(self) -> None:
        sns = self.clients["sns"]
        for logical_id, definition in self._of_type("AWS::SNS::Subscription"):
            props = self.resolve(definition.get("Properties", {}))
            if props.get("Protocol") not in ("sqs", "http", "https"):
                # Email/SMS/Lambda endpoints are outside the local stack; the demo reads an SQS inbox.
                continue
            attributes = {
                key: json.dumps(props[key]) if isinstance(props[key], dict) else str(props[key])
                for key in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery")
                if key in props
            }
            arn = sns.subscribe(
                TopicArn=props["TopicArn"],
                Protocol=props["Protocol"],
                Endpoint=props["Endpoint"],
                Attributes=attributes,
            )["SubscriptionArn"]
            self.resources[logical_id] = Physical(logical_id, "AWS::SNS::Subscription", arn)

    def _create_rules(self) -> list[LambdaTarget]:
        events = self.clients["events"]
        sqs = self.clients["sqs"]
        lambda_targets: list[LambdaTarget] = []
        for logical_id, definition in self._of_type("AWS::Events::Rule"):
            props = self._resolve_keys(definition, _RULE_PROPERTIES)
            name = self._name(logical_id, props.get("Name"), 64)
            bus = str(props.get("EventBusName", "default")).split("event-bus/")[-1]
            rule: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": props.get("State", "ENABLED")}
            pattern = props.get("EventPattern")
            if pattern is not None:
                rule["EventPattern"] = json.dumps(pattern)
            if "ScheduleExpression" in props:
                rule["ScheduleExpression"] = props["ScheduleExpression"]
            if "Description" in props:
                rule["Description"] = props["Description"]
            arn = events.put_rule(**rule)["RuleArn"]
            self.resources[logical_id] = Physical(logical_id, "AWS::Events::Rule", name, {"Arn": arn})
            targets: list[dict[str, Any]] = []
            for target in props.get("Targets", []):
                function_id = self._function_for_arn(str(target["Arn"]))
                local_target = {k: v for k, v in target.items() if k in _TARGET_KEYS}
                if isinstance(local_target.get("InputTransformer"), dict):
                    transformer = dict(local_target["InputTransformer"])
                    transformer["InputPathsMap"] = transformer.get("InputPathsMap", {})
                    local_target["InputTransformer"] = transformer
                if function_id is not None:
                    queue_name = _NAME_UNSAFE.sub("-", f"delivery-{name}-{target['Id']}")[:80]
                    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
                    local_target["Arn"] = self._arn("sqs", queue_name)
                    retry = target.get("RetryPolicy", {})
                    dead_letter_arn = target.get("DeadLetterConfig", {}).get("Arn")
                    lambda_targets.append(
                        LambdaTarget(
                            rule_logical_id=logical_id,
                            rule_name=name,
                            rule_arn=arn,
                            target_id=str(target["Id"]),
                            function_logical_id=function_id,
                            target_arn=str(target["Arn"]),
                            delivery_queue_url=queue_url,
                            dead_letter_queue_url=self._queue_url_for_arn(dead_letter_arn),
                            max_retries=int(retry.get("MaximumRetryAttempts", 185)),
                            max_event_age_seconds=(
                                int(retry["MaximumEventAgeInSeconds"])
                                if "MaximumEventAgeInSeconds" in retry
                                else 86_400
                            ),
                            event_pattern=pattern,
                            schedule_expression=props.get("ScheduleExpression"),
                        )
                    )
                targets.append(local_target)
            if targets:
                events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        return lambda_targets

    def _queue_url_for_arn(self, arn: str | None) -> str | None:
        if arn is None:
            return None
        for physical in self.resources.values():
            if physical.type == "AWS::SQS::Queue" and physical.attributes["Arn"] == arn:
                return physical.ref
        raise TemplateError(f"dead-letter queue {arn} is not a queue of this stack")

    def provision(self) -> ProvisionedStack:
        steps: list[Callable[[], None]] = [
            self._create_queues,
            self._create_topics,
            self._create_tables,
            self._create_secrets,
            self._create_buses,
        ]
        for step in steps:
            step()
        self._create_archives()
        functions = self._describe_functions()
        self._subscribe()
        lambda_targets = self._create_rules()
        handled = {physical.type for physical in self.resources.values()}
        skipped: dict[str, int] = {}
        for definition in self._resource_defs.values():
            kind = definition.get("Type", "?")
            if kind not in handled and kind not in IGNORED_TYPES:
                skipped[kind] = skipped.get(kind, 0) + 1
        return ProvisionedStack(
            template=self.template,
            resources=self.resources,
            functions=functions,
            lambda_targets=lambda_targets,
            skipped=skipped,
            outputs=self._resolve_outputs(),
        )


def _construct_name(definition: Mapping[str, Any], logical_id: str) -> str:
    """The function's construct id (`Scanner`, `NotifySlack`…) from its CDK path, for readable logs."""
    path = str(definition.get("Metadata", {}).get("aws:cdk:path", ""))
    parts = [p for p in path.split("/") if p and p != "Resource"]
    return _NAME_UNSAFE.sub("-", parts[-1])[:64] if parts else logical_id[:64]
