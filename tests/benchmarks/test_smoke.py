"""The benchmark at a tiny size, inside `make test`: its structure holds, no timing asserted.

Both scanners run in their own processes against their own moto server and emulator
(benchmarks.stack), on the same dataset, as `make bench` does at 10,000.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.measure import RunConfig, SizeResult, latency_summary, run_size
from benchmarks.report import render
from benchmarks.stack import local_stack

SIZE = 200


@pytest.fixture(scope="module")
def result() -> Iterator[SizeResult]:
    config = RunConfig(
        size=SIZE,
        share=0.02,
        hidden_share=0.5,
        steady_scans=2,
        # 3 scans of 5 minutes: a whole reconciliation cycle stays short at this size.
        cycle_hours=0.25,
        seed=3,
    )
    with local_stack() as stack:
        yield run_size(stack, config, log=lambda line: None)


def _detected(result: SizeResult, scanner: str) -> set[tuple[str, int, str, str | None]]:
    figures = result.naive if scanner == "naive" else result.regwatch
    return {tuple(t) for t in figures.detected_at}  # type: ignore[misc]


def test_the_regwatch_scanner_ran_behind_the_iam_gate_with_zero_denied_calls(result: SizeResult) -> None:
    # Its role in the synthesized template allows every call it made (benchmarks.stack).
    assert result.denied_calls == {}
    assert result.checked_calls > 0, "the gate checked none of its calls: is it in the path?"


def test_changes_were_injected_including_hidden_ones(result: SizeResult) -> None:
    assert len(result.injected) >= 2 * round(SIZE * 0.02)
    assert any(not item.revealed for item in result.injected), "no change hidden from the summary"
    assert any(item.revealed for item in result.injected)


def test_both_scanners_detect_exactly_the_injected_transitions(result: SizeResult) -> None:
    truth = {tuple(item.transition) for item in result.injected}
    assert _detected(result, "naive") == truth
    assert _detected(result, "regwatch") == truth
    assert not result.naive.spurious and not result.regwatch.spurious
    assert result.regwatch.duplicate_events == 0


def test_summary_revealed_changes_are_detected_by_the_next_scan(result: SizeResult) -> None:
    for figures in (result.naive, result.regwatch):
        revealed = latency_summary(result, figures)["revealed"]
        assert revealed["detected"] == revealed["injected"]
        assert revealed["max_scans"] == 1


def test_regwatch_makes_fewer_api_calls_than_the_naive_scanner(result: SizeResult) -> None:
    def sms_calls(calls: dict[str, float]) -> float:
        return sum(n for op, n in calls.items() if op.startswith("pinpoint-sms-voice-v2:"))

    naive, regwatch = sms_calls(result.naive.steady_calls()), sms_calls(result.regwatch.steady_calls())
    assert 0 < regwatch < naive
    # Both list everything: the difference is in the version reads.
    listing = "pinpoint-sms-voice-v2:DescribeRegistrations"
    assert result.regwatch.steady_calls()[listing] == result.naive.steady_calls()[listing]
    assert result.regwatch.mean("write_units") < result.naive.mean("write_units")


def test_the_report_has_every_figure(result: SizeResult) -> None:
    text = render(
        [result], imports={"scanner.handler": 0.5}, assets={}, asset_note="skipped", command="smoke"
    )
    for figure in (
        "SMS API calls, total",
        "DynamoDB read units",
        "DynamoDB write units",
        "Wall time, emulator quota off",
        "Projected wall time at 1 Describe call/s",
        "API-paced time at 0.8 calls/s per operation",
        "Peak RSS",
        "Transitions detected / injected",
        "Scans to detect",
        "`scanner.handler`",
    ):
        assert figure in text
    for figures in (result.naive, result.regwatch):
        assert figures.steady_rss_peak_bytes() > 0
        assert figures.baseline is not None and figures.baseline.rss_peak_bytes > 0


def test_paced_time_replays_every_sms_call_of_the_scan(result: SizeResult) -> None:
    # Each steady scan's SMS calls were recorded in order and replayed at 0.8/s per operation:
    # at least the listing's own pacing, at most every call one after another.
    for scan, sms in zip(result.regwatch.steady, result.regwatch.steady_sms_calls, strict=True):
        calls = sum(sms.values())
        listing = sms.get("DescribeRegistrations", 0)
        assert (listing - 1) / 0.8 <= scan.paced_seconds <= calls / 0.8 + calls * 0.1
