"""The soak, short: two hours of the simulated day (`make soak` runs the full 24), in `make test`.

Two accounts (the hub, and a member reached by AssumeRole) × two regions, 110 registrations in
each (more than one listing page, so expired NextTokens can strike), scanned through the
dispatcher and the scan queue; 24 five-minute scans with overlapping faults of every kind,
the SNS notifier down for 8 scans and redriven, the evaluator after scans 12 and 24 (the
digest time set to the first), then the quiet reconciliation cycle. The invariants are
those of the full day (tests/soak/day.py).
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.soak.chaos import KINDS, NOTIFIER_DOWN, plan_day
from tests.soak.day import (
    CALL_BUDGET_PER_REGION,
    REGWATCH_PROCESS,
    RSS_GROWTH_LIMIT,
    HeapSample,
    ReminderSeen,
    SoakConfig,
    SoakResult,
    proc_available,
    run_day,
)
from tests.soak.fleet import HUB, MEMBER
from tests.soak.run import main, render

# The digest at 01:30 Berlin (00:30 UTC on the emulator's first day): the evaluator run after
# scan 12 (01:00 UTC) sends it.
CONFIG = SoakConfig(seed=5, registrations_per_target=110, ticks=24, digest_time="01:30")
# About 2 minutes alone; the whole day runs once for the module, on a machine shared with the suite.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _quiet(line: str) -> None:
    return None


@pytest.fixture(scope="module")
def day() -> Iterator[SoakResult]:
    """The day runs in a process of its own, as `make soak` does: the memory invariant is about
    the process hosting regwatch's functions, not a test worker that ran other suites before."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        yield pool.submit(run_day, CONFIG, _quiet).result()


def test_every_injected_transition_is_delivered_exactly_once_per_destination(day: SoakResult) -> None:
    assert len(day.injected) >= CONFIG.ticks, "the churn injected too little to prove anything"
    assert any(not item.revealed for item in day.injected), "no change hidden from the summary"
    assert day.unpublished() == []
    # Every alert event reached both destinations; events that carry no alert are not routed.
    assert day.alerts and day.alerts <= set(day.published)
    assert day.lost() == {"slack": 0, "sns": 0}
    duplicates = day.duplicates()
    assert duplicates["sns"] == 0
    # Slack's only duplicate: a post accepted after the client timed out (documented).
    assert duplicates["slack"] <= day.late_accepts()


def test_every_call_of_every_function_was_allowed_by_its_role(day: SoakResult) -> None:
    # The IAM gate (local/iam) checked them against the template's roles, the member's against
    # the RegwatchSpoke role; faults are injected before the wire, so none of them is a denial.
    roles = {caller.split("/")[1] for caller in day.iam_checked}
    assert len(roles) == 6, f"the five functions' roles and the member's spoke role: {sorted(roles)}"
    assert "regwatch-spoke-reader" in roles
    assert day.iam_denied == {}


def test_both_accounts_and_regions_are_scanned_through_the_scan_queue(day: SoakResult) -> None:
    assert CONFIG.accounts == (HUB, MEMBER)
    targets = {target for _, target, _ in day.region_calls}
    assert targets == {f"{a}/{r}" for a in CONFIG.accounts for r in CONFIG.regions}
    # The member's requests carry moto STS credentials of its role: the emulator files them there.
    assert day.sms_calls_by_account[MEMBER] > 0 and day.sms_calls_by_account[HUB] > 0
    assert day.left_in_scan_dlq == 0


def test_a_listing_flood_is_held_and_never_deleted(day: SoakResult) -> None:
    assert day.struck["listing-flood"] > 0, "the flood never struck"
    assert day.held_events, "the flood was not held"
    assert day.deleted_events == set()
    assert day.held_events <= day.alerts and day.lost() == {"slack": 0, "sns": 0}


def test_reminders_and_the_digest_reach_each_destination_exactly_once(day: SoakResult) -> None:
    assert day.evaluations == CONFIG.ticks // CONFIG.evaluator_every
    assert day.evaluator_failures == 0
    assert day.reminders, "the evaluator published no reminder"
    assert day.authentication_started > 0
    assert day.day_born_authentication_reminders() > 0, "no REQUIRES_AUTHENTICATION wait crossed a threshold"
    assert set(day.reminders) <= day.alerts
    assert day.reminder_deliveries() == {"slack": (0, 0), "sns": (0, 0)}
    assert day.reminders_after_move == []
    assert sorted(day.digests.values()) == ["2026-01-05"] == sorted(day.digest_days_due)
    assert day.digest_problems() == []


