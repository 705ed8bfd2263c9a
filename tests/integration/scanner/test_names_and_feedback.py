"""Names, impact and field-level feedback, over real sockets (emulator + moto).

The scanner reads field values, the Name tag and associations only when a change calls
for it, stores them in the snapshot, and puts them on the events; a read that fails
leaves the alert going out with the id.
"""

from __future__ import annotations

from typing import Any

from tests.integration.scanner.conftest import REGION, ScannerWorld

BRAND = "US_TEN_DLC_BRAND_REGISTRATION"
TOLL_FREE = "US_TOLL_FREE_REGISTRATION"
PROFILE_OPERATIONS = (
    "DescribeRegistrationFieldValues",
    "ListTagsForResource",
    "ListRegistrationAssociations",
)


def _step(world: ScannerWorld, registration_id: str, status: str, **extra: Any) -> list[dict[str, Any]]:
    world.control.advance_clock(60)
    world.control.set_version_status(REGION, registration_id, 1, status, **extra)
    world.invoke()
    return world.details()


def _profile_calls(world: ScannerWorld) -> dict[str, int]:
    counters = world.control.counters()
    return {op: int(counters.get(op, 0)) for op in PROFILE_OPERATIONS}


def test_form_name_first_then_the_name_tag_and_associations_name_the_impact(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    tag = [{"Key": "Name", "Value": "Acme brand (US)"}]
    registration_id = str(world.sms.create_registration(RegistrationType=BRAND, Tags=tag)["RegistrationId"])
    tagged_only = str(world.sms.create_registration(RegistrationType=BRAND, Tags=tag)["RegistrationId"])
    world.sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue="Acme Corporation"
    )
    numbers = [
        {"resource_type": "phone-number", "resource_id": f"phone-{n}", "phone_number": f"+1206555010{n}"}
        for n in range(3)
    ]
    world.control.call(
        "set_associations", region=REGION, registration_id=registration_id, associations=numbers
    )
    world.invoke()
    world.control.reset_counters()
    world.control.set_version_status(REGION, tagged_only, 1, "SUBMITTED")
    submitted_versions = {
        d["registrationId"]: d for d in _step(world, registration_id, "SUBMITTED") if d["scope"] == "VERSION"
    }
    submitted = submitted_versions[registration_id]
    # The form's name is free (its values are read anyway); the tag costs a call, made only
    # for the registration whose form has no name.
    assert (submitted["registrationName"], submitted["registrationNameSource"]) == (
        "Acme Corporation",
        "field:companyInfo.companyName",
    )
    assert (
        submitted_versions[tagged_only]["registrationName"],
        submitted_versions[tagged_only]["registrationNameSource"],
    ) == (
        "Acme brand (US)",
        "tag:Name",
    )
    assert submitted["associations"] == [], "nothing is attached before completion"
    assert _profile_calls(world) == {
        "DescribeRegistrationFieldValues": 2,
        "ListTagsForResource": 1,
        "ListRegistrationAssociations": 0,
    }

    # A review step changes nothing people call the registration: no reads, name from the snapshot.
    world.control.reset_counters()
    details = _step(world, registration_id, "REVIEWING")
    assert {d["registrationName"] for d in details} == {"Acme Corporation"}
    assert _profile_calls(world) == dict.fromkeys(PROFILE_OPERATIONS, 0)

    # Approval reads nothing more; a revocation lists what stops working, on its own alert.
    details = _step(world, registration_id, "APPROVED")
    [approved] = [d for d in details if d["scope"] == "VERSION"]
    assert approved["registrationPreviousStatus"] == "REVIEWING" and approved["associations"] == []
    assert _profile_calls(world)["ListRegistrationAssociations"] == 0
    [revoked] = [d for d in _step(world, registration_id, "REVOKED") if d["scope"] == "VERSION"]
    assert [a["phoneNumber"] for a in revoked["associations"]] == [n["phone_number"] for n in numbers]
    assert revoked["associationCount"] == 3
    assert _profile_calls(world)["ListRegistrationAssociations"] == 1


