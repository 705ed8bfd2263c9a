"""Secrets Manager secrets: the template's own and those it imports by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local.provision.template import Physical, TemplateResolver


def create_secrets(stack: TemplateResolver, secrets: Any, secret_values: Mapping[str, str]) -> None:
    """`secret_values` gives a secret's value by logical id or secret name."""
    for logical_id, definition in stack.of_type("AWS::SecretsManager::Secret"):
        props = definition.get("Properties", {})
        name = stack.name(logical_id, props.get("Name"), 512)
        value = secret_values.get(logical_id, secret_values.get(name))
        if value is None and "SecretString" in props:
            value = str(stack.resolve(props["SecretString"]))
        arn = secrets.create_secret(Name=name, SecretString=value if value is not None else "")["ARN"]
        stack.resources[logical_id] = Physical(logical_id, "AWS::SecretsManager::Secret", arn, {"Id": arn})


def create_referenced_secrets(secrets: Any, names: Mapping[str, str]) -> None:
    """Secrets the stack imports by name (created outside it in a real account)."""
    for name, value in names.items():
        secrets.create_secret(Name=name, SecretString=value)
