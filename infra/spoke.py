"""RegwatchSpoke: the small stack each member account gets (own `cdk deploy` target).

- One read-only role, named `regwatch.spokeRoleName`, allowed exactly the SMS API reads the
  scanner makes (regwatch_aws.sms_actions, the same list as the hub scanner's role),
  trusted only by the hub's scanner role ARN and, additionally, `aws:PrincipalOrgID`
  (organization mode) or `sts:ExternalId` (static mode). IAM is global: the role is created
  only in the region named by the `RoleRegion` parameter, so one StackSet can target every
  monitored region.
- Optionally (`regwatch.spoke.forwardNativeEvents`) a rule forwarding AWS's own
  "Registration Status Change" events of this account and region to the hub bus.

Parameters (defaults from `regwatch.spoke`, `regwatch.organization`, `regwatch.externalId`)
let service-managed StackSets pass the hub's values (docs/organizations.md).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnCondition, CfnParameter, Fn, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.config import ConfigError, RegwatchConfig
from infra.fanout import SCANNER_ROLE_NAME_PREFIX
from infra.nag import acknowledge
from infra.scanner import NATIVE_EVENT_DETAIL_TYPE, NATIVE_EVENT_SOURCE
from regwatch_aws.sms_actions import (
    LIST_REGISTRATIONS_ACTION,
    MESSAGING_READ_ACTIONS,
    REGISTRATION_READ_ACTIONS,
)

SPOKE_STACK_ID = "RegwatchSpoke"
MAX_SESSION_SECONDS = 3600


class RegwatchSpokeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: RegwatchConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        organization_mode = config.organization.enabled
        if not organization_mode and not config.external_id:
            raise ConfigError(
                "regwatch.externalId: required with regwatch.accounts (static mode): the spoke role "
                "trusts the hub's scanner only together with this sts:ExternalId"
            )
        CfnParameter(
            self,
            "HubAccountId",
            type="String",
            allowed_pattern=r"^\d{12}$",
            description="Account id of the regwatch hub (where the Regwatch stack runs)",
            default=config.spoke.hub_account_id,
        )
        CfnParameter(
            self,
            "HubRegion",
            type="String",
            allowed_pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
            description="Region of the regwatch hub",
            default=config.spoke.hub_region,
        )
        role_region = CfnParameter(
            self,
            "RoleRegion",
            type="String",
            allowed_pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
            description="The one region of this account where the (global) IAM role is created",
            default=config.spoke.hub_region,
        )
        scanner_role_arn = Fn.sub(
            "arn:${AWS::Partition}:iam::${HubAccountId}:role/" + SCANNER_ROLE_NAME_PREFIX + "${HubRegion}"
        )
        if organization_mode:
            assert config.organization.organization_id is not None  # noqa: S101 - validated in config
            organization_id = CfnParameter(
                self,
                "OrganizationId",
                type="String",
                allowed_pattern=r"^o-[a-z0-9]{10,32}$",
                default=config.organization.organization_id,
                description="The hub's organization: only a scanner role of this organization is trusted",
            )
            conditions = {"StringEquals": {"aws:PrincipalOrgID": organization_id.value_as_string}}
        else:
            external_id = CfnParameter(
                self,
                "ExternalId",
                type="String",
                no_echo=True,
                min_length=2,
                default=config.external_id,
                description="sts:ExternalId the hub's scanner passes (regwatch.externalId)",
            )
            conditions = {"StringEquals": {"sts:ExternalId": external_id.value_as_string}}
        self.hub_scanner_role_arn = scanner_role_arn
        self.role = iam.Role(
            self,
            "SpokeReaderRole",
            role_name=config.spoke_role_name,
            description="regwatch: read-only access to SMS registrations for the hub's scanner",
            assumed_by=iam.ArnPrincipal(scanner_role_arn).with_conditions(conditions),
            inline_policies={
                "RegistrationsReadOnly": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=[LIST_REGISTRATIONS_ACTION, *MESSAGING_READ_ACTIONS], resources=["*"]
                        ),
                        iam.PolicyStatement(
                            actions=list(REGISTRATION_READ_ACTIONS),
                            resources=[
                                self.format_arn(
                                    service="sms-voice",
                                    region="*",
                                    resource="registration",
                                    resource_name="*",
                                )
                            ],
                        ),
                    ]
                )
            },
        )
        role_here = CfnCondition(
            self, "CreateRoleHere", expression=Fn.condition_equals(self.region, role_region)
        )
        cfn_role = self.role.node.default_child
        assert isinstance(cfn_role, iam.CfnRole)  # noqa: S101
        cfn_role.cfn_options.condition = role_here
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "sms-voice:DescribeRegistrations lists every registration of the account and is authorized "
            "against '*'; so are DescribeRcsAgents, DescribeRcsAgentCountryLaunchStatus and "
            "DescribeNotifyConfigurations (RCS launches and Notify configurations).",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:*:<AWS::AccountId>:registration/*]",
            "Reading versions (and, on a change, field values, tags, associations) of every registration "
            "of this account in the hub's monitored regions; registrations are created in the console, "
            "so no fixed ARN list exists.",
        )
        self.forward_rule: events.Rule | None = None
        if config.spoke.forward_native_events:
            hub_bus = events.EventBus.from_event_bus_arn(
                self,
                "HubBus",
                Fn.sub(
                    "arn:${AWS::Partition}:events:${HubRegion}:${HubAccountId}:event-bus/"
                    + config.event_bus_name
                ),
            )
            self.forward_rule = events.Rule(
                self,
                "ForwardStatusChanges",
                description="regwatch: AWS's registration status changes of this account, to the hub bus",
                event_pattern=events.EventPattern(
                    source=[NATIVE_EVENT_SOURCE], detail_type=[NATIVE_EVENT_DETAIL_TYPE]
                ),
            )
            # A role lets the rule deliver to a bus in another account and, if need be, region.
            forward_role = iam.Role(
                self,
                "ForwardStatusChangesRole",
                assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
                description="regwatch: put this account's registration status changes on the hub bus",
                inline_policies={
                    "PutOnHubBus": iam.PolicyDocument(
                        statements=[
                            iam.PolicyStatement(
                                actions=["events:PutEvents"], resources=[hub_bus.event_bus_arn]
                            )
                        ]
                    )
                },
            )
            self.forward_rule.add_target(targets.EventBus(hub_bus, role=forward_role))
