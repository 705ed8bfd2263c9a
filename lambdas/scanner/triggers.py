"""The events the scanner accepts, as Powertools parser (pydantic) models.

- A scan-queue work item (the SQS record body the dispatcher sent): one target's full scan.
- AWS's native "Registration Status Change" (source aws.sms-voice): rescan that one
  registration right away, so alerts arrive in seconds.
The schedule invokes the dispatcher, never the scanner: a scheduled event sent to the
scanner fails validation, like anything else, with a message that says what was expected.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError

NATIVE_SOURCE = "aws.sms-voice"
NATIVE_DETAIL_TYPE = "Registration Status Change"


class InvalidTrigger(ValueError):
    """The event is not an SMS registration status change (nor a scan-queue batch)."""


class RegistrationDetails(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    registration_id: str = Field(alias="registrationId", min_length=1, max_length=256)
    registration_version_number: int | None = Field(default=None, alias="registrationVersionNumber")
    current_status: str | None = Field(default=None, alias="currentStatus")


class RegistrationStatusChangeDetail(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    registration_details: RegistrationDetails = Field(alias="registrationDetails")
    registration_arn: str | None = Field(default=None, alias="registrationArn")


class RegistrationStatusChangeTrigger(EventBridgeModel):
    source: Literal["aws.sms-voice"]
    detail_type: Literal["Registration Status Change"] = Field(alias="detail-type")
    detail: RegistrationStatusChangeDetail

    @property
    def registration_id(self) -> str:
        return self.detail.registration_details.registration_id


class ScanWorkItem(BaseModel):
    """The body of one scan-queue message (sent by the dispatcher): one target."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    account_id: str = Field(alias="accountId", pattern=r"^\d{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    role_arn: str | None = Field(default=None, alias="roleArn")
    schedule_id: str | None = Field(default=None, alias="scheduleId")


def parse_work_item(body: str) -> ScanWorkItem:
    try:
        return ScanWorkItem.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()[:5]
        )
        raise InvalidTrigger(
            "Unsupported scan-queue message: expected {accountId, region} from the dispatcher. "
            f"Problems: {problems}"
        ) from error


def parse_trigger(event: Any) -> RegistrationStatusChangeTrigger:
    if not isinstance(event, dict):
        raise InvalidTrigger(f"Expected an EventBridge event object, got {type(event).__name__}")
    try:
        return parse(event=event, model=RegistrationStatusChangeTrigger)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}" for e in error.errors()[:5]
        )
        raise InvalidTrigger(
            "Unsupported event: the scanner accepts scan-queue records (SQS, from the dispatcher) or "
            f"AWS's '{NATIVE_DETAIL_TYPE}' event (source {NATIVE_SOURCE}); the schedule targets the "
            f"dispatcher. Problems: {problems}"
        ) from error
