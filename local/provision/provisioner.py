"""`Provisioner`: the template's resources created on moto, in dependency order."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from local.provision import event_bus, messaging, rules, secrets, tables
from local.provision.function_specs import describe_functions
from local.provision.stack import IGNORED_TYPES, ProvisionedStack
from local.provision.template import TemplateResolver


class Provisioner(TemplateResolver):
    """Builds a `ProvisionedStack` on moto from one template.

    `clients` maps a boto3 service name (`dynamodb`, `sqs`, `sns`, `events`,
    `secretsmanager`, optionally `logs`) to a client already pointed at moto. `secret_values`
    gives the value to store in a secret, by logical id or secret name (the webhook URL of the
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
        super().__init__(
            template, region=region, account_id=account_id, stack_name=stack_name, parameters=parameters
        )
        self.clients = clients
        self.asset_root = asset_root
        self.secret_values = dict(secret_values or {})

    def create_referenced_secrets(self, names: Mapping[str, str]) -> None:
        """Secrets the stack imports by name (created outside it in a real account)."""
        secrets.create_referenced_secrets(self.clients["secretsmanager"], names)

    def provision(self) -> ProvisionedStack:
        # Each step may reference (Ref, GetAtt) what an earlier one created.
        messaging.create_queues(self, self.clients["sqs"])
        messaging.create_topics(self, self.clients["sns"])
        tables.create_tables(self, self.clients["dynamodb"])
        secrets.create_secrets(self, self.clients["secretsmanager"], self.secret_values)
        event_bus.create_buses(self, self.clients["events"])
        # Without a `logs` client, no archive.
        logs = self.clients.get("logs")
        if logs is not None:
            event_bus.create_archives(self, self.clients["events"], logs)
        functions = describe_functions(self, self.asset_root)
        messaging.subscribe(self, self.clients["sns"])
        lambda_targets = rules.create_rules(self, self.clients["events"], self.clients["sqs"])
        handled = {physical.type for physical in self.resources.values()}
        skipped: dict[str, int] = {}
        for definition in self.definitions():
            kind = definition.get("Type", "?")
            if kind not in handled and kind not in IGNORED_TYPES:
                skipped[kind] = skipped.get(kind, 0) + 1
        return ProvisionedStack(
            template=self.template,
            resources=self.resources,
            functions=functions,
            lambda_targets=lambda_targets,
            skipped=skipped,
            outputs=self.outputs(),
        )
