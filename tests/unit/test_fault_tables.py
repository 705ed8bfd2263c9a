"""`make faults`' tables (tests/faults/run.py): which rows go in which generated section."""

from __future__ import annotations

from typing import Any

from benchmarks.docs_sections import table_rows
from tests.faults.run import sections


def _row(
    row_id: str, destinations: dict[str, dict[str, int]] | None = None, duplicates: int = 0
) -> dict[str, Any]:
    return {
        "row": row_id,
        "struck": 2,
        "injected": 5,
        "published": 9,
        "published_copies": 9,
        "slack": 9,
        "sns": 9,
        "lost": 0,
        "duplicates": duplicates,
        "dead_lettered": 0,
        "left_in_dlq": 0,
        "redriven": 0,
        "failed_invocations": 0,
        "destinations": destinations or {},
        "expected_duplicates": duplicates,
        "expected_dead_letters": 0,
        "expected_left_in_dlq": 0,
    }


ROWS = [
    _row("slack-429"),
    _row("pagerduty-429", {"pagerduty": {"reached": 10, "expected": 10}}),
    _row("teams-timeout-accepted-late", {"teams": {"reached": 10, "expected": 9}}, duplicates=1),
]


def test_rows_with_an_extra_destination_get_their_own_section() -> None:
    plain, extra = sections(ROWS, ["slack-429"], ["pagerduty-429", "teams-timeout-accepted-late"], "3 passed")
    assert (plain.name, extra.name) == ("reliability-faults", "reliability-faults-destinations")
    assert [row["Fault (row id)"] for row in table_rows(plain.body)] == ["slack-429"]
    pagerduty, teams = table_rows(extra.body)
    assert pagerduty["Reached the destination"] == "10 triggers (10 expected)"
    assert teams["Reached the destination"] == "10 cards (9 expected)"
    assert (teams["Duplicates"], teams["As expected"]) == ("1", "yes")


def test_a_row_that_recorded_nothing_is_named_and_k_writes_only_complete_sections() -> None:
    plain, _ = sections(ROWS[1:], ["slack-429"], ["pagerduty-429", "teams-timeout-accepted-late"], "x")
    assert "recorded no outcome (errored before the end): slack-429" in plain.body
    (only,) = sections(
        ROWS[1:], ["slack-429"], ["pagerduty-429", "teams-timeout-accepted-late"], "x", chosen=True
    )
    assert only.name == "reliability-faults-destinations"
