"""The per-destination part of the `regwatch` config, derived from the destination registry.

For each destination in lambdas/destinations/registry.py: its own settings (a secret, a
mode, a channel id...) and five routing keys, `<prefix>Severities`, `<prefix>Statuses`,
`<prefix>Accounts`, `<prefix>Regions`, `<prefix>RegistrationTypes`. `DestinationFields` is
a pydantic model built from those entries; `RegwatchConfig` (config.py) inherits it, so a
new registry entry is validated, documented (`settings_table_rows`, the README table) and
defaulted (cdk.json) without a line here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import botocore.session
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from destinations.registry import DESTINATIONS, Destination, Setting, SettingKind
from regwatch.severity import Severity

SECRET_ARN = re.compile(r"^arn:aws[a-z\-]*:secretsmanager:[a-z0-9\-]+:\d{12}:secret:[\w/+=.@\-]+$")
SECRET_NAME = re.compile(r"^[\w/+=.@\-]{1,512}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
REGISTRATION_TYPE = re.compile(r"^[A-Z0-9_]{1,100}$")
SeverityName = Literal["ACTION_REQUIRED", "GOOD_NEWS", "INFO"]


@cache
def known_statuses() -> frozenset[str]:
    """Registration and version statuses of the pinned botocore model (no AWS call: a local file)."""
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    return frozenset(
        model.shape_for("RegistrationStatus").enum + model.shape_for("RegistrationVersionStatus").enum
    )


def split_list(value: Any) -> Any:
    """Lists given on the command line arrive as strings: accept JSON or `a,b,c`."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


def none_if_empty(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"", "null", "none"}:
        return None
    return value


def check_secret(value: str | None) -> str | None:
    if value is None:
        return value
    if value.startswith("arn:"):
        if not SECRET_ARN.match(value):
            raise ValueError(f"{value!r} is not a Secrets Manager secret ARN")
    elif not SECRET_NAME.match(value):
        raise ValueError(f"{value!r} is not a Secrets Manager secret name")
    return value


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[list[str]], list[str]]:
    def check(values: list[str]) -> list[str]:
        bad = [v for v in values if not pattern.match(v)]
        if bad:
            raise ValueError(f"not {what}: {bad}")
        return values

    return check


def check_statuses(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - known_statuses())
    if unknown:
        raise ValueError(f"unknown statuses {unknown}; known: {sorted(known_statuses())}")
    return value


def _text_check(setting: Setting) -> Callable[[str | None], str | None]:
    pattern = re.compile(setting.pattern) if setting.pattern else None

    def check(value: str | None) -> str | None:
        if value is not None and pattern is not None and not pattern.match(value):
            raise ValueError(f"{value!r} does not match {setting.pattern}")
        return value

    return check


