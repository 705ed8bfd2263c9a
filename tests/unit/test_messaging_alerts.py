"""RCS launch and Notify configuration alerts (contract 1.2): the content every destination
renders, Slack's thread per resource and PagerDuty's incident per resource."""

from __future__ import annotations

from destinations.pagerduty.lifecycle import decide
from regwatch.event_models import parse_regwatch_event
from regwatch_alerts.alert_content import describe
from tests.golden.sample_events import MESSAGING_SAMPLES, SOURCE, messaging_event, notify_transition


def test_a_carrier_change_under_an_unchanged_country_names_the_carrier() -> None:
    content = describe(parse_regwatch_event(MESSAGING_SAMPLES["rcs_launch_carrier_active"](), SOURCE))
    assert content.headline == "For information: RCS agent rcs-agent-acme in US: AT&T Pending → Active"
    facts = {(f.label, f.value) for f in content.facts}
    assert ("Launch status", "Partial (unchanged)") in facts
    assert ("Carrier", "AT&T: Pending → Active (changed)") in facts
    assert ("Carrier", "Verizon: Pending") in facts


def test_a_rejected_configuration_shows_aws_reason_and_a_next_step() -> None:
    event = messaging_event(notify_transition("REJECTED", "PENDING", "Website unclear"))
    content = describe(parse_regwatch_event(event, SOURCE))
    assert content.severity_label == "Action required"
    assert ("Rejection reason", "Website unclear") in {(f.label, f.value) for f in content.facts}
    assert content.next_steps and "rejection reason" in content.next_steps[0]


def test_pagerduty_opens_one_incident_per_resource_and_resolves_it_when_active() -> None:
    rejected = messaging_event(notify_transition("REJECTED", "PENDING", "Website unclear"))
    active = messaging_event(notify_transition("ACTIVE", "REJECTED"))
    launch = MESSAGING_SAMPLES["rcs_launch_rejected"]()
    opened = decide(rejected["detail-type"], rejected["detail"], rejected["time"])
    closed = decide(active["detail-type"], active["detail"], active["time"])
    other = decide(launch["detail-type"], launch["detail"], launch["time"])
    # REJECTED needs a person (an incident opens), ACTIVE does not (the open one resolves).
    assert (opened.wants_open, closed.wants_open) == (True, False)
    assert opened.dedup_key == closed.dedup_key == "regwatch/123456789012/us-east-1/notify-otp"
    assert other.dedup_key == "regwatch/123456789012/us-east-1/rcs-agent-acme/CA"
