"""The forms adapter on the emulator: every page read, definitions asked once per type, errors translated."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from local.emulator.forms import CAMPAIGN, FORMS, TOLL_FREE
from regwatch.errors import RegistrationNotFound, RegistryRejected
from regwatch_aws.registration_forms import RegistrationForms

DEFINITIONS = "DescribeRegistrationFieldDefinitions"


def test_definitions_are_paged_through_and_cached_per_type(emulator_control: Any) -> None:
    forms = RegistrationForms(boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1"), page_size=4)
    emulator_control.reset_counters()
    campaign = forms.definitions(CAMPAIGN)
    assert [d.field_path for d in campaign] == [item["FieldPath"] for item in FORMS[CAMPAIGN]]
    pages = -(-len(FORMS[CAMPAIGN]) // 4)
    assert emulator_control.counters()[DEFINITIONS] == pages
    assert forms.definitions(CAMPAIGN) is campaign
    forms.definitions(TOLL_FREE)
    assert emulator_control.counters()[DEFINITIONS] == pages + -(-len(FORMS[TOLL_FREE]) // 4)


def test_values_of_every_page_and_the_reviewers_flags(emulator_control: Any) -> None:
    sms = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")
    registration_id = sms.create_registration(RegistrationType=TOLL_FREE)["RegistrationId"]
    for n in range(7):
        sms.put_registration_field_value(
            RegistrationId=registration_id, FieldPath=f"messageSamples.messageSample{n}", TextValue=f"s{n}"
        )
    emulator_control.set_field(
        "us-east-1", registration_id, 1, "messageSamples.messageSample3", denied_reason="No STOP"
    )
    form = RegistrationForms(sms, page_size=2).version_form(registration_id, 1)
    assert [v.field_path for v in form.values] == [f"messageSamples.messageSample{n}" for n in range(7)]
    assert dict(form.flagged) == {"messageSamples.messageSample3": "No STOP"}
    with pytest.raises(RegistrationNotFound):
        RegistrationForms(sms).registration("registration-" + "0" * 32)
    with pytest.raises(RegistryRejected):
        RegistrationForms(sms).definitions("XX_NOT_A_TYPE")
