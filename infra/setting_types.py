"""The checked value types of the `regwatch` settings; infra/config.py declares the settings.

Each type is the plain type plus the check a bad value fails with. Pydantic puts the key in
front of the message (`regwatch.<key>: ...`, infra/config.py), so a message names only what is
wrong with the value and how to write it. Values given as `-c regwatch.<key>=...` arrive as
strings: `EMPTY_IS_NONE`, `split_list` and `OBJECT_FROM_TEXT` turn them into what cdk.json holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator

from destinations import registry
from function_support.durations import parse_duration
from infra.destination_config import EMAIL, REGION, none_if_empty, split_list
from infra.targets_config import AccountSetting
from regwatch.targets import EXTERNAL_ID, ROLE_NAME

# CloudWatch Logs only accepts these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

_RATE = re.compile(r"^rate\((?P<value>[1-9]\d*) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_BUS_NAME = re.compile(r"^[/\.\-_A-Za-z0-9]{1,256}$")
_EVENT_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,255}$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9._\-/#:]{1,255}$")
_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_UNIT_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}

# `-c regwatch.heartbeatIntervalMinutes=` (or `null`/`none`) means "not set".
EMPTY_IS_NONE = BeforeValidator(none_if_empty)


def schedule_interval_minutes(expression: str) -> int | None:
    """Minutes between runs of a `rate(...)` expression; None for `cron(...)`."""
    match = _RATE.match(expression)
    if match is None:
        return None
    return int(match["value"]) * _UNIT_MINUTES[match["unit"]]


def _schedule(example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not (_RATE.match(value) or _CRON.match(value)):
            raise ValueError(f"{value!r} is not an EventBridge schedule: use e.g. {example}")
        return value

    return check


def _check_duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration("", value)
    return value


def _check_review_table(value: dict[str, str]) -> dict[str, str]:
    for registration_type, duration in value.items():
        parse_duration(registration_type, duration)
    return value


def _check_local_time(value: str | None) -> str | None:
    if value is not None and not _LOCAL_TIME.match(value):
        raise ValueError(f"{value!r} is not a 24-hour local time HH:MM (e.g. '08:00')")
    return value


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')") from None
    return value


# The registry entries that render the daily digest (`Destination.digest`).
DIGEST_DESTINATIONS = tuple(spec.name for spec in registry.DESTINATIONS if spec.digest)


def default_digest_destinations() -> list[str]:
    return [DIGEST_DESTINATIONS[0]]


def _check_digest_destinations(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in DIGEST_DESTINATIONS]
    if unknown:
        raise ValueError(
            f"{unknown} cannot take the digest; those that render it: {list(DIGEST_DESTINATIONS)}"
        )
    return names


def _object_from_text(value: Any) -> Any:
    # `-c regwatch.accounts='[...]'` arrives as a string.
    return json.loads(value) if isinstance(value, str) and value.strip()[:1] in "[{" else value


OBJECT_FROM_TEXT = BeforeValidator(_object_from_text)


def _check_role_name(value: str) -> str:
    if not ROLE_NAME.match(value):
        raise ValueError(f"{value[:80]!r} is not an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)")
    return value


def _check_external_id(value: str | None) -> str | None:
    if value is not None and not EXTERNAL_ID.match(value):
        raise ValueError("is not a usable sts:ExternalId (2-1224 of A-Z a-z 0-9 + = , . @ : / _ -)")
    return value


def _check_accounts(value: list[AccountSetting]) -> list[AccountSetting]:
    ids = [account.id for account in value]
    if len(set(ids)) != len(ids):
        raise ValueError("lists an account twice")
    return value


def _check_regions(value: list[str]) -> list[str]:
    bad = [region for region in value if not REGION.match(region)]
    if bad:
        raise ValueError(f"not AWS region names: {bad}")
    if len(set(value)) != len(value):
        raise ValueError("lists a region twice")
    return value


def _check_bus_name(value: str) -> str:
    if not _BUS_NAME.match(value) or value == "default":
        raise ValueError(f"{value!r} is not a custom event bus name ([A-Za-z0-9._-/], not 'default')")
    return value


def _check_source(value: str) -> str:
    if not _EVENT_SOURCE.match(value) or value.startswith("aws."):
        raise ValueError(f"{value!r} is not a usable event source (and 'aws.' sources are reserved)")
    return value


def _check_email(value: str | None) -> str | None:
    if value is not None and not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _check_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(f"{value} is not a CloudWatch Logs retention; choose one of {LOG_RETENTION_DAYS}")
    return value


def _check_namespace(value: str) -> str:
    if not _NAMESPACE.match(value) or value.startswith("AWS/"):
        raise ValueError(f"{value!r} is not a custom CloudWatch namespace")
    return value


ScanSchedule = Annotated[str, AfterValidator(_schedule("'rate(5 minutes)' or 'cron(0/5 * * * ? *)'"))]
EvaluatorSchedule = Annotated[str, AfterValidator(_schedule("'rate(1 hour)'"))]
OptionalMinutes = Annotated[int | None, EMPTY_IS_NONE]
RegionList = Annotated[list[str], BeforeValidator(split_list), AfterValidator(_check_regions)]
EventBusName = Annotated[str, AfterValidator(_check_bus_name)]
EventSource = Annotated[str, AfterValidator(_check_source)]
OptionalEmail = Annotated[str | None, EMPTY_IS_NONE, AfterValidator(_check_email)]
LogRetentionDays = Annotated[int, AfterValidator(_check_retention)]
MetricsNamespace = Annotated[str, AfterValidator(_check_namespace)]
Duration = Annotated[str, AfterValidator(_check_duration)]
OptionalDuration = Annotated[str | None, EMPTY_IS_NONE, AfterValidator(_check_duration)]
ReviewTable = Annotated[dict[str, str], AfterValidator(_check_review_table)]
OptionalLocalTime = Annotated[str | None, EMPTY_IS_NONE, AfterValidator(_check_local_time)]
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
DigestDestinationList = Annotated[
    list[str], BeforeValidator(split_list), AfterValidator(_check_digest_destinations)
]
AccountList = Annotated[list[AccountSetting], OBJECT_FROM_TEXT, AfterValidator(_check_accounts)]
RoleName = Annotated[str, AfterValidator(_check_role_name)]
OptionalExternalId = Annotated[str | None, EMPTY_IS_NONE, AfterValidator(_check_external_id)]
