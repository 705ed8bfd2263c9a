"""Roles of the synthesized template for stacks that name their resources themselves.

The benchmarks and the soak do not provision the template: they create a snapshot table,
a bus, a topic… with names of their own and run the handlers against them. Their calls are
still checked against the template's roles: `book_for_names` resolves the template's
policies with the stack's own names in place of the template's resources (matched by
construct id: `SnapshotTable` -> `regwatch-bench-snapshots`), every other resource of the
template standing for nothing local (a name no local resource has).

`synthesized_templates(context)` runs `python app.py` without bundling (policies need no
asset) in a temporary folder: a few seconds, no lock on the shared cdk.out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from local.iam.roles import PolicyBook, function_access_key
from local.provision import CREATED_TYPES, Physical, Provisioner

ROOT = Path(__file__).resolve().parents[2]


def synthesized_templates(regwatch: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(hub template, RegwatchSpoke template or None) for these `regwatch` settings."""
    with tempfile.TemporaryDirectory(prefix="regwatch-iam-synth-") as outdir:
        # Construct paths in the metadata: resources are matched to local names by construct id.
        context = {
            "regwatch": dict(regwatch),
            "aws:cdk:bundling-stacks": [],
            "aws:cdk:enable-path-metadata": True,
        }
        env = {
            **os.environ,
            "CDK_OUTDIR": outdir,
            "CDK_CONTEXT_JSON": json.dumps(context),
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        completed = subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"cdk synthesis failed:\n{completed.stdout}\n{completed.stderr}")
        folder = Path(outdir)
        hub: dict[str, Any] = json.loads((folder / "Regwatch.template.json").read_text())
        spoke_file = folder / "RegwatchSpoke.template.json"
        spoke = json.loads(spoke_file.read_text()) if spoke_file.exists() else None
        return hub, spoke


def _construct_id(definition: Mapping[str, Any], logical_id: str) -> str:
    path = str(definition.get("Metadata", {}).get("aws:cdk:path", ""))
    parts = [p for p in path.split("/") if p and p != "Resource"]
    return parts[-1] if len(parts) >= 2 else logical_id


def _table(arn: str, name: str) -> tuple[str, dict[str, str]]:
    table = arn.format("dynamodb", f"table/{name}")
    return name, {"Arn": table, "StreamArn": f"{table}/stream/local"}


def _queue(arn: str, name: str) -> tuple[str, dict[str, str]]:
    account = arn.split(":")[4]
    url = f"http://local/{account}/{name}"
    return url, {"Arn": arn.format("sqs", name), "QueueName": name, "QueueUrl": url}


# Type -> (Ref, GetAtt attributes) of a resource named `name`, from an ARN template.
_PHYSICAL = {
    "AWS::DynamoDB::Table": _table,
    "AWS::Events::EventBus": lambda arn, name: (
        name,
        {"Arn": arn.format("events", f"event-bus/{name}"), "Name": name},
    ),
    "AWS::SNS::Topic": lambda arn, name: (
        arn.format("sns", name),
        {"TopicArn": arn.format("sns", name), "TopicName": name},
    ),
    "AWS::SQS::Queue": _queue,
    "AWS::Lambda::Function": lambda arn, name: (name, {"Arn": arn.format("lambda", f"function:{name}")}),
    "AWS::SecretsManager::Secret": lambda arn, name: (
        arn.format("secretsmanager", f"secret:{name}"),
        {"Id": arn.format("secretsmanager", f"secret:{name}")},
    ),
}


def _physical(kind: str, logical_id: str, name: str, region: str, account: str) -> Physical:
    arn = f"arn:aws:{{}}:{region}:{account}:{{}}"
    build = _PHYSICAL.get(kind)
    if build is None:
        unknown = arn.format("local", logical_id)
        return Physical(logical_id, kind, unknown, {"Arn": unknown})
    ref, attributes = build(arn, name)
    return Physical(logical_id, kind, ref, attributes)


def book_for_names(
    template: Mapping[str, Any],
    names: Mapping[str, str],
    *,
    functions: Collection[str] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> PolicyBook:
    """`names`: construct id -> the stack's own name for it (tables, bus, topic, queues);
    `functions`: the functions whose roles are checked, as `function_key` selectors (default:
    every function; each one's key is `function_access_key(<logical id>)`)."""
    provisioner = Provisioner(template, {}, ROOT, region=region, account_id=account)
    function_ids = []
    for logical_id, definition in template.get("Resources", {}).items():
        kind = str(definition.get("Type"))
        if kind not in CREATED_TYPES or kind == "AWS::Lambda::Alias":
            continue
        construct = _construct_id(definition, logical_id)
        local_name = names.get(construct, f"unmapped-{construct}")
        provisioner.resources[logical_id] = _physical(kind, logical_id, local_name, region, account)
        if kind == "AWS::Lambda::Function" and (
            functions is None or any(_is_function(definition, selector) for selector in functions)
        ):
            function_ids.append(logical_id)
    book = PolicyBook.from_stack(provisioner, function_ids)
    return book


def _is_function(definition: Mapping[str, Any], selector: str) -> bool:
    """`selector`: a handler (`scanner.handler.lambda_handler`), or a handler and the
    destination its `DESTINATION` variable names (`notifier.handler.lambda_handler#slack`):
    every notifier runs the same handler, told apart by that variable."""
    handler, _, destination = selector.partition("#")
    properties = definition.get("Properties", {})
    if properties.get("Handler") != handler:
        return False
    variables = properties.get("Environment", {}).get("Variables", {})
    return not destination or variables.get("DESTINATION") == destination


def function_key(template: Mapping[str, Any], selector: str) -> str:
    """The access key a stand-in of the function `selector` names (see `_is_function`) signs with."""
    for logical_id, definition in template.get("Resources", {}).items():
        if definition.get("Type") == "AWS::Lambda::Function" and _is_function(definition, selector):
            return function_access_key(logical_id)
    raise KeyError(f"no function {selector} in the template")
