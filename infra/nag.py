"""cdk-nag wiring: AwsSolutions checks on every synth, acknowledgments with specific reasons.

cdk-nag 3 runs as a CDK validation plugin: any unacknowledged finding makes `app.synth()`
(and so `cdk synth`/`cdk deploy`) fail. Acknowledgments are placed on the narrowest construct
next to the code that causes the finding, each with the reason it is acceptable.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_nag_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
