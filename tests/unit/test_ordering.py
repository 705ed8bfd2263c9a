"""The ordering key (regwatch/ordering.py) and the `statusSince` its producers write (contract 1.2)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regwatch.ordering import OrderingKey, ordering_key, status_rank
from tests.golden.sample_events import SAMPLES, event_for
from tests.integration.notifiers.registration_story import APPROVED_AT, STEPS, story


def test_a_reminder_carries_the_time_of_the_status_it_reminds_about_not_the_evaluators_clock() -> None:
    [reminder] = [e.event for e in story() if e.reminder and e.event["detail"]["versionNumber"] == 2]
    detail = reminder["detail"]
    assert detail["observedAt"] == "2025-03-03T10:02:00Z"  # the evaluator ran after AWS approved
    assert detail["statusSince"] == "2025-02-24T11:00:00Z"  # version 2's ReviewingTimestamp
    assert detail["statusTimestamp"] == "2025-02-24T10:00:00Z"  # 1.1 meaning kept: the wait began
    approved = next(e.event for e in story() if e.status == "APPROVED")
    assert ordering_key(reminder["detail-type"], detail) < ordering_key(
        approved["detail-type"], approved["detail"]
    )
    assert approved["detail"]["statusSince"] == approved["detail"]["statusTimestamp"]


def test_every_story_event_orders_with_its_step() -> None:
    """Keys follow AWS's order of steps; a reminder has its status event's key exactly."""
    events = story()
    keys = {e.step: ordering_key(e.event["detail-type"], e.event["detail"]) for e in events if not e.reminder}
    assert [keys[i] for i in sorted(keys)] == sorted(keys.values())
    for e in events:
        if e.reminder:
            assert ordering_key(e.event["detail-type"], e.event["detail"]) == keys[e.step]
    assert STEPS[-1].at == APPROVED_AT


def test_registration_level_and_untimed_events_have_a_status_since() -> None:
    complete = event_for(SAMPLES["registration_complete"]())["detail"]
    assert complete["statusSince"] == complete["observedAt"]
    untimed = event_for(SAMPLES["version_requires_offline_review_untimed"]())["detail"]
    assert untimed["statusTimestamp"] is None
    assert untimed["statusSince"] == max(untimed["statusHistory"].values())


def test_a_1_1_event_without_status_since_gets_the_same_key() -> None:
    for item in story():
        event = item.event
        older = {k: v for k, v in event["detail"].items() if k != "statusSince"}
        assert ordering_key(event["detail-type"], older) == ordering_key(
            event["detail-type"], event["detail"]
        )


def test_lifecycle_rank_breaks_same_second_ties() -> None:
    assert status_rank("REVIEWING") < status_rank("APPROVED") < status_rank("REVOKED")
    assert status_rank("REQUIRES_UPDATES") == status_rank("DENIED")
    assert status_rank("SOMETHING_AWS_ADDS_LATER") < status_rank("DELETED")


@settings(max_examples=200, derandomize=True)
@given(
    a=st.tuples(st.integers(0, 4_102_444_800_000), st.integers(0, 99_999), st.integers(0, 99)),
    b=st.tuples(st.integers(0, 4_102_444_800_000), st.integers(0, 99_999), st.integers(0, 99)),
)
def test_the_packed_key_orders_like_the_tuple(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    """DynamoDB compares the packed number in its condition: it must agree with the tuple."""
    ka, kb = OrderingKey(*a), OrderingKey(*b)
    assert (ka < kb) == (ka.packed() < kb.packed()) and (ka == kb) == (ka.packed() == kb.packed())
