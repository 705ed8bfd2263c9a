"""Encrypted SNS topics: the notification topic (events) and the alarm topic.

Both use one customer managed key: CloudWatch alarms cannot publish to a topic encrypted
with the AWS managed SNS key, and a customer key lets the key policy name exactly which
services may use it.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


def add_topic_key(scope: Construct) -> kms.Key:
    key = kms.Key(
        scope,
        "TopicKey",
        description="regwatch: encrypts the notification and alarm topics",
        enable_key_rotation=True,
    )
    # CloudWatch alarms publish to the alarm topic, so they must encrypt with this key.
    key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
    return key


def encrypted_topic(scope: Construct, construct_id: str, key: kms.IKey, display_name: str) -> sns.Topic:
    return sns.Topic(scope, construct_id, master_key=key, enforce_ssl=True, display_name=display_name)