def test_the_reminder_and_digest_checks_can_fail() -> None:
    broken = SoakResult(CONFIG, plan_day(5, 24))
    broken.digests = {"a": "2026-01-05", "b": "2026-01-05"}
    broken.digest_days_due = {"2026-01-05"}
    broken.deliveries["slack"]["a"] = 2
    broken.reminders["r"] = ReminderSeen("REVIEW_OVERDUE", "REVIEWING", "registration-x", 1, "", 12)
    broken.alerts.add("r")
    problems = broken.digest_problems()
    assert "2 distinct digests published for 2026-01-05" in problems
    assert "the 2026-01-05 digest reached slack 2 times" in problems
    assert broken.reminder_deliveries() == {"slack": (1, 0), "sns": (1, 0)}


def test_every_fault_kind_struck_and_nothing_is_left_in_a_dead_letter_queue(day: SoakResult) -> None:
    for kind in (*KINDS, NOTIFIER_DOWN):
        assert day.struck[kind] > 0, f"{kind} never struck: the short soak proved nothing about it"
    assert day.dead_lettered > 0, "the notifier outage dead-lettered nothing"
    assert day.redriven >= day.dead_lettered
    assert day.left_in_dlq == 0


def test_sms_api_calls_per_region_and_scan_stay_within_the_steady_state_budget(day: SoakResult) -> None:
    assert day.region_calls, "no completed scan recorded its API calls"
    worst = max(day.region_calls, key=lambda entry: entry[2])
    assert worst[2] <= CALL_BUDGET_PER_REGION, f"scan {worst[0]} in {worst[1]}: {worst[2]} calls"


def test_peak_rss_of_the_regwatch_process_does_not_grow(day: SoakResult) -> None:
    if not proc_available():
        pytest.skip("needs Linux /proc (VmHWM, clear_refs) for peak RSS per hour; `make soak` on Linux")
    hours = day.rss[REGWATCH_PROCESS]
    assert len(hours) == CONFIG.ticks // 12
    assert hours[-1] <= hours[0] * (1 + RSS_GROWTH_LIMIT), [h // 2**20 for h in hours]


def test_the_live_heap_is_sampled_every_hour(day: SoakResult) -> None:
    assert len(day.heap) == CONFIG.ticks // 12
    assert all(sample.python_blocks > 0 for sample in day.heap)
    assert "| Live heap, " in render(day)


def test_rss_growth_is_read_as_retention_only_when_the_live_heap_stayed_flat() -> None:
    grew = SoakResult(CONFIG, plan_day(5, 24))
    grew.rss = {REGWATCH_PROCESS: [200 * 2**20, 230 * 2**20]}
    grew.heap = [HeapSample(1_000_000, 20 * 2**20, 5 * 2**20), HeapSample(1_010_000, 20 * 2**20, 15 * 2**20)]
    assert any("peak RSS of" in problem for problem in grew.violations())  # the invariant stays RSS
    assert "the growth is memory the allocators keep" in render(grew)
    grew.heap[-1] = HeapSample(1_300_000, 20 * 2**20, 15 * 2**20)  # live objects grew: maybe a leak
    assert "the growth is memory the allocators keep" not in render(grew)


def test_the_report_states_the_invariants_held(day: SoakResult) -> None:
    assert day.violations() == []
    text = render(day)
    assert "**All held.**" in text and "| Lost: Slack / SNS | 0 / 0 |" in text


def test_the_same_seed_plans_the_same_day() -> None:
    assert plan_day(3, 288).faults == plan_day(3, 288).faults
    assert plan_day(3, 288).faults != plan_day(4, 288).faults
    assert set(plan_day(3, 24).counts()) == {*KINDS, NOTIFIER_DOWN}


def test_bad_input_is_one_line_naming_what_to_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--seed", "tomorrow"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "soak seed" in error and "make soak SEED=" in error
    old = tmp_path / "soak.json"
    old.write_text(json.dumps({"kind": "soak", "format": 0}))
    assert main(["--docs-from", str(old)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "older" in error and "run `make soak`" in error
