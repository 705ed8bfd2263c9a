"""The bus's rules, with a Lambda target bridged to an SQS "delivery queue" target.

moto does not invoke Lambda targets, so each one becomes a queue target (the event
pattern is kept verbatim) and a `LambdaTarget` that `local.delivery` drains, applying
the target's RetryPolicy and DeadLetterConfig.
"""

from __future__ import annotations

import json
from typing import Any

from local.provision.stack import LambdaTarget
from local.provision.template import NAME_UNSAFE, Physical, TemplateError, TemplateResolver

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


def create_rules(stack: TemplateResolver, events: Any, sqs: Any) -> list[LambdaTarget]:
    lambda_targets: list[LambdaTarget] = []
    for logical_id, definition in stack.of_type("AWS::Events::Rule"):
        props = stack.resolve_keys(definition, _RULE_PROPERTIES)
        name = stack.name(logical_id, props.get("Name"), 64)
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
        stack.resources[logical_id] = Physical(logical_id, "AWS::Events::Rule", name, {"Arn": arn})
        targets: list[dict[str, Any]] = []
        for target in props.get("Targets", []):
            function_id = _function_for_arn(stack, str(target["Arn"]))
            local_target = {k: v for k, v in target.items() if k in _TARGET_KEYS}
            if isinstance(local_target.get("InputTransformer"), dict):
                transformer = dict(local_target["InputTransformer"])
                transformer["InputPathsMap"] = transformer.get("InputPathsMap", {})
                local_target["InputTransformer"] = transformer
            if function_id is not None:
                queue_name = NAME_UNSAFE.sub("-", f"delivery-{name}-{target['Id']}")[:80]
                queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
                local_target["Arn"] = stack.arn("sqs", queue_name)
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
                        dead_letter_queue_url=_queue_url_for_arn(stack, dead_letter_arn),
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


def _function_for_arn(stack: TemplateResolver, arn: str) -> str | None:
    bare = arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
    for physical in stack.resources.values():
        if physical.type == "AWS::Lambda::Function" and physical.ref == bare:
            return physical.logical_id
    return None


def _queue_url_for_arn(stack: TemplateResolver, arn: str | None) -> str | None:
    if arn is None:
        return None
    for physical in stack.resources.values():
        if physical.type == "AWS::SQS::Queue" and physical.attributes["Arn"] == arn:
            return physical.ref
    raise TemplateError(f"dead-letter queue {arn} is not a queue of this stack")
