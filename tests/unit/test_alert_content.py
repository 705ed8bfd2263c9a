"""What the authentication alert tells on-call about deadlines, in both timing cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from regwatch.event_models import RegwatchEvent, parse_regwatch_event
from regwatch.model import Transition
from regwatch_alerts.alert_content import describe
from tests.golden.sample_events import SOURCE, T0, event_for, version_transition


def _authentication_alert(submitted_days_before: int) -> RegwatchEvent:
    transition: Transition = version_transition(
        "REQUIRES_AUTHENTICATION", "REVIEWING", registration_type="US_TEN_DLC_BRAND_REGISTRATION"
    )
    assert transition.version is not None
    history = {
        **transition.version.status_history,
        "SubmittedTimestamp": T0 - timedelta(days=submitted_days_before),
    }
    transition = replace(transition, version=replace(transition.version, status_history=history))
    return parse_regwatch_event(event_for(transition), SOURCE)


def test_recent_submission_offers_resending_until_the_window_closes() -> None:
    steps = " ".join(describe(_authentication_alert(submitted_days_before=1)).next_steps)
    assert "so until about 2025-03-10 09:15 UTC" in steps  # the link: 7 days after the status
    assert "resend the email from the console until about 2025-04-01 09:15 UTC" in steps  # submission + 30 d
    assert "Do not let it expire" not in steps


def test_long_review_warns_that_this_link_is_the_last_chance() -> None:
    # Submitted 29 days ago: resending closes in a day, before the 7-day link expires.
    steps = " ".join(describe(_authentication_alert(submitted_days_before=29)).next_steps)
    assert "Do not let it expire" in steps
    assert "resend the email from the console until about" not in steps
    resend_close = (T0 + timedelta(days=1)).strftime("%Y-%m-%d %H:%M UTC")
    assert f"resending is only possible until about {resend_close}" in steps


def test_a_capped_association_count_reads_at_least() -> None:
    from regwatch.event_models import AssociationDetail
    from regwatch_alerts.alert_content import affects_text

    named = [AssociationDetail(resourceType="phone-number", resourceId=f"p{n}") for n in range(20)]
    assert affects_text(named, 250) == "p0, p1, p2, p3, p4 and 245 more"
    assert affects_text(named, 1000, at_least=True) == "p0, p1, p2, p3, p4 and at least 995 more"
    assert affects_text([], 1000, at_least=True) == "at least 1000 resources"
