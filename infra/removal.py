"""What `cdk destroy` leaves behind: the stateful resources follow `regwatch.removalPolicy`.

The snapshot and idempotency tables and the topics' KMS key are the only resources whose
deletion loses something (the snapshot: a redeploy would announce every registration as
new; the key: messages encrypted with it). CDK retains tables and keys by default; `destroy`
deletes the tables and schedules the key's deletion (KMS waits 30 days). Log groups and
queues are always removed with the stack.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import RegwatchConfig

STATEFUL_TYPES = (dynamodb.CfnTable, kms.CfnKey)


def apply_removal_policy(scope: Construct, config: RegwatchConfig) -> None:
    policy = RemovalPolicy.DESTROY if config.removal_policy == "destroy" else RemovalPolicy.RETAIN
    for construct in scope.node.find_all():
        if isinstance(construct, STATEFUL_TYPES):
            construct.apply_removal_policy(policy)