def python_name(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _setting_field(setting: Setting) -> tuple[Any, Any]:
    field = Field(setting.default, alias=setting.key, description=setting.description)
    match setting.kind:
        case SettingKind.SECRET:
            return Annotated[str | None, BeforeValidator(none_if_empty), AfterValidator(check_secret)], field
        case SettingKind.CHOICE:
            return Literal[setting.choices], field  # type: ignore[valid-type]
        case SettingKind.TEXT:
            return (
                Annotated[str | None, BeforeValidator(none_if_empty), AfterValidator(_text_check(setting))],
                field,
            )
        case SettingKind.FLAG:
            return bool, field
        case SettingKind.EMAILS:
            checked = Annotated[
                list[str], BeforeValidator(split_list), AfterValidator(_matching(EMAIL, "email addresses"))
            ]
            return checked, Field(
                default_factory=lambda: list(setting.default or ()),
                alias=setting.key,
                description=setting.description,
            )
    raise AssertionError(setting.kind)  # pragma: no cover


def _checked_list(pattern: re.Pattern[str], what: str) -> Any:
    return Annotated[list[str], BeforeValidator(split_list), AfterValidator(_matching(pattern, what))]


def _routing_fields(spec: Destination) -> dict[str, tuple[Any, Any]]:
    keys = spec.routing_keys()
    label = spec.label

    def listed(kind: Any, default: tuple[str, ...], description: str, key: str) -> tuple[Any, Any]:
        return kind, Field(default_factory=lambda: list(default), alias=key, description=description)

    return {
        python_name(keys["severities"]): listed(
            Annotated[list[SeverityName], BeforeValidator(split_list)],
            spec.routing.severities,
            f"Severities routed to {label} (`ACTION_REQUIRED`, `GOOD_NEWS`, `INFO`).",
            keys["severities"],
        ),
        python_name(keys["statuses"]): listed(
            Annotated[list[str], BeforeValidator(split_list), AfterValidator(check_statuses)],
            spec.routing.statuses,
            f"Additional individual statuses routed to {label} (e.g. `SUBMITTED`).",
            keys["statuses"],
        ),
        python_name(keys["accounts"]): listed(
            Annotated[
                list[str], BeforeValidator(split_list), AfterValidator(_matching(ACCOUNT_ID, "account ids"))
            ],
            (),
            f"Only events of these AWS accounts (`detail.accountId`) reach {label}; empty: all.",
            keys["accounts"],
        ),
        python_name(keys["regions"]): listed(
            Annotated[
                list[str], BeforeValidator(split_list), AfterValidator(_matching(REGION, "AWS region names"))
            ],
            (),
            f"Only events of registrations in these regions (`detail.region`) reach {label}; empty: all.",
            keys["regions"],
        ),
        python_name(keys["registration_types"]): listed(
            Annotated[
                list[str],
                BeforeValidator(split_list),
                AfterValidator(
                    _matching(REGISTRATION_TYPE, "registration types (e.g. US_TEN_DLC_BRAND_REGISTRATION)")
                ),
            ],
            (),
            f"Only events of these registration types (`detail.registrationType`) reach {label}; empty: all.",
            keys["registration_types"],
        ),
    }


def destination_fields() -> dict[str, tuple[Any, Any]]:
    fields: dict[str, tuple[Any, Any]] = {}
    for spec in DESTINATIONS:
        for setting in spec.settings:
            fields[python_name(setting.key)] = _setting_field(setting)
        fields |= _routing_fields(spec)
    return fields


@dataclass(frozen=True)
class DestinationConfig:
    """One destination's validated settings, as infra reads them."""

    spec: Destination
    values: Mapping[str, Any]  # by camelCase key: its settings and its routing keys

    @property
    def enabled(self) -> bool:
        return self.spec.enabled(self.values)

    def routing(self, attribute: str) -> list[str]:
        return list(self.values[self.spec.routing_keys()[attribute]])

    @property
    def severities(self) -> frozenset[Severity]:
        return frozenset(Severity(name) for name in self.routing("severities"))


def destination_values(model: BaseModel, spec: Destination) -> dict[str, Any]:
    keys = [s.key for s in spec.settings] + list(spec.routing_keys().values())
    return {key: getattr(model, python_name(key)) for key in keys}


def destination_problems(model: BaseModel) -> list[str]:
    """Cross-key problems of every destination: routing nothing, thread mode without a channel..."""
    problems = []
    for spec in DESTINATIONS:
        config = DestinationConfig(spec, destination_values(model, spec))
        if not config.enabled:
            continue
        problems += spec.check(config.values)
        keys = spec.routing_keys()
        if not config.routing("severities") and not config.routing("statuses"):
            enabling = spec.settings[0]
            fix = (
                f"set regwatch.{enabling.key} to false"
                if enabling.kind is SettingKind.FLAG
                else f"unset regwatch.{enabling.key}"
            )
            problems.append(
                f"regwatch.{keys['severities']} and regwatch.{keys['statuses']} are both empty: "
                f"nothing would reach {spec.label}; {fix} instead"
            )
    return problems


def settings_table_rows(model: type[BaseModel]) -> list[str]:
    """The README rows of every destination key of `model` (RegwatchConfig), in config order."""
    keys = {s.key for spec in DESTINATIONS for s in spec.settings} | {
        key for spec in DESTINATIONS for key in spec.routing_keys().values()
    }
    defaults = model.model_validate({}).model_dump(by_alias=True)
    return [
        f"| `{field.alias}` | `{json.dumps(defaults[field.alias])}` | {field.description} |"
        for field in model.model_fields.values()
        if field.alias in keys
    ]
