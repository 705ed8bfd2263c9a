"""The typed `regwatch` context of cdk.json: every setting, its default and its documentation.

A new setting is one field of `_RegwatchSettings` below: its type (infra/setting_types.py holds
the checked ones), its default, its camelCase alias and its description (docs/configuration.md).
How the context is merged and errors are worded: infra/config_context.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from destinations import registry
from infra.config_context import CONTEXT_KEY, ConfigError, context_overrides, describe, merged_settings
from infra.destination_config import (
    DestinationConfig,
    destination_fields,
    destination_problems,
    destination_values,
)
from infra.setting_types import (
    DIGEST_DESTINATIONS,
    OBJECT_FROM_TEXT,
    AccountList,
    DigestDestinationList,
    Duration,
    EvaluatorSchedule,
    EventBusName,
    EventSource,
    LogRetentionDays,
    MetricsNamespace,
    OptionalDuration,
    OptionalEmail,
    OptionalExternalId,
    OptionalLocalTime,
    OptionalMinutes,
    RegionList,
    ReviewTable,
    RoleName,
    ScanSchedule,
    TimeZoneName,
    default_digest_destinations,
    schedule_interval_minutes,
)
from infra.targets_config import OrganizationSetting, SpokeSetting
from regwatch.targets import DEFAULT_SPOKE_ROLE_NAME

# The missed-scan alarm fires after this many schedule intervals without a completed scan;
# CloudWatch evaluates at most 7 days of data for one alarm.
MISSED_SCANS_ALARM_INTERVALS = 3
MAX_ALARM_WINDOW_MINUTES = 7 * 24 * 60


class _RegwatchSettings(BaseModel):
    """All deploy-time settings. `Field.description` is the documentation (docs/configuration.md).

    The destination keys (`slackWebhookSecret`, `pagerdutySeverities`, ...) are added below
    by `RegwatchConfig`, built from the destination registry (infra/destination_config.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schedule: ScanSchedule = Field(
        "rate(5 minutes)",
        description="How often the scanner runs: an EventBridge `rate(...)` or `cron(...)` expression.",
    )
    heartbeat_interval_minutes: OptionalMinutes = Field(
        None,
        alias="heartbeatIntervalMinutes",
        ge=1,
        le=1440,
        description="Expected minutes between scans for the missed-scan alarm (3 missed intervals alarm). "
        "Derived from a `rate(...)` schedule; required with `cron(...)`.",
    )
    monitored_regions: RegionList = Field(
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
    full_listing_minutes: int = Field(
        15,
        alias="fullListingMinutes",
        ge=0,
        le=1440,
        description="While AWS's native events flow for a target, list every registration at most this "
        "often and only those in flight on the schedules between (docs/scanner.md, Adaptive listing); "
        "0 lists everything on every schedule.",
    )
    native_event_window_hours: int = Field(
        24,
        alias="nativeEventWindowHours",
        ge=1,
        le=720,
        description="A target with no native event for this long lists everything on every schedule "
        "until one arrives.",
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
    event_bus_name: EventBusName = Field(
        "regwatch", alias="eventBusName", description="Name of the custom EventBridge bus the stack creates."
    )
    event_source: EventSource = Field(
        "regwatch", alias="eventSource", description="`source` of every regwatch event (contract v1)."
    )
    archive_retention_days: int = Field(
        30,
        alias="archiveRetentionDays",
        ge=0,
        le=36500,
        description="Days the bus archive keeps events for replay (0 = forever).",
    )
    alarm_email: OptionalEmail = Field(
        None, alias="alarmEmail", description="Email subscribed to the alarm topic (optional)."
    )
    log_retention_days: LogRetentionDays = Field(
        30, alias="logRetentionDays", description="Retention of the functions' log groups, in days."
    )
    log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"] = Field(
        "INFO", alias="logLevel", description="Application log level of the functions (JSON logs)."
    )
    metrics_namespace: MetricsNamespace = Field(
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
    evaluator_schedule: EvaluatorSchedule = Field(
        "rate(1 hour)",
        alias="evaluatorSchedule",
        description="How often the evaluator checks deadlines and sends reminders (no SMS API calls).",
    )
    reminder_auth_link_warning: Duration = Field(
        "2d",
        alias="reminderAuthLinkWarning",
        description="Remind this long before a brand authentication link expires (7 days after it was sent).",
    )
    reminder_resend_window_warning: Duration = Field(
        "3d",
        alias="reminderResendWindowWarning",
        description="Remind this long before the 30-day window to resend the authentication email closes.",
    )
    reminder_draft_forgotten_after: OptionalDuration = Field(
        None,
        alias="reminderDraftForgottenAfter",
        description="Remind about a draft version not submitted after this long; null turns it off.",
    )
    reminder_review_expected: ReviewTable = Field(
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
    reminder_review_expected_default: Duration = Field(
        "28d",
        alias="reminderReviewExpectedDefault",
        description="Expected review time of registration types missing from `reminderReviewExpected`.",
    )
    digest_time: OptionalLocalTime = Field(
        "08:00",
        alias="digestTime",
        description="Local time (HH:MM, 24-hour) of the daily digest, sent by the first evaluator run "
        "at or after it; null turns the digest off.",
    )
    digest_timezone: TimeZoneName = Field(
        "UTC", alias="digestTimezone", description="IANA time zone of `digestTime`, e.g. `Europe/Berlin`."
    )
    digest_destinations: DigestDestinationList = Field(
        default_factory=default_digest_destinations,
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
    accounts: AccountList = Field(
        default_factory=list,
        description='Further accounts to scan (static mode): `[{"id": "111122223333", '
        '"roleArn": null, "regions": []}]`; role default `<spokeRoleName>` in that account, regions '
        "default `monitoredRegions`. docs/organizations.md.",
    )
    organization: Annotated[OrganizationSetting, OBJECT_FROM_TEXT] = Field(
        default_factory=lambda: OrganizationSetting.model_validate({}),
        description="Discover ACTIVE member accounts with AWS Organizations on every schedule (needs the "
        "management account or a delegated administrator): `enabled`, `organizationId`, `ouIds` (only "
        "these OUs, nested OUs included), `excludeAccounts`, `includeAccounts`. docs/organizations.md.",
    )
    spoke_role_name: RoleName = Field(
        DEFAULT_SPOKE_ROLE_NAME,
        alias="spokeRoleName",
        description="Name of the read-only role the RegwatchSpoke stack creates in each member account.",
    )
    external_id: OptionalExternalId = Field(
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
    spoke: Annotated[SpokeSetting, OBJECT_FROM_TEXT] = Field(
        default_factory=lambda: SpokeSetting.model_validate({}),
        description="Defaults of the RegwatchSpoke stack's parameters: `hubAccountId`, `hubRegion`, "
        "`forwardNativeEvents` (forward aws.sms-voice status events to the hub bus).",
    )

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
            raise ConfigError(describe(error, documented_keys())) from None

    @classmethod
    def from_context(cls, base: Any, overrides: Mapping[str, Any]) -> RegwatchConfig:
        """Merge the `regwatch` context value with `regwatch.<key>` overrides, then validate."""
        return cls.from_mapping(merged_settings(base, overrides))


if TYPE_CHECKING:
    RegwatchConfig = _RegwatchSettings
else:
    RegwatchConfig = create_model(
        "RegwatchConfig", __base__=_RegwatchSettings, __module__=__name__, **destination_fields()
    )


def documented_keys() -> list[str]:
    """The camelCase keys users write, in declaration order."""
    return [field.alias or name for name, field in RegwatchConfig.model_fields.items()]


def load_config(context: Mapping[str, Any]) -> RegwatchConfig:
    """Build the config from a construct tree's context (`node.get_all_context()`)."""
    return RegwatchConfig.from_context(context.get(CONTEXT_KEY), context_overrides(context))
