"""Control actions: what carriers, reviewers and test authors do to the emulator.

Shared by the HTTP control API (`/_emulator/<action>`) and scenario timelines, so a
timeline step is exactly a control call played at a given time. Every action takes
and returns JSON-compatible values. `account` is optional everywhere: without it an
action works in the default account (123456789012); a scenario ref or an ARN names
its own account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.emulator import api, messaging_resources
from local.emulator.accounts import check_account
from local.emulator.generate import generate
from local.emulator.lifecycle import Registration
from local.emulator.store import DEFAULT_ACCOUNT, Store

DEFAULT_REGION = "us-east-1"

Action = Callable[[Store, dict[str, Any]], Any]


def account_of(body: dict[str, Any], default: str = DEFAULT_ACCOUNT) -> str:
    """The `account` of a control body (checked: 12 digits), or `default`."""
    account = body.get("account")
    return default if account is None else check_account(account)


def _registration(store: Store, body: dict[str, Any]) -> Registration:
    key = body.get("registration_id") or body.get("registration")
    if not key:
        raise ValueError("registration_id (or registration: a scenario ref) is required")
    account = body.get("account")
    return store.lookup(body.get("region"), str(key), None if account is None else check_account(account))


def _version_number(registration: Registration, body: dict[str, Any]) -> int:
    number = body.get("version_number", body.get("version", "current"))
    if number in ("current", "latest", None):
        return registration.current_version_number if registration.versions else 1
    return int(number)


def describe(registration: Registration) -> dict[str, Any]:
    """Full state of one registration: summary, versions (with field values)."""
    return {
        "Account": registration.account,
        "Region": registration.region,
        **registration.summary(),
        "Versions": [
            {**v.to_api(), "Fields": [value.to_api(path) for path, value in sorted(v.fields.items())]}
            for v in registration.versions
        ],
    }


def set_version_status(store: Store, body: dict[str, Any]) -> Any:
    registration = _registration(store, body)
    store.set_version_status(
        registration,
        _version_number(registration, body),
        str(body["status"]),
        denied_reasons=body.get("denied_reasons"),
        feedback=body.get("feedback"),
        history_key=body.get("history_key"),
        timestamp=body.get("timestamp"),
        registration_status=body.get("registration_status"),
        update_registration=bool(body.get("update_registration", True)),
    )
    return describe(registration)


def set_version_details(store: Store, body: dict[str, Any]) -> Any:
    registration = _registration(store, body)
    store.set_version_details(
        registration,
        _version_number(registration, body),
        history=body.get("history"),
        denied_reasons=body.get("denied_reasons"),
        feedback=body.get("feedback"),
    )
    return describe(registration)


def set_registration(store: Store, body: dict[str, Any]) -> Any:
    """Overwrite summary fields directly (e.g. PROVISIONING, CLOSED), without version changes."""
    registration = _registration(store, body)
    if "registration_status" in body:
        store.set_registration_status(registration, str(body["registration_status"]), body.get("timestamp"))
    if "additional_attributes" in body:
        registration.additional_attributes = dict(body["additional_attributes"])
    return describe(registration)


def set_field(store: Store, body: dict[str, Any]) -> Any:
    registration = _registration(store, body)
    names = ("select_choices", "text_value", "attachment_id", "denied_reason", "feedback")
    store.set_field(
        registration,
        _version_number(registration, body),
        str(body["field_path"]),
        **{name: body[name] for name in names if name in body},
    )
    return describe(registration)


def create_registration(store: Store, body: dict[str, Any]) -> Any:
    region = body.get("region") or DEFAULT_REGION
    account = account_of(body)
    registration = store.create_registration(
        region,
        str(body.get("type") or body.get("registration_type") or "US_TEN_DLC_BRAND_REGISTRATION"),
        registration_id=body.get("id") or body.get("registration_id"),
        additional_attributes=body.get("additional_attributes"),
        account=account,
    )
    if body.get("ref"):
        store.refs[str(body["ref"])] = (account, region, registration.registration_id)
    return describe(registration)


def _api_call(operation: str) -> Action:
    """An AWS operation on a registration named like control actions name it (conflicts apply)."""

    def run(store: Store, body: dict[str, Any]) -> Any:
        registration = _registration(store, body)
        params: dict[str, Any] = {"RegistrationId": registration.registration_id}
        if "aws_review" in body:
            params["AwsReview"] = bool(body["aws_review"])
        api.HANDLERS[operation](store, registration.region, params, registration.account)
        return describe(registration)

    return run


def add_version(store: Store, body: dict[str, Any]) -> Any:
    """A new DRAFT version copying the previous form, shown in the summary, whatever the
    current version's status (no conflict rules: `create_version` is the AWS operation)."""
    registration = _registration(store, body)
    store.add_version(registration)
    return describe(registration)


def get_registration(store: Store, body: dict[str, Any]) -> Any:
    return describe(_registration(store, body))


def generate_action(store: Store, body: dict[str, Any]) -> Any:
    return generate(
        store,
        body.get("region") or DEFAULT_REGION,
        int(body["count"]),
        versions_min=int(body.get("versions_min", 1)),
        versions_max=int(body.get("versions_max", 5)),
        seed=int(body.get("seed", 0)),
        account=account_of(body),
    )


ACTIONS: dict[str, Action] = {
    "set_version_status": set_version_status,
    "set_version_details": set_version_details,
    "set_registration": set_registration,
    "set_field": set_field,
    "create_registration": create_registration,
    "create_version": _api_call("CreateRegistrationVersion"),
    "add_version": add_version,
    "submit": _api_call("SubmitRegistrationVersion"),
    "discard": _api_call("DiscardRegistrationVersion"),
    "delete": _api_call("DeleteRegistration"),
    "get_registration": get_registration,
    "generate": generate_action,
    **messaging_resources.ACTIONS,
}
