"""What a registration is attached to, and its tags: ListRegistrationAssociations and
ListTagsForResource, plus the `set_associations` control action.

Kept apart from api.py (one hook line there, one in control_api.py). Associations are
kept per registration object, so a deleted or reset registration takes its own with it
even when a scenario reuses its id.
"""

from __future__ import annotations

from typing import Any

from local.emulator import pagination
from local.emulator.accounts import DEFAULT_ACCOUNT
from local.emulator.lifecycle import Registration
from local.emulator.protocol import validation_error
from local.emulator.store import Store

DEFAULT_MAX_RESULTS = 100
# ResourceType -> the ARN resource segment of that origination identity.
_ARN_RESOURCE = {"phone-number": "phone-number", "sender-id": "sender-id", "pool": "pool"}

# id(registration) -> (registration, its associations in API shape). The registration is
# kept in the value so an id reused after garbage collection cannot match a new object.
_ASSOCIATIONS: dict[int, tuple[Registration, list[dict[str, Any]]]] = {}


def associations_of(registration: Registration) -> list[dict[str, Any]]:
    entry = _ASSOCIATIONS.get(id(registration))
    return entry[1] if entry is not None and entry[0] is registration else []


def _api_association(registration: Registration, spec: dict[str, Any]) -> dict[str, Any]:
    resource_type = str(spec.get("resource_type") or "phone-number")
    resource_id = str(spec["resource_id"])
    segment = _ARN_RESOURCE.get(resource_type, resource_type)
    item: dict[str, Any] = {
        "ResourceArn": f"arn:aws:sms-voice:{registration.region}:{registration.account}:"
        f"{segment}/{resource_id}",
        "ResourceId": resource_id,
        "ResourceType": resource_type,
    }
    if spec.get("iso_country_code"):
        item["IsoCountryCode"] = str(spec["iso_country_code"])
    if spec.get("phone_number"):
        item["PhoneNumber"] = str(spec["phone_number"])
    return item


def set_associations(store: Store, body: dict[str, Any]) -> Any:
    """Control action: replace a registration's associations.

    Body: `region` (optional), `registration_id` (id, ARN or scenario ref), `associations`:
    a list of {resource_type, resource_id, phone_number, iso_country_code}.
    """
    key = body.get("registration_id") or body.get("registration")
    if not key:
        raise ValueError("registration_id (or registration: a scenario ref) is required")
    account = body.get("account")
    registration = store.lookup(body.get("region"), str(key), None if account is None else str(account))
    items = [_api_association(registration, dict(spec)) for spec in body.get("associations") or []]
    _ASSOCIATIONS[id(registration)] = (registration, items)
    return {"registration_id": registration.registration_id, "associations": len(items)}


def list_registration_associations(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration = store.resolve(region, params["RegistrationId"], account)
    filters: dict[str, set[str]] = {}
    for entry in params.get("Filters") or []:
        filters.setdefault(entry["Name"], set()).update(entry["Values"])
    types, countries = filters.get("resource-type"), filters.get("iso-country-code")
    fingerprint = pagination.fingerprint(
        "ListRegistrationAssociations", registration.registration_id, params.get("Filters")
    )
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, int):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    kept = [
        item
        for item in associations_of(registration)
        if (types is None or item["ResourceType"] in types)
        and (countries is None or item.get("IsoCountryCode") in countries)
    ]
    start = after or 0
    limit = int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)
    page = kept[start : start + limit]
    response: dict[str, Any] = {
        "RegistrationArn": registration.arn,
        "RegistrationId": registration.registration_id,
        "RegistrationType": registration.registration_type,
        "RegistrationAssociations": [dict(item) for item in page],
    }
    if start + limit < len(kept):
        response["NextToken"] = pagination.make_token(start + limit, fingerprint, store.clock.now())
    return response


def list_tags_for_resource(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    # Registrations are the only taggable resource the emulator knows.
    registration = store.resolve(region, params["ResourceArn"], account)
    return {"ResourceArn": registration.arn, "Tags": [dict(tag) for tag in registration.tags]}


HANDLERS = {
    "ListRegistrationAssociations": list_registration_associations,
    "ListTagsForResource": list_tags_for_resource,
}
ACTIONS = {"set_associations": set_associations}
