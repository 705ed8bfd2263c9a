"""The emulated AWS operations: request parameters in, response body out.

Each handler runs under the store lock after model-driven validation, for the caller's
account (attributed from its credentials) and region (from the signature); the
operation-specific rules (lifecycle conflicts, id resolution, paging) live here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from local.emulator import associations, forms, messaging_resources, pagination
from local.emulator.lifecycle import (
    AWS_REVIEWING,
    DISCARDED,
    DRAFT,
    NEW_VERSION_ALLOWED_AFTER,
    SUBMITTED,
    Registration,
    Version,
)
from local.emulator.protocol import conflict, validation_error
from local.emulator.store import DEFAULT_ACCOUNT, Store

DEFAULT_MAX_RESULTS = 100

# handler(store, region, params, account) -> response body
Handler = Callable[[Store, str, dict[str, Any], str], dict[str, Any]]


def _version_response(registration: Registration, version: Version) -> dict[str, Any]:
    return {
        "RegistrationArn": registration.arn,
        "RegistrationId": registration.registration_id,
        "VersionNumber": version.number,
        "RegistrationVersionStatus": version.status,
        "RegistrationVersionStatusHistory": dict(version.history),
    }


def create_registration(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    token = params.get("ClientToken")
    existing = store.client_tokens.get((account, region, token)) if token else None
    registration = store.region(region, account).registrations.get(existing) if existing else None
    if registration is None:
        registration = store.create_registration(
            region, params["RegistrationType"], tags=params.get("Tags"), account=account
        )
        if token:
            store.client_tokens[(account, region, token)] = registration.registration_id
    response = registration.summary()
    for pointer in ("ApprovedVersionNumber", "LatestDeniedVersionNumber"):
        response.pop(pointer, None)  # not members of CreateRegistrationResult
    if registration.tags:
        response["Tags"] = list(registration.tags)
    return response


def create_registration_version(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration = store.resolve(region, params["RegistrationId"], account)
    current = registration.current
    if current.status not in NEW_VERSION_ALLOWED_AFTER:
        raise conflict(
            "CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
            registration.registration_id,
            f"A new version cannot be created while version {current.number} is {current.status}.",
        )
    version = store.add_version(registration)
    return _version_response(registration, version)


def _current_draft(
    store: Store, region: str, account: str, params: dict[str, Any], *, reason: str, done: str
) -> tuple[Registration, Version]:
    """The registration and its current version, which must be a DRAFT (else `reason`)."""
    registration = store.resolve(region, params["RegistrationId"], account)
    version = registration.current
    if version.status != DRAFT:
        raise conflict(
            reason,
            registration.registration_id,
            f"Version {version.number} is {version.status}; only a DRAFT version can be {done}.",
        )
    return registration, version


def submit_registration_version(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration, version = _current_draft(
        store, region, account, params, reason="SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED", done="submitted"
    )
    aws_review = bool(params.get("AwsReview", False))
    now = store.now()
    version.move_to(SUBMITTED, now)
    if aws_review:
        version.move_to(AWS_REVIEWING, now)
    store.refresh(registration, now)
    return {**_version_response(registration, version), "AwsReview": aws_review}


def discard_registration_version(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration, version = _current_draft(
        store, region, account, params, reason="DISCARD_REGISTRATION_VERSION_NOT_ALLOWED", done="discarded"
    )
    now = store.now()
    version.move_to(DISCARDED, now)
    store.refresh(registration, now)
    return _version_response(registration, version)


def delete_registration(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration = store.resolve(region, params["RegistrationId"], account)
    store.delete(registration)
    return registration.summary()


def _filters(params: dict[str, Any]) -> dict[str, set[str]]:
    """Filters with the same name are combined (values OR-ed); different names AND-ed."""
    combined: dict[str, set[str]] = {}
    for entry in params.get("Filters") or []:
        combined.setdefault(entry["Name"], set()).update(entry["Values"])
    return combined


def _max_results(params: dict[str, Any]) -> int:
    return int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)


def _page(candidates: Iterable[Any], keep: Callable[[Any], bool], limit: int) -> tuple[list[Any], Any | None]:
    """Up to `limit` kept items, and the last item's key if more candidates remain."""
    page: list[Any] = []
    iterator = iter(candidates)
    for candidate in iterator:
        if keep(candidate):
            page.append(candidate)
            if len(page) == limit:
                for _ in iterator:
                    return page, candidate
                return page, None
    return page, None


