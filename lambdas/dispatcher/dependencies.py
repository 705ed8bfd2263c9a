"""The dispatcher's settings and clients, built on the first invocation (never at import)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import boto3
from botocore.config import Config

from dispatcher.settings import DispatcherSettings
from regwatch_aws.fleet_store import FleetStore
from regwatch_aws.health_store import DynamoHealthStore
from regwatch_aws.organizations import OrganizationDirectory
from regwatch_aws.work_queue import ScanQueue

AWS_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    user_agent_extra="regwatch",
    connect_timeout=5,
    read_timeout=10,
)


@dataclass
class Dependencies:
    settings: DispatcherSettings
    queue: ScanQueue
    health: DynamoHealthStore
    directory: OrganizationDirectory | None
    fleet: FleetStore


@functools.cache
def get_dependencies() -> Dependencies:
    settings = DispatcherSettings.from_environment()
    session = boto3.session.Session()
    region = settings.function_region
    directory = None
    if settings.targets.organization.enabled:
        # Organizations is a global service served from us-east-1 (aws partition).
        directory = OrganizationDirectory(session.client("organizations", config=AWS_CONFIG))
    table_client = session.client("dynamodb", region_name=region, config=AWS_CONFIG)
    return Dependencies(
        settings=settings,
        queue=ScanQueue(
            session.client("sqs", region_name=region, config=AWS_CONFIG), settings.scan_queue_url
        ),
        health=DynamoHealthStore(table_client, settings.snapshot_table_name),
        directory=directory,
        fleet=FleetStore(table_client, settings.snapshot_table_name),
    )
