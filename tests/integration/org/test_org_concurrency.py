"""Targets in parallel, in separate scanner processes; one target never scanned twice at once;
a target that runs out of time resumes where it stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.integration.org.conftest import REGION, OrgWorld

ROOT = Path(__file__).resolve().parents[3]
A, B = "111122223333", "222233334444"


def scanner_processes(bodies: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Start one scanner process per work item at once; their JSON log lines, per process."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.org.scanner_process", json.dumps(body)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for body in bodies
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()[-2000:]
        lines = [json.loads(line) for line in stdout.decode().splitlines() if line.startswith("{")]
        outputs.append(lines)
    return outputs


def scans_of(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line["scan"] for line in lines if line.get("message") == "Target scanned"]


def test_separate_processes_scan_different_targets_in_parallel_and_one_target_once(
    org_world: OrgWorld,
) -> None:
    org_world.configure(TARGET_ACCOUNTS=json.dumps([{"id": A}, {"id": B}]), BASELINE_ALERTS="all")
    for account in (A, B):
        org_world.control.generate(REGION, 20, versions_min=1, versions_max=2, seed=7, account=account)
    # Each version read takes 100 ms: a scan lasts ~2 s, long enough for the processes to overlap.
    org_world.control.set_faults("DescribeRegistrationVersions", latency_ms=100)
    work = [
        {"accountId": A, "region": REGION},
        {"accountId": A, "region": REGION},
        {"accountId": B, "region": REGION},
    ]

    outputs = scanner_processes(work)

    scans = [scans_of(lines) for lines in outputs]
    assert all(len(s) == 1 for s in scans), scans
    a_scans = [s[0] for s in scans[:2]]
    skipped = [s for s in a_scans if s["skipped"]]
    completed = [s for s in a_scans if s["complete"]]
    # Two simultaneous work items for one target: one scans it, the other finds the lease held.
    assert len(completed) == 1 and len(skipped) == 1, a_scans
    assert "lease" in skipped[0]["skipped"]
    assert scans[2][0]["complete"] and scans[2][0]["accountId"] == B
    events = org_world.drain_events()
    ids = Counter(e["detail"]["eventId"] for e in events)
    assert ids and max(ids.values()) == 1, "an event was published twice"
    discovered = Counter(
        e["detail"]["accountId"] for e in events if e["detail-type"] == "Registration Discovered"
    )
    assert discovered == {A: 20, B: 20}, "every registration of both targets was found exactly once"
    versions_read = org_world.control.counters(account=A)["DescribeRegistrationVersions"]
    assert versions_read == 20, "the skipped scan read nothing"


def test_a_target_that_runs_out_of_time_resumes_without_rescanning(org_world: OrgWorld) -> None:
    org_world.configure(TARGET_ACCOUNTS=json.dumps([{"id": B}]), BASELINE_ALERTS="all")
    org_world.control.generate(REGION, 110, versions_min=1, versions_max=1, seed=3, account=B)

    def calls_made() -> int:
        return sum(v for k, v in org_world.control.counters(account=B).items() if ":" not in k)

    start = calls_made()

    def remaining_ms() -> int:
        # 5 ms per call at API_CALLS_PER_SECOND=200: room for ~35 calls in this invocation.
        return max(0, (40 - (calls_made() - start)) * 10)

    item = {"accountId": B, "region": REGION}
    org_world.sqs.send_message(QueueUrl=org_world.scan_queue_url, MessageBody=json.dumps(item))
    from local.fanout import EventSourceMapping

    mapping = EventSourceMapping(
        org_world.sqs,
        org_world.scan_queue_url,
        [lambda event: org_world.scanner_invoke(event, remaining_ms=remaining_ms)],
        region=REGION,
    )
    assert mapping.drain().failed == 0
    first = org_world.drain_events()
    state = org_world.dynamodb.get_item(
        TableName="regwatch-snapshots", Key={"pk": {"S": f"{B}#{REGION}"}, "sk": {"S": "META#SCAN"}}
    )["Item"]
    assert state["incomplete"] == {"BOOL": True} and "listingCycleId" in state, "stopped with a cursor"
    assert 0 < len([e for e in first if e["detail-type"] == "Registration Discovered"]) < 110

    org_world.sqs.send_message(QueueUrl=org_world.scan_queue_url, MessageBody=json.dumps(item))
    assert org_world.drain_scan_queue().failed == 0
    events = first + org_world.drain_events()
    discovered = Counter(
        e["detail"]["registrationId"] for e in events if e["detail-type"] == "Registration Discovered"
    )
    assert len(discovered) == 110 and set(discovered.values()) == {1}
    assert org_world.control.counters(account=B)["DescribeRegistrationVersions"] == 110, "nothing read twice"
    # A budget stop with progress is not a failure: the target stays healthy, no health event.
    assert not [e for e in events if e["detail-type"].startswith("Target ")]