def describe_registrations(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    filters = _filters(params)
    types = filters.get("registration-type")
    statuses = filters.get("registration-status")

    def keep(registration: Registration) -> bool:
        return (types is None or registration.registration_type in types) and (
            statuses is None or registration.status in statuses
        )

    ids = params.get("RegistrationIds") or []
    fingerprint = pagination.fingerprint("DescribeRegistrations", sorted(ids), params.get("Filters"))
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, str):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    state = store.region(region, account)
    if ids:
        resolved = {r.registration_id: r for r in (store.resolve(region, i, account) for i in ids)}
        chosen = sorted(resolved)
        start = 0 if after is None else next((n for n, i in enumerate(chosen) if i > after), len(chosen))
        candidates: Iterable[Registration] = (resolved[i] for i in chosen[start:])
    else:
        registrations = state.registrations
        candidates = (registrations[i] for i in state.ids_after(after))
    page, last = _page(candidates, keep, _max_results(params))
    response: dict[str, Any] = {"Registrations": [registration.summary() for registration in page]}
    if last is not None:
        response["NextToken"] = pagination.make_token(last.registration_id, fingerprint, store.clock.now())
    return response


def describe_registration_versions(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration = store.resolve(region, params["RegistrationId"], account)
    statuses = _filters(params).get("registration-version-status")
    numbers = sorted(set(params.get("VersionNumbers") or []))
    for number in numbers:
        store.version_of(registration, number)
    fingerprint = pagination.fingerprint(
        "DescribeRegistrationVersions", registration.registration_id, numbers, params.get("Filters")
    )
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, int):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    versions = [registration.versions[n - 1] for n in numbers] if numbers else registration.versions
    candidates = [v for v in versions if after is None or v.number > after]
    page, last = _page(candidates, lambda v: statuses is None or v.status in statuses, _max_results(params))
    response: dict[str, Any] = {
        "RegistrationArn": registration.arn,
        "RegistrationId": registration.registration_id,
        "RegistrationVersions": [version.to_api() for version in page],
    }
    if last is not None:
        response["NextToken"] = pagination.make_token(last.number, fingerprint, store.clock.now())
    return response


def describe_registration_field_values(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration = store.resolve(region, params["RegistrationId"], account)
    number = params.get("VersionNumber")
    version = registration.current if number is None else store.version_of(registration, number)
    section = params.get("SectionPath")
    wanted = set(params.get("FieldPaths") or [])
    fingerprint = pagination.fingerprint(
        "DescribeRegistrationFieldValues",
        registration.registration_id,
        version.number,
        section,
        sorted(wanted),
    )
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, str):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")

    def keep(path: str) -> bool:
        return (section is None or path.startswith(section + ".")) and (not wanted or path in wanted)

    candidates = [path for path in sorted(version.fields) if after is None or path > after]
    page, last = _page(candidates, keep, _max_results(params))
    response: dict[str, Any] = {
        "RegistrationArn": registration.arn,
        "RegistrationId": registration.registration_id,
        "VersionNumber": version.number,
        "RegistrationFieldValues": [version.fields[path].to_api(path) for path in page],
    }
    if last is not None:
        response["NextToken"] = pagination.make_token(last, fingerprint, store.clock.now())
    return response


def put_registration_field_value(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    registration, version = _current_draft(
        store, region, account, params, reason="EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED", done="edited"
    )
    given = [k for k in ("SelectChoices", "TextValue", "RegistrationAttachmentId") if k in params]
    if len(given) > 1:
        raise validation_error(
            "PARAMETERS_CANNOT_BE_USED_TOGETHER", f"{' and '.join(given)} cannot be used together."
        )
    path = params["FieldPath"]
    response: dict[str, Any] = {
        "RegistrationArn": registration.arn,
        "RegistrationId": registration.registration_id,
        "VersionNumber": version.number,
        "FieldPath": path,
    }
    if not given:
        version.fields.pop(path, None)  # no value: the field is cleared
        return response
    store.set_field(
        registration,
        version.number,
        path,
        select_choices=params.get("SelectChoices"),
        text_value=params.get("TextValue"),
        attachment_id=params.get("RegistrationAttachmentId"),
    )
    response.update({k: params[k] for k in given})
    return response


HANDLERS: dict[str, Handler] = {
    "CreateRegistration": create_registration,
    "CreateRegistrationVersion": create_registration_version,
    "SubmitRegistrationVersion": submit_registration_version,
    "DiscardRegistrationVersion": discard_registration_version,
    "DeleteRegistration": delete_registration,
    "DescribeRegistrations": describe_registrations,
    "DescribeRegistrationVersions": describe_registration_versions,
    "DescribeRegistrationFieldValues": describe_registration_field_values,
    "PutRegistrationFieldValue": put_registration_field_value,
    **associations.HANDLERS,
    **forms.HANDLERS,
    **messaging_resources.HANDLERS,
}