def test_field_name_without_tag_and_field_feedback_on_denial(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = str(world.sms.create_registration(RegistrationType=TOLL_FREE)["RegistrationId"])
    world.sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="companyInfo.companyName", TextValue="  Acme   Travel "
    )
    world.sms.put_registration_field_value(
        RegistrationId=registration_id, FieldPath="companyInfo.website", TextValue="http://acme.example"
    )
    world.invoke()
    _step(world, registration_id, "SUBMITTED")
    world.control.set_field(
        REGION,
        registration_id,
        1,
        "companyInfo.website",
        denied_reason="Website unreachable",
        feedback="The site returned 404; use a public URL that describes the business.",
    )
    world.control.set_field(
        REGION, registration_id, 1, "messagingUseCase.optInDescription", feedback="Add a screenshot."
    )
    world.control.set_field(
        REGION, registration_id, 1, "someFutureSection.someNewField", denied_reason="Unknown rule"
    )
    world.control.reset_counters()
    details = _step(world, registration_id, "DENIED")
    [denied] = [d for d in details if d["scope"] == "VERSION"]
    assert denied["registrationName"] == "Acme Travel"
    assert denied["registrationNameSource"] == "field:companyInfo.companyName"
    assert denied["fieldFeedback"] == [
        {
            "fieldPath": "companyInfo.website",
            "deniedReason": "Website unreachable",
            "feedback": denied["fieldFeedback"][0]["feedback"],
        },
        {
            "fieldPath": "messagingUseCase.optInDescription",
            "deniedReason": None,
            "feedback": "Add a screenshot.",
        },
        {"fieldPath": "someFutureSection.someNewField", "deniedReason": "Unknown rule", "feedback": None},
    ]
    assert "404" in denied["fieldFeedback"][0]["feedback"]
    # The name was read at submission; the denial reads the field values once, for the feedback.
    assert _profile_calls(world)["DescribeRegistrationFieldValues"] == 1
    assert _profile_calls(world)["ListTagsForResource"] == 0
    registration_events = [d for d in details if d["scope"] == "REGISTRATION"]
    assert [d["status"] for d in registration_events] == ["REQUIRES_UPDATES"]
    assert registration_events[0]["fieldFeedback"] == denied["fieldFeedback"]
    assert registration_events[0]["alert"] is False


def test_missing_fields_fall_back_to_the_id(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    registration_id = world.create_registration()
    world.invoke()
    [submitted] = [d for d in _step(world, registration_id, "SUBMITTED") if d["scope"] == "VERSION"]
    assert submitted["registrationName"] is None and submitted["registrationNameSource"] is None
    assert submitted["associations"] == [] and submitted["associationCount"] == 0


def test_throttled_reads_are_retried_and_a_refused_read_still_alerts(world: ScannerWorld) -> None:
    world.configure(BASELINE_ALERTS="none")
    throttled = str(
        world.sms.create_registration(
            RegistrationType=BRAND, Tags=[{"Key": "Name", "Value": "Throttled brand"}]
        )["RegistrationId"]
    )
    refused = str(
        world.sms.create_registration(
            RegistrationType=BRAND, Tags=[{"Key": "Name", "Value": "Refused brand"}]
        )["RegistrationId"]
    )
    world.invoke()
    for registration_id in (throttled, refused):
        world.control.set_version_status(REGION, registration_id, 1, "SUBMITTED")
    world.control.advance_clock(60)
    # Registration ids sort randomly: script by call order, whichever comes first.
    world.control.set_faults(
        operation="ListTagsForResource",
        error_script=["ThrottlingException", "ThrottlingException", 200, "AccessDeniedException"],
    )
    summary = world.invoke()
    names = {d["registrationId"]: d["registrationName"] for d in world.details() if d["scope"] == "VERSION"}
    assert set(names) == {throttled, refused}, "both alerts went out"
    assert sorted(names.values(), key=str) == sorted([None, names[throttled] or names[refused]], key=str)
    assert {n for n in names.values() if n} <= {"Throttled brand", "Refused brand"}
    region = summary["regions"][REGION]
    assert region["profileReadFailures"] == 1
    assert summary["throttles"].get("ListTagsForResource", 0) == 2
