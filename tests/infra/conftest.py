"""Helpers for the infra tests: a real CDK synthesis (with cdk-nag) of the regwatch stack.

Synthesis runs cdk-nag's AwsSolutions pack exactly as app.py wires it, so every synth in
these tests fails on an unacknowledged finding. Bundling is skipped (context
`aws:cdk:bundling-stacks`); the real bundle is built by the CLI test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.config import load_config
from infra.nag import add_nag_checks
from infra.stack import STACK_ID, RegwatchStack


@dataclass
class Synthesized:
    stack: RegwatchStack
    template: Template
    json: dict[str, Any]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == resource_type}

    def logical_id(self, construct: Any) -> str:
        return str(self.stack.get_logical_id(construct.node.default_child))


def synthesize(settings: dict[str, Any] | None = None, **extra_context: Any) -> Synthesized:
    """Synthesize the stack from a `regwatch` object (as cdk.json would hold it)."""
    context: dict[str, Any] = {"aws:cdk:bundling-stacks": [], **extra_context}
    if settings is not None:
        context["regwatch"] = settings
    app = cdk.App(context=context)
    config = load_config(app.node.get_all_context())
    stack = RegwatchStack(app, STACK_ID, config=config)
    add_nag_checks(app)
    assembly = app.synth()  # raises on any cdk-nag finding
    template_json = assembly.get_stack_by_name(stack.stack_name).template
    return Synthesized(stack, Template.from_json(template_json), template_json)


Synthesizer = Callable[..., Synthesized]


@pytest.fixture(scope="session")
def synth() -> Synthesizer:
    """`synth(settings_dict, **context)` -> Synthesized; call it from module-scoped fixtures."""
    return synthesize
