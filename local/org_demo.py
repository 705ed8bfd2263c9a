"""The organization part of `make demo`: three accounts, two regions, a missing spoke role.

- the hub account (123456789012) plays the usual story in both regions;
- "Acme EU" is created in the local organization (moto Organizations) and found by the
  dispatcher's discovery — never listed anywhere — in both regions;
- "Acme Labs" (ACME_LABS) is listed in `regwatch.accounts` for us-west-2 only, and its spoke
  role does not exist yet: AssumeRole is refused (the IAM gate's `missing_roles`, as AWS
  refuses a role that does not exist), the scanner reports one
  Target Unhealthy, the other targets carry on. Before scan ROLE_CREATED_BEFORE_SCAN the
  role "is created": the next scan reports Target Recovered and Acme Labs' registrations.

Member accounts are reached with credentials from moto STS AssumeRole; the emulator files
each request under the account the credentials belong to (docs/emulator.md, "Accounts").
Every call the functions make goes through the IAM gate (local/iam): with assumed
credentials, it is checked against the RegwatchSpoke role of that account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from local.iam.gate import IamGate

ORGANIZATION_ID = "o-localdemo01"  # in the policies; the IAM gate gives the hub this aws:PrincipalOrgID
ACME_LABS = "210987654321"
SPOKE_ROLE_NAME = "regwatch-spoke-reader"
ROLE_CREATED_BEFORE_SCAN = 5
BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
TOLL_FREE = "US_TOLL_FREE_REGISTRATION"
# The reviewer's word on one field of Acme EU's denied brand: a member account's alert shows
# it only if the spoke role may read field values (DescribeRegistrationFieldValues).
EU_FIELD_FEEDBACK = {
    "field_path": "companyInfo.website",
    "text_value": "https://acme-eu.example",
    "denied_reason": "Website unreachable",
    "feedback": "The site returned HTTP 404; publish it before you resubmit.",
}


def org_context(regions: tuple[str, ...]) -> dict[str, Any]:
    """cdk.json settings of the organization demo, on top of the demo's own."""
    return {
        "organization": {
            "enabled": True,
            "organizationId": ORGANIZATION_ID,
            "ouIds": [],
            "excludeAccounts": [],
            "includeAccounts": [],
        },
        "accounts": [{"id": ACME_LABS, "roleArn": None, "regions": [regions[-1]]}],
        "externalId": "regwatch-local-demo",
        "spokeRoleName": SPOKE_ROLE_NAME,
    }


class OrgDemo:
    def __init__(
        self,
        moto_url: str,
        control: Any,
        regions: tuple[str, ...],
        note: Callable[..., None],
        gate: IamGate,
    ) -> None:
        self.moto_url = moto_url
        self.control = control
        self.regions = regions
        self.note = note
        self.gate = gate
        self.members: dict[str, str] = {}
        # (account, region, registration type) -> registration id, of the members' registrations
        self.registrations: dict[tuple[str, str, str], str] = {}
        self.role_created = False

    def provision(self) -> None:
        organizations = boto3.client(
            "organizations",
            endpoint_url=self.moto_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
            config=Config(retries={"mode": "standard"}),
        )
        organizations.create_organization(FeatureSet="ALL")
        acme_eu = str(
            organizations.create_account(Email="eu@acme.example", AccountName="Acme EU")[
                "CreateAccountStatus"
            ]["AccountId"]
        )
        self.members = {acme_eu: "Acme EU (discovered)", ACME_LABS: "Acme Labs (listed, role missing)"}
        for region in self.regions:
            self._registration(
                acme_eu,
                region,
                BRAND,
                "DENIED",
                ("contactInfo.dbaName", "Acme EU"),
                field_feedback=EU_FIELD_FEEDBACK,
            )
        self._registration(
            acme_eu, self.regions[0], TOLL_FREE, "APPROVED", ("companyInfo.companyName", "Acme EU Travel Ltd")
        )
        labs_brand = ("contactInfo.dbaName", "Acme Labs")
        self._registration(ACME_LABS, self.regions[-1], BRAND, "REQUIRES_AUTHENTICATION", labs_brand)
        for member in self.members:
            self.gate.organizations[member] = ORGANIZATION_ID
        self.gate.missing_roles.add(f"arn:aws:iam::{ACME_LABS}:role/{SPOKE_ROLE_NAME}")
        self.note(
            "phase",
            text=f"Organization: hub 123456789012, {acme_eu} 'Acme EU' (found by discovery), {ACME_LABS} "
            f"'Acme Labs' (listed, {self.regions[-1]} only; its spoke role is missing until scan "
            f"{ROLE_CREATED_BEFORE_SCAN})",
        )

    def _registration(
        self,
        account: str,
        region: str,
        registration_type: str,
        status: str,
        name_field: tuple[str, str],
        *,
        field_feedback: dict[str, str] | None = None,
    ) -> str:
        created = self.control.create_registration(region, registration_type, account=account)
        registration_id = str(created["RegistrationId"])
        # The field its owners know it by (docs/notifications.md#names), filled before submission.
        path, name = name_field
        self.control.set_field(region, registration_id, 1, path, text_value=name, account=account)
        if field_feedback is not None:
            feedback = dict(field_feedback)
            field_path = feedback.pop("field_path")
            self.control.set_field(region, registration_id, 1, field_path, account=account, **feedback)
        self.control.set_version_status(region, registration_id, 1, "SUBMITTED", account=account)
        self.control.set_version_status(region, registration_id, 1, status, account=account)
        self.registrations[(account, region, registration_type)] = registration_id
        return registration_id

    def before_scan(self, number: int) -> None:
        if number == ROLE_CREATED_BEFORE_SCAN and not self.role_created:
            self.gate.missing_roles.clear()
            self.role_created = True
            self.note(
                "phase", text=f"Acme Labs deploys the RegwatchSpoke stack: role {SPOKE_ROLE_NAME} now exists"
            )
