"""The template's functions, described (not created: moto runs no Lambda) for local.functions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from local.functions import FunctionSpec
from local.provision.template import NAME_UNSAFE, Physical, TemplateResolver


def describe_functions(stack: TemplateResolver, asset_root: Path) -> dict[str, FunctionSpec]:
    """`asset_root` is the cloud assembly folder that `aws:asset:path` metadata is relative to."""
    specs: dict[str, FunctionSpec] = {}
    functions = stack.of_type("AWS::Lambda::Function")
    for logical_id, definition in functions:
        props = definition.get("Properties", {})
        name = stack.name(logical_id, props.get("FunctionName"), 64)
        if props.get("FunctionName") is None:
            name = _construct_name(definition, logical_id)
        arn = stack.arn("lambda", f"function:{name}")
        stack.resources[logical_id] = Physical(logical_id, "AWS::Lambda::Function", name, {"Arn": arn})
    for logical_id, definition in stack.of_type("AWS::Lambda::Alias"):
        props = stack.resolve(definition.get("Properties", {}))
        target = str(props["FunctionName"]).split(":function:")[-1]
        arn = stack.arn("lambda", f"function:{target}:{props['Name']}")
        stack.resources[logical_id] = Physical(logical_id, "AWS::Lambda::Alias", arn, {"AliasArn": arn})
    for logical_id, definition in functions:
        props = stack.resolve_keys(definition, ("Handler", "Runtime", "Environment", "Timeout", "MemorySize"))
        asset = definition.get("Metadata", {}).get("aws:asset:path")
        if not asset or "Handler" not in props:
            # Inline or image functions (CDK custom resources) have no local counterpart.
            continue
        specs[logical_id] = FunctionSpec(
            name=stack.resources[logical_id].ref,
            handler=props["Handler"],
            asset_path=(asset_root / asset).resolve(),
            runtime=props.get("Runtime", "python3.12"),
            environment={k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()},
            timeout_seconds=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            logical_id=logical_id,
        )
    return specs


def _construct_name(definition: Mapping[str, Any], logical_id: str) -> str:
    """The function's construct id (`Scanner`, `NotifySlack`…) from its CDK path, for readable logs."""
    path = str(definition.get("Metadata", {}).get("aws:cdk:path", ""))
    parts = [p for p in path.split("/") if p and p != "Resource"]
    return NAME_UNSAFE.sub("-", parts[-1])[:64] if parts else logical_id[:64]
