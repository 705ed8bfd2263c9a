"""Contract-v1 events for the notifier tests, built by the producer itself.

Every event here comes from `regwatch.events.build_entry` on a `Transition`, then is
wrapped the way EventBridge delivers it to a Lambda target, so producer and consumers
cannot drift apart. Times are fixed so golden files are stable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from regwatch.events import EventContext, build_entry, iso_utc
from regwatch.messaging_events import build_messaging_entry
from regwatch.messaging_resources import (
    CarrierChange,
    MessagingKind,
    MessagingTransition,
    NotifyConfiguration,
    RcsCountryLaunch,
)
from regwatch.model import (
    Association,
    DeniedReason,
    FieldFeedback,
    RegistrationChange,
    RegistrationProfile,
    RegistrationSummary,
    RegistrationVersion,
    Scope,
    Transition,
    history_key_for_status,
)

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
SOURCE = "regwatch"
CONTEXT = EventContext(account_id=ACCOUNT_ID, region=REGION, source=SOURCE, event_bus_name="regwatch")
T0 = datetime(2025, 3, 3, 9, 15, tzinfo=UTC)
OBSERVED = T0 + timedelta(minutes=7)

CAMPAIGN_DOCS = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-10dlc-campaign.html"
OPT_IN_DOCS = "https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-opt-in.html"

DENIAL_REASONS = (
    DeniedReason(
        reason="OPT_IN_WORKFLOW",
        short_description="The opt-in workflow is missing or unclear",
        long_description=(
            "Describe how end users consent to receive messages: where they enter their number, "
            "the consent text they see, and a screenshot or public URL of the opt-in page."
        ),
        documentation_title="Opt-in requirements",
        documentation_link=OPT_IN_DOCS,
    ),
    DeniedReason(
        reason="SAMPLE_MESSAGES",
        short_description="Sample messages do not match the use case",
        long_description="Each sample message must include the brand name and opt-out language (Reply STOP).",
        documentation_title="10DLC campaign registration",
        documentation_link=CAMPAIGN_DOCS,
    ),
)

# Reasons as AWS's rejection troubleshooting guide lists them (ENUM values): alerts add the
# guide's fix and whether a new version can be submitted (regwatch.denial_reasons).
DOCUMENTED_DENIAL_REASONS = (
    DeniedReason(
        reason="OPT_IN_WORKFLOW_MISSING",
        short_description="No opt-in workflow URL or image was provided.",
        documentation_title="Rejection troubleshooting",
        documentation_link="https://docs.aws.amazon.com/sms-voice/latest/userguide/registration-help-rejection-troubleshooting.html",
    ),
    DeniedReason(
        reason="SAMPLE_MESSAGE_USE_CASE_MISMATCH",
        short_description="Sample messages do not match the declared use case.",
    ),
)
NOT_RESUBMITTABLE_REASONS = (
    DeniedReason(
        reason="CAMPAIGN_NON_COMPLIANT_CONTENT_GAMBLING",
        short_description="Message content involves gambling.",
    ),
    DeniedReason(
        reason="PRIVACY_POLICY_MISSING", short_description="The privacy policy URL is inaccessible."
    ),
)


def registration(
    registration_id: str = "registration-0a1b2c3d4e5f",
    registration_type: str = "US_TEN_DLC_CAMPAIGN_REGISTRATION",
    registration_status: str = "REVIEWING",
    current_version: int = 2,
) -> RegistrationSummary:
    return RegistrationSummary(
        registration_id=registration_id,
        registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:registration/{registration_id}",
        registration_type=registration_type,
        registration_status=registration_status,
        current_version_number=current_version,
        created_timestamp=T0 - timedelta(days=3),
    )


def version_transition(
    status: str,
    previous: str | None,
    *,
    registration_type: str = "US_TEN_DLC_CAMPAIGN_REGISTRATION",
    registration_status: str = "REVIEWING",
    version_number: int = 2,
    reasons: tuple[DeniedReason, ...] = (),
    feedback: str | None = None,
    timed: bool = True,
    baseline: bool = False,
    registration_id: str = "registration-0a1b2c3d4e5f",
) -> Transition:
    history = {"DraftTimestamp": T0 - timedelta(days=2), "SubmittedTimestamp": T0 - timedelta(days=1)}
    if timed:
        history[history_key_for_status(status)] = T0
    version = RegistrationVersion(
        version_number=version_number,
        status=status,
        status_history=history,
        denied_reasons=reasons,
        feedback=feedback,
    )
    return Transition(
        scope=Scope.VERSION,
        registration=registration(registration_id, registration_type, registration_status, version_number),
        status=status,
        previous_status=previous,
        status_timestamp=T0 if timed else None,
        observed_at=OBSERVED,
        version=version,
        dedup_key="" if timed else f"after-{previous}",
        baseline=baseline,
    )


def registration_transition(
    status: str,
    previous: str | None,
    change: RegistrationChange = RegistrationChange.STATUS_CHANGED,
    *,
    registration_type: str = "US_TOLL_FREE_REGISTRATION",
    baseline: bool = False,
) -> Transition:
    return Transition(
        scope=Scope.REGISTRATION,
        registration=registration("registration-77aa88bb99cc", registration_type, status, 1),
        status=status,
        previous_status=previous,
        status_timestamp=None,
        observed_at=OBSERVED,
        registration_change=change,
        dedup_key=f"after-{previous}",
        baseline=baseline,
    )


def as_delivered(entry: dict[str, Any], *, source: str | None = None) -> dict[str, Any]:
    """A PutEvents entry as EventBridge hands it to a Lambda target."""
    detail = json.loads(entry["Detail"])
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, detail["eventId"])),
        "detail-type": entry["DetailType"],
        "source": source or entry["Source"],
        "account": ACCOUNT_ID,
        "time": iso_utc(entry["Time"]),
        "region": REGION,
        "resources": entry["Resources"],
        "detail": detail,
    }


def event_for(transition: Transition) -> dict[str, Any]:
    return as_delivered(build_entry(transition, CONTEXT))


NAMED_PROFILE = RegistrationProfile(
    name="Acme Travel – booking alerts",
    name_source="tag:Name",
    fields_version=2,
    associations=tuple(
        Association("phone-number", f"phone-0a1b2c3d4e5f{n:04d}", None, f"+1206555010{n}", "US")
        for n in range(7)
    ),
    association_count=7,
    associations_read=True,
)
FIELD_FEEDBACK = (
    FieldFeedback(
        "companyInfo.website",
        "Website unreachable",
        "The website returned HTTP 404. Use a public URL that describes the business and its messaging.",
    ),
    FieldFeedback(
        "messagingUseCase.optInDescription",
        None,
        "Describe where end users enter their number and quote the consent text they see.",
    ),
    FieldFeedback("messageSamples.messageSample2", "Missing opt-out language", None),
)


def named(transition: Transition, **changes: Any) -> Transition:
    """The transition as the scanner publishes it once names and impact are known."""
    profile = replace(NAMED_PROFILE, **changes)
    return replace(transition, profile=profile)


INJECTION = "<!channel> hello @here <https://evil.example/phish|Open the AWS console> & <@U012345>"

SAMPLES: dict[str, Callable[[], Transition]] = {
    "version_denied_with_reasons": lambda: version_transition(
        "DENIED",
        "REVIEWING",
        reasons=DENIAL_REASONS,
        feedback="Please provide a public link to the opt-in page.",
    ),
    "version_denied_documented_reasons": lambda: version_transition(
        "DENIED", "REVIEWING", reasons=DOCUMENTED_DENIAL_REASONS
    ),
    "version_denied_not_resubmittable": lambda: version_transition(
        "DENIED", "REVIEWING", reasons=NOT_RESUBMITTABLE_REASONS
    ),
    "version_requires_authentication_10dlc_brand": lambda: version_transition(
        "REQUIRES_AUTHENTICATION",
        "AWS_REVIEWING",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status="REQUIRES_AUTHENTICATION",
        version_number=1,
    ),
    "version_revoked": lambda: version_transition("REVOKED", "APPROVED", registration_status="CLOSED"),
    "version_approved": lambda: version_transition(
        "APPROVED", "REVIEWING", registration_status="PROVISIONING"
    ),
    "version_submitted": lambda: version_transition("SUBMITTED", "DRAFT", registration_status="SUBMITTED"),
    "version_reviewing": lambda: version_transition("REVIEWING", "AWS_REVIEWING"),
    "version_requires_offline_review_untimed": lambda: version_transition(
        "REQUIRES_OFFLINE_REVIEW", "REVIEWING", timed=False
    ),
    "version_unknown_status": lambda: version_transition("AWS_ESCALATED", "REVIEWING"),
    "version_draft_created": lambda: version_transition("DRAFT", None, registration_status="CREATED"),
    "registration_complete": lambda: registration_transition("COMPLETE", "PROVISIONING"),
    "registration_requires_updates": lambda: registration_transition("REQUIRES_UPDATES", "REVIEWING"),
    "registration_discovered_baseline": lambda: registration_transition(
        "REQUIRES_AUTHENTICATION", None, RegistrationChange.DISCOVERED, baseline=True
    ),
    "registration_deleted": lambda: registration_transition(
        "DELETED", "COMPLETE", RegistrationChange.DELETED
    ),
    "named_version_denied_with_field_feedback": lambda: replace(
        named(
            version_transition(
                "DENIED",
                "REVIEWING",
                registration_type="US_TOLL_FREE_REGISTRATION",
                registration_status="REQUIRES_UPDATES",
                reasons=DENIAL_REASONS[:1],
            ),
            field_feedback_version=2,
            field_feedback=FIELD_FEEDBACK,
        ),
        registration_previous_status="REVIEWING",
    ),
    "named_version_approved_registration_complete": lambda: replace(
        named(version_transition("APPROVED", "REVIEWING", registration_status="COMPLETE")),
        registration_previous_status="REVIEWING",
    ),
    "named_version_requires_authentication": lambda: named(
        version_transition(
            "REQUIRES_AUTHENTICATION",
            "AWS_REVIEWING",
            registration_type="US_TEN_DLC_BRAND_REGISTRATION",
            registration_status="REQUIRES_AUTHENTICATION",
            version_number=1,
        ),
        name="Acme Corporation",
        name_source="field:companyInfo.companyName",
        associations=(),
        association_count=0,
    ),
    "denied_mrkdwn_injection": lambda: version_transition(
        "DENIED",
        "REVIEWING",
        reasons=(
            DeniedReason(
                reason=INJECTION,
                short_description=INJECTION,
                long_description=INJECTION,
                documentation_title=INJECTION,
                documentation_link="https://evil.example/x>|<!channel>",
            ),
        ),
        feedback=INJECTION,
    ),
}


def huge_denial(reason_count: int = 60, text_chars: int = 9000) -> Transition:
    """Many reasons with texts far over Slack's limits (and over EventBridge's, so trimmed)."""
    reasons = tuple(
        DeniedReason(
            reason=f"REASON_{n:02d}",
            short_description=f"Short description {n} " + "s" * 300,
            long_description=f"Long description {n} & more " + "word " * (text_chars // 5),
            documentation_title=f"Doc {n}",
            documentation_link=f"{CAMPAIGN_DOCS}#section-{n}",
        )
        for n in range(reason_count)
    )
    return version_transition("DENIED", "REVIEWING", reasons=reasons, feedback="F" * 20000)


# ---- contract 1.1 reminders: built by the evaluator's own producer ------------------------


def reminder_event(
    kind: str, *, status: str = "REQUIRES_AUTHENTICATION", named_profile: bool = True
) -> dict[str, Any]:
    """A delivered "Registration Reminder" for a 10DLC brand waiting since T0 (submitted a day before)."""
    from regwatch.reminder_events import build_reminder_entry
    from regwatch.reminders import ReminderKind, ReminderPolicy, due_reminders
    from regwatch.snapshot import RegionKey, RegistrationSnapshot, VersionSnapshot

    history = {"DraftTimestamp": T0 - timedelta(days=2), "SubmittedTimestamp": T0 - timedelta(days=1)}
    if status == "REQUIRES_AUTHENTICATION":
        history["RequiresAuthenticationTimestamp"] = T0
    version = VersionSnapshot(version_number=1, status=status, status_history=history)
    snapshot = RegistrationSnapshot(
        registration_id="registration-0a1b2c3d4e5f",
        registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:registration/registration-0a1b2c3d4e5f",
        registration_type="US_TEN_DLC_BRAND_REGISTRATION",
        registration_status=status if status == "REQUIRES_AUTHENTICATION" else "REVIEWING",
        current_version_number=1,
        approved_version_number=None,
        latest_denied_version_number=None,
        versions={1: version},
        full_read_at=OBSERVED,
        profile=replace(NAMED_PROFILE, name="Acme Corporation", associations=(), association_count=0)
        if named_profile
        else None,
    )
    policy = ReminderPolicy()
    for days in range(0, 40):
        now = T0 + timedelta(days=days, hours=1)
        found = [
            r
            for r in due_reminders(RegionKey(ACCOUNT_ID, REGION), snapshot, policy, now)
            if r.kind == ReminderKind(kind)
        ]
        if found:
            return as_delivered(build_reminder_entry(found[0], CONTEXT, now))
    raise AssertionError(f"{kind} never became due")


REMINDER_SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "reminder_authentication_link_expiring": lambda: reminder_event("AUTHENTICATION_LINK_EXPIRING"),
    "reminder_authentication_link_expired": lambda: reminder_event("AUTHENTICATION_LINK_EXPIRED"),
    "reminder_resend_window_closing": lambda: reminder_event("RESEND_WINDOW_CLOSING", named_profile=False),
    "reminder_resend_window_closed": lambda: reminder_event("RESEND_WINDOW_CLOSED"),
    "reminder_review_overdue": lambda: reminder_event("REVIEW_OVERDUE", status="REVIEWING"),
}


# ---- contract 1.1: the daily digest -------------------------------------------------------


def digest_event(*, quiet: bool) -> dict[str, Any]:
    """A delivered "Registration Digest" for 2025-03-04 08:00 Europe/Berlin."""
    from regwatch.digest import build_digest, digest_detail
    from regwatch.evaluate import DIGEST_DETAIL_TYPE, fit_detail_digest
    from regwatch.events import SCHEMA_VERSION
    from regwatch.reminders import ReminderPolicy
    from regwatch.snapshot import RegionKey, RegistrationSnapshot, ScanState, VersionSnapshot

    now = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)

    def snapshot(  # noqa: PLR0917 - a compact fixture builder
        rid: str, rtype: str, status: str, version_status: str, key: str, at: datetime, name: str | None
    ) -> RegistrationSnapshot:
        history = {
            "DraftTimestamp": at - timedelta(days=3),
            "SubmittedTimestamp": at - timedelta(days=2),
            key: at,
        }
        return RegistrationSnapshot(
            registration_id=rid,
            registration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:registration/{rid}",
            registration_type=rtype,
            registration_status=status,
            current_version_number=1,
            approved_version_number=None,
            latest_denied_version_number=None,
            versions={1: VersionSnapshot(1, version_status, history)},
            full_read_at=now,
            profile=RegistrationProfile(name=name) if name else None,
        )

    east, west = RegionKey(ACCOUNT_ID, REGION), RegionKey(ACCOUNT_ID, "us-west-2")
    complete = snapshot(
        "registration-aa11",
        "US_TOLL_FREE_REGISTRATION",
        "COMPLETE",
        "APPROVED",
        "ApprovedTimestamp",
        now - timedelta(days=20),
        "Acme Travel – booking alerts",
    )
    registrations = [(east, complete)]
    if not quiet:
        registrations += [
            (
                east,
                snapshot(
                    "registration-bb22",
                    "US_TEN_DLC_BRAND_REGISTRATION",
                    "REQUIRES_AUTHENTICATION",
                    "REQUIRES_AUTHENTICATION",
                    "RequiresAuthenticationTimestamp",
                    now - timedelta(hours=20),
                    "Acme Corporation",
                ),
            ),
            (
                west,
                snapshot(
                    "registration-cc33",
                    "US_TEN_DLC_CAMPAIGN_REGISTRATION",
                    "REQUIRES_UPDATES",
                    "DENIED",
                    "DeniedTimestamp",
                    now - timedelta(hours=3),
                    None,
                ),
            ),
            (
                west,
                snapshot(
                    "registration-dd44",
                    "US_TOLL_FREE_REGISTRATION",
                    "REVIEWING",
                    "REVIEWING",
                    "ReviewingTimestamp",
                    now - timedelta(days=25),
                    "Acme Support line",
                ),
            ),
        ]
    states = {
        east: ScanState(last_scan_completed_at=now - timedelta(minutes=4)),
        west: ScanState(last_scan_completed_at=None if not quiet else now - timedelta(minutes=4)),
    }
    digest = build_digest(registrations, states, ReminderPolicy(), date(2025, 3, 4), "Europe/Berlin", now)
    detail = fit_detail_digest(digest_detail(digest, SCHEMA_VERSION), SOURCE)
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, digest.event_id)),
        "detail-type": DIGEST_DETAIL_TYPE,
        "source": SOURCE,
        "account": ACCOUNT_ID,
        "time": iso_utc(now),
        "region": REGION,
        "resources": [],
        "detail": json.loads(detail),
    }


DIGEST_SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "digest_quiet_day": lambda: digest_event(quiet=True),
    "digest_busy_day": lambda: digest_event(quiet=False),
}


# ---- contract 1.2: RCS launches and Notify configurations -----------------------------------

RCS_AGENT_ARN = f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:rcs-agent/rcs-agent-acme"


def rcs_launch_transition(
    status: str, previous: str | None, carriers: dict[str, tuple[str | None, str]], *, country: str = "US"
) -> MessagingTransition:
    launch = RcsCountryLaunch(
        agent_id="rcs-agent-acme",
        agent_arn=RCS_AGENT_ARN,
        iso_country_code=country,
        status=status,
        registration_id="registration-rcs0a1b2c3d",
        carriers={name: now for name, (_, now) in carriers.items()},
    )
    return MessagingTransition(
        kind=MessagingKind.RCS_LAUNCH,
        status=status,
        previous_status=previous,
        observed_at=OBSERVED,
        baseline=previous is None,
        launch=launch,
        carriers=tuple(CarrierChange(name, now, before) for name, (before, now) in sorted(carriers.items())),
    )


def notify_transition(
    status: str, previous: str | None, reason: str | None = None, previous_reason: str | None = None
) -> MessagingTransition:
    configuration = NotifyConfiguration(
        configuration_id="notify-otp",
        configuration_arn=f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:notify-configuration/notify-otp",
        display_name="Acme OTP",
        status=status,
        rejection_reason=reason,
        tier="BASIC",
        tier_upgrade_status="BASIC",
    )
    return MessagingTransition(
        kind=MessagingKind.NOTIFY_CONFIGURATION,
        status=status,
        previous_status=previous,
        observed_at=OBSERVED,
        baseline=previous is None,
        configuration=configuration,
        previous_rejection_reason=previous_reason,
    )


def messaging_event(transition: MessagingTransition) -> dict[str, Any]:
    return as_delivered(build_messaging_entry(transition, CONTEXT))


MESSAGING_SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "rcs_launch_carrier_active": lambda: messaging_event(
        rcs_launch_transition(
            "PARTIAL",
            "PARTIAL",
            {
                "AT&T": ("PENDING", "ACTIVE"),
                "T-Mobile": ("ACTIVE", "ACTIVE"),
                "Verizon": ("PENDING", "PENDING"),
            },
        )
    ),
    "rcs_launch_active": lambda: messaging_event(
        rcs_launch_transition(
            "ACTIVE",
            "PARTIAL",
            {
                "AT&T": ("ACTIVE", "ACTIVE"),
                "T-Mobile": ("ACTIVE", "ACTIVE"),
                "Verizon": ("PENDING", "ACTIVE"),
            },
        )
    ),
    "rcs_launch_rejected": lambda: messaging_event(
        rcs_launch_transition("REJECTED", "PENDING", {"Rogers": ("PENDING", "REJECTED")}, country="CA")
    ),
    "notify_configuration_rejected": lambda: messaging_event(
        notify_transition("REJECTED", "PENDING", f"The website does not describe the use case. {INJECTION}")
    ),
    "notify_configuration_active": lambda: messaging_event(
        notify_transition("ACTIVE", "REQUIRES_VERIFICATION")
    ),
}
