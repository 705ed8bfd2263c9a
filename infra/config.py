"""The typed `regwatch` context of cdk.json: defaults, validation, override rules.

Every setting lives under the single context key `regwatch`. Three layers, later wins:

1. the `regwatch` object in cdk.json;
2. `-c regwatch='{"schedule": "rate(10 minutes)"}'`: a whole JSON object on the command line
   *replaces* the cdk.json object (CDK's own rule for a context key);
3. `-c regwatch.schedule="rate(10 minutes)"`: one setting, applied on top of 1/2. Values given
   this way are strings; numbers and booleans are converted, lists take JSON or a comma list.

Errors name the offending key as `regwatch.<key>` so a bad `cdk synth` says what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from destinations import registry
from function_support.durations import parse_duration
from infra.destination_config import (
    DestinationConfig,
    destination_fields,
    destination_problems,
    destination_values,
    none_if_empty,
    split_list,
)
from infra.targets_config import AccountSetting, OrganizationSetting, SpokeSetting
from regwatch.targets import DEFAULT_SPOKE_ROLE_NAME, EXTERNAL_ID, ROLE_NAME

CONTEXT_KEY = "regwatch"

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

# The missed-scan alarm fires after this many schedule intervals without a completed scan;
# CloudWatch evaluates at most 7 days of data for one alarm.
MISSED_SCANS_ALARM_INTERVALS = 3
MAX_ALARM_WINDOW_MINUTES = 7 * 24 * 60

_RATE = re.compile(r"^rate\((?P<value>[1-9]\d*) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_BUS_NAME = re.compile(r"^[/\.\-_A-Za-z0-9]{1,256}$")
_EVENT_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,255}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9._\-/#:]{1,255}$")
_UNIT_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


class ConfigError(ValueError):
    """A bad `regwatch` context value; the message names every offending key."""


def schedule_interval_minutes(expression: str) -> int | None:
    """Minutes between runs of a `rate(...)` expression; None for `cron(...)`."""
    match = _RATE.match(expression)
    if match is None:
        return None
    return int(match["value"]) * _UNIT_MINUTES[match["unit"]]


_split_list = split_list
_none_if_empty = none_if_empty


# The registry entries that render the daily digest (`Destination.digest`).
DIGEST_DESTINATIONS = tuple(spec.name for spec in registry.DESTINATIONS if spec.digest)


def _default_digest_destinations() -> list[str]:
    return [DIGEST_DESTINATIONS[0]]


def _check_digest_destinations(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in DIGEST_DESTINATIONS]
    if unknown:
        raise ValueError(
            f"{unknown} cannot take the digest; those that render it: {list(DIGEST_DESTINATIONS)}"
        )
    return names


class _RegwatchSettings(BaseModel):
    """All deploy-time settings. `Field.description` is the documentation (docs/configuration.md).

    The destination keys (`slackWebhookSecret`, `pagerdutySeverities`, ...) are added below
    by `RegwatchConfig`, built from the destination registry (infra/destination_config.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schedule: str = Field(
        "rate(5 minutes)",
        description="How often the scanner runs: an EventBridge `rate(...)` or `cron(...)` expression.",
    )
    heartbeat_interval_minutes: int | None = Field(
        None,
        alias="heartbeatIntervalMinutes",
        ge=1,
        le=1440,
        description="Expected minutes between scans for the missed-scan alarm (3 missed intervals alarm). "
        "Derived from a `rate(...)` schedule; required with `cron(...)`.",
    )
    monitored_regions: list[str] = Field(
        default_factory=list,
        alias="monitoredRegions",
        description="Regions whose registrations are scanned (JSON list or comma list). "
        "Empty means the region the stack is deployed to.",
    )
    api_calls_per_second: float = Field(
        0.8,
        alias="apiCallsPerSecond",
        gt=0,
        le=100,
        description="The scanner's client-side rate for SMS API calls per region. "
        "The default Describe* quota is 1/s per account and region; 0.8 leaves room for the console.",
    )
    reconcile_hours: int = Field(
        24,
        alias="reconcileHours",
        ge=1,
        le=720,
        description="Hours between full reconciliations (every version re-read even if nothing hints at "
        "a change).",
    )
    baseline_alerts: Literal["actionable", "none", "all"] = Field(
        "actionable",
        alias="baselineAlerts",
        description="What the first scan of a registration announces: `actionable` (only versions that "
        "need a human), `none`, or `all`.",
    )
    deletion_guard_percent: float = Field(
        20.0,
        alias="deletionGuardPercent",
        ge=0,
        le=100,
        description="A listing cycle that would delete more than this share of a target's registrations "
        "holds the deletions (one 'Target Deletions Held' alert) until the next complete cycle confirms.",
    )
    deletion_guard_count: int = Field(
        25,
        alias="deletionGuardCount",
        ge=0,
        description="Held as well when a cycle would delete more than this many registrations at once.",
    )
    event_bus_name: str = Field(
        "regwatch", alias="eventBusName", description="Name of the custom EventBridge bus the stack creates."
    )
    event_source: str = Field(
        "regwatch", alias="eventSource", description="`source` of every regwatch event (contract v1)."
    )
    archive_retention_days: int = Field(
        30,
        alias="archiveRetentionDays",
        ge=0,
        le=36500,
        description="Days the bus archive keeps events for replay (0 = forever).",
    )
    alarm_email: str | None = Field(
        None, alias="alarmEmail", description="Email subscribed to the alarm topic (optional)."
    )
    log_retention_days: int = Field(
        30, alias="logRetentionDays", description="Retention of the functions' log groups, in days."
    )
    log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"] = Field(
        "INFO", alias="logLevel", description="Application log level of the functions (JSON logs)."
    )
    metrics_namespace: str = Field(
        "regwatch",
        alias="metricsNamespace",
        description=(
            "CloudWatch namespace of the functions' Powertools metrics (incl. the heartbeat `ScanHeartbeat`)."
        ),
    )
    scanner_timeout_seconds: int = Field(
        900,
        alias="scannerTimeoutSeconds",
        ge=60,
        le=900,
        description="Scanner timeout. The scanner stops cleanly before it and resumes on the next run.",
    )
    scanner_memory_mb: int = Field(
        512, alias="scannerMemoryMb", ge=128, le=10240, description="Scanner memory (MB)."
    )
    notifier_memory_mb: int = Field(
        256, alias="notifierMemoryMb", ge=128, le=10240, description="Memory of each notifier (MB)."
    )
    target_retry_attempts: int = Field(
        50,
        alias="targetRetryAttempts",
        ge=0,
        le=185,
        description="EventBridge retries per rule target before the event goes to the target's DLQ.",
    )
    target_max_event_age_hours: int = Field(
        24,
        alias="targetMaxEventAgeHours",
        ge=1,
        le=24,
        description="Oldest event EventBridge still delivers to a target (hours) before the DLQ.",
    )
    # -- reminders (issue 11): the evaluator's schedule and thresholds; durations like "2d" --
    evaluator_schedule: str = Field(
        "rate(1 hour)",
        alias="evaluatorSchedule",
        description="How often the evaluator checks deadlines and sends reminders (no SMS API calls).",
    )
    reminder_auth_link_warning: str = Field(
        "2d",
        alias="reminderAuthLinkWarning",
        description="Remind this long before a brand authentication link expires (7 days after it was sent).",
    )
    reminder_resend_window_warning: str = Field(
        "3d",
        alias="reminderResendWindowWarning",
        description="Remind this long before the 30-day window to resend the authentication email closes.",
    )
    reminder_draft_forgotten_after: str | None = Field(
        None,
        alias="reminderDraftForgottenAfter",
        description="Remind about a draft version not submitted after this long; null turns it off.",
    )
    reminder_review_expected: dict[str, str] = Field(
        default_factory=lambda: {
            "US_TEN_DLC_BRAND_REGISTRATION": "4d",
            "US_TEN_DLC_BRAND_VETTING": "4d",
            "US_TEN_DLC_CAMPAIGN_REGISTRATION": "28d",
            "US_TOLL_FREE_REGISTRATION": "21d",
        },
        alias="reminderReviewExpected",
        description="Expected review time per registration type (AWS's published estimates, "
        "docs/notifications.md); a version in review longer gets a review-overdue reminder.",
    )
    reminder_review_expected_default: str = Field(
        "28d",
        alias="reminderReviewExpectedDefault",
        description="Expected review time of registration types missing from `reminderReviewExpected`.",
    )
    digest_time: str | None = Field(
        "08:00",
        alias="digestTime",
        description="Local time (HH:MM, 24-hour) of the daily digest, sent by the first evaluator run "
        "at or after it; null turns the digest off.",
    )
    digest_timezone: str = Field(
        "UTC", alias="digestTimezone", description="IANA time zone of `digestTime`, e.g. `Europe/Berlin`."
    )
    digest_destinations: Annotated[
        list[str], BeforeValidator(split_list), AfterValidator(_check_digest_destinations)
    ] = Field(
        default_factory=_default_digest_destinations,
        alias="digestDestinations",
        description="Destinations that get the daily digest ("
        + ", ".join(f"`{name}`" for name in DIGEST_DESTINATIONS)
        + "); one not configured is skipped.",
    )

    removal_policy: Literal["retain", "destroy"] = Field(
        "retain",
        alias="removalPolicy",
        description="What `cdk destroy` does with the DynamoDB tables and the KMS key: `retain` keeps them "
        "(a redeploy does not re-announce every registration), `destroy` deletes them (the key after "
        "KMS's 30-day waiting period).",
    )
    accounts: list[AccountSetting] = Field(
        default_factory=list,
        description='Further accounts to scan (static mode): `[{"id": "111122223333", '
        '"roleArn": null, "regions": []}]`; role default `<spokeRoleName>` in that account, regions '
        "default `monitoredRegions`. docs/organizations.md.",
    )
    organization: OrganizationSetting = Field(
        default_factory=lambda: OrganizationSetting.model_validate({}),
        description="Discover ACTIVE member accounts with AWS Organizations on every schedule (needs the "
        "management account or a delegated administrator): `enabled`, `organizationId`, `ouIds` (only "
        "these OUs, nested OUs included), `excludeAccounts`, `includeAccounts`. docs/organizations.md.",
    )
    spoke_role_name: str = Field(
        DEFAULT_SPOKE_ROLE_NAME,
        alias="spokeRoleName",
        description="Name of the read-only role the RegwatchSpoke stack creates in each member account.",
    )
    external_id: str | None = Field(
        None,
        alias="externalId",
        description="sts:ExternalId the scanner passes and the spoke role requires (static mode; "
        "organization mode uses aws:PrincipalOrgID instead).",
    )
    max_scanner_concurrency: int = Field(
        10,
        alias="maxScannerConcurrency",
        ge=2,
        le=1000,
        description="Most targets (account, region) scanned at once: the scan queue's event source "
        "mapping MaximumConcurrency.",
    )
    spoke: SpokeSetting = Field(
        default_factory=lambda: SpokeSetting.model_validate({}),
        description="Defaults of the RegwatchSpoke stack's parameters: `hubAccountId`, `hubRegion`, "
        "`forwardNativeEvents` (forward aws.sms-voice status events to the hub bus).",
    )

    # -- field checks: each message is prefixed with the key by ConfigError formatting --

    @field_validator(
        "digest_destinations",
        "monitored_regions",
        mode="before",
    )
    @classmethod
    def _lists_from_strings(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator(
        "reminder_auth_link_warning",
        "reminder_resend_window_warning",
        "reminder_draft_forgotten_after",
        "reminder_review_expected_default",
    )
    @classmethod
    def _check_duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration("", value)
        return value

    @field_validator("reminder_review_expected")
    @classmethod
    def _check_review_table(cls, value: dict[str, str]) -> dict[str, str]:
        for registration_type, duration in value.items():
            parse_duration(registration_type, duration)
        return value

    @field_validator("digest_time")
    @classmethod
    def _check_digest_time(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a 24-hour local time HH:MM (e.g. '08:00')")
        return value

    @field_validator("digest_timezone")
    @classmethod
    def _check_digest_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')") from None
        return value

    @field_validator("evaluator_schedule")
    @classmethod
    def _check_evaluator_schedule(cls, value: str) -> str:
        if not (_RATE.match(value) or _CRON.match(value)):
            raise ValueError(f"{value!r} is not an EventBridge schedule: use e.g. 'rate(1 hour)'")
        return value

    @field_validator(
        "alarm_email",
        "heartbeat_interval_minutes",
        "reminder_draft_forgotten_after",
        "digest_time",
        mode="before",
    )
    @classmethod
    def _optional_from_strings(cls, value: Any) -> Any:
        return _none_if_empty(value)

    @field_validator("accounts", "organization", "spoke", mode="before")
    @classmethod
    def _objects_from_strings(cls, value: Any) -> Any:
        # `-c regwatch.accounts='[...]'` arrives as a string.
        return json.loads(value) if isinstance(value, str) and value.strip()[:1] in "[{" else value

    @field_validator("external_id", mode="before")
    @classmethod
    def _optional_external_id(cls, value: Any) -> Any:
        return _none_if_empty(value)

    @field_validator("spoke_role_name")
    @classmethod
    def _check_role_name(cls, value: str) -> str:
        if not ROLE_NAME.match(value):
            raise ValueError(f"{value[:80]!r} is not an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)")
        return value

    @field_validator("external_id")
    @classmethod
    def _check_external_id(cls, value: str | None) -> str | None:
        if value is not None and not EXTERNAL_ID.match(value):
            raise ValueError("is not a usable sts:ExternalId (2-1224 of A-Z a-z 0-9 + = , . @ : / _ -)")
        return value

    @field_validator("accounts")
    @classmethod
    def _check_accounts(cls, value: list[AccountSetting]) -> list[AccountSetting]:
        ids = [account.id for account in value]
        if len(set(ids)) != len(ids):
            raise ValueError("lists an account twice")
        return value

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        if not (_RATE.match(value) or _CRON.match(value)):
            raise ValueError(
                f"{value!r} is not an EventBridge schedule: "
                "use e.g. 'rate(5 minutes)' or 'cron(0/5 * * * ? *)'"
            )
        return value

    @field_validator("monitored_regions")
    @classmethod
    def _check_regions(cls, value: list[str]) -> list[str]:
        bad = [region for region in value if not _REGION.match(region)]
        if bad:
            raise ValueError(f"not AWS region names: {bad}")
        if len(set(value)) != len(value):
            raise ValueError("lists a region twice")
        return value

    @field_validator("event_bus_name")
    @classmethod
    def _check_bus_name(cls, value: str) -> str:
        if not _BUS_NAME.match(value) or value == "default":
            raise ValueError(f"{value!r} is not a custom event bus name ([A-Za-z0-9._-/], not 'default')")
        return value

    @field_validator("event_source")
    @classmethod
    def _check_source(cls, value: str) -> str:
        if not _EVENT_SOURCE.match(value) or value.startswith("aws."):
            raise ValueError(f"{value!r} is not a usable event source (and 'aws.' sources are reserved)")
        return value

    @field_validator("alarm_email")
    @classmethod
    def _check_alarm_email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _check_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{value} is not a CloudWatch Logs retention; choose one of {LOG_RETENTION_DAYS}"
            )
        return value

    @field_validator("metrics_namespace")
    @classmethod
    def _check_namespace(cls, value: str) -> str:
        if not _NAMESPACE.match(value) or value.startswith("AWS/"):
            raise ValueError(f"{value!r} is not a custom CloudWatch namespace")
        return value

    @model_validator(mode="after")
    def _check_heartbeat(self) -> RegwatchConfig:
        if self.heartbeat_interval_minutes is None and schedule_interval_minutes(self.schedule) is None:
            raise ValueError(
                "regwatch.heartbeatIntervalMinutes is required "
                "when regwatch.schedule is a cron(...) expression"
            )
        if self.heartbeat_minutes * MISSED_SCANS_ALARM_INTERVALS > MAX_ALARM_WINDOW_MINUTES:
            raise ValueError(
                f"regwatch.schedule: scans are too far apart for the missed-scan alarm "
                f"({MISSED_SCANS_ALARM_INTERVALS} intervals must fit CloudWatch's 7-day alarm window)"
            )
        problems = destination_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- derived values --

    @property
    def heartbeat_minutes(self) -> int:
        """Expected minutes between completed scans."""
        if self.heartbeat_interval_minutes is not None:
            return self.heartbeat_interval_minutes
        derived = schedule_interval_minutes(self.schedule)
        assert derived is not None  # guaranteed by _check_heartbeat  # noqa: S101
        return derived

    def destination(self, name: str) -> DestinationConfig:
        """One destination's settings and routing (destinations/registry.py names them)."""
        spec = registry.destination(name)
        return DestinationConfig(spec, destination_values(self, spec))

    def destinations(self) -> list[DestinationConfig]:
        """Every destination of the registry, enabled or not, in registry order."""
        return [self.destination(spec.name) for spec in registry.DESTINATIONS]

    # -- construction --

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> RegwatchConfig:
        """Validate one `regwatch` object (camelCase keys); raise ConfigError naming each bad key."""
        try:
            return cls.model_validate(dict(raw))
        except ValidationError as error:
            raise ConfigError(_describe(error)) from None

    @classmethod
    def from_context(cls, base: Any, overrides: Mapping[str, Any]) -> RegwatchConfig:
        """Merge the `regwatch` context value with `regwatch.<key>` overrides, then validate.

        `base` is what the context holds under `regwatch` (a dict from cdk.json, or a JSON string
        from `-c regwatch='{...}'`); `overrides` maps full context keys (`regwatch.schedule`) to values.
        """
        if base is None:
            base = {}
        if isinstance(base, str):
            try:
                base = json.loads(base)
            except json.JSONDecodeError as error:
                raise ConfigError(f"regwatch: not a JSON object ({error})") from None
        if not isinstance(base, Mapping):
            raise ConfigError(f"regwatch: must be an object of settings, got {type(base).__name__}")
        merged = dict(base)
        for key, value in overrides.items():
            merged[key.removeprefix(f"{CONTEXT_KEY}.")] = value
        return cls.from_mapping(merged)


if TYPE_CHECKING:
    RegwatchConfig = _RegwatchSettings
else:
    RegwatchConfig = create_model(
        "RegwatchConfig", __base__=_RegwatchSettings, __module__=__name__, **destination_fields()
    )


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        key = f"{CONTEXT_KEY}.{location}" if location else CONTEXT_KEY
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = f"unknown setting (known: {', '.join(documented_keys())})"
        lines.append(f"{key}: {message}")
    return "invalid regwatch configuration:\n  " + "\n  ".join(lines)


def documented_keys() -> list[str]:
    """The camelCase keys users write, in declaration order."""
    return [field.alias or name for name, field in RegwatchConfig.model_fields.items()]


def load_config(context: Mapping[str, Any]) -> RegwatchConfig:
    """Build the config from a construct tree's context (`node.get_all_context()`)."""
    overrides = {key: value for key, value in context.items() if key.startswith(f"{CONTEXT_KEY}.")}
    return RegwatchConfig.from_context(context.get(CONTEXT_KEY), overrides)
