"""One scanner execution environment for the org-scale benchmark, in its own process.

`python -m benchmarks.org_worker` drains the scan queue (SCAN_QUEUE_URL) one work item at a
time through the real scanner handler (SQS event, batch size 1), and prints one JSON line:
per target its wall time, the scanner's own per-target summary (API calls, transitions) and
its SMS calls' paced time (benchmarks/pacing.py: the order recorded by benchmarks/instrument.py
replayed at the deployed rate, and at this run's compressed rate without call time), the STS
AssumeRole calls this environment made, and its peak RSS.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from typing import Any

import boto3

from benchmarks.instrument import install
from benchmarks.pacing import paced_seconds
from benchmarks.workers import FakeLambdaContext
from local.fanout import sqs_event

RESULT_PREFIX = "ORG_WORKER_RESULT "


class _TargetSummaries(logging.Handler):
    """Keeps the scanner's "Target scanned" log records (their `scan` extra is the summary)."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.summaries: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "Target scanned":
            self.summaries.append({"target": record.__dict__["target"], **record.__dict__["scan"]})


def main() -> None:
    from scanner.dependencies import get_dependencies
    from scanner.handler import lambda_handler

    ledger = install()  # before the scanner builds its sessions: every SMS call is recorded
    compressed_rate = float(os.environ["API_CALLS_PER_SECOND"])
    summaries = _TargetSummaries()
    logging.getLogger(os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")).addHandler(summaries)
    region = os.environ["AWS_REGION"]
    queue_url = os.environ["SCAN_QUEUE_URL"]
    sqs = boto3.client("sqs", region_name=region)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    records: list[dict[str, Any]] = []
    failures = 0
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=900).get(
            "Messages", []
        )
        if not messages:
            break
        message = messages[0]
        before = len(summaries.summaries)
        ledger.reset()
        started = time.perf_counter()
        try:
            result = lambda_handler(
                sqs_event(message, queue_arn, region), FakeLambdaContext("scanner", region)
            )
        except Exception:
            result = {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
        wall = time.perf_counter() - started
        if result.get("batchItemFailures"):
            failures += 1
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        paced = {
            "pacedSeconds": paced_seconds(ledger.sms_sequence),
            "pacedWaitCompressedSeconds": paced_seconds(ledger.sms_sequence, compressed_rate, 0.0),
        }
        for summary in summaries.summaries[before:]:  # one: a work item is one target
            records.append({**summary, "wallSeconds": wall, **paced})
    deps = get_dependencies()
    print(
        RESULT_PREFIX
        + json.dumps(
            {
                "targets": records,
                "failures": failures,
                "assumeRoleCalls": deps.credentials.assume_role_calls,
                "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        ),
        file=sys.stdout,
        flush=True,
    )


if __name__ == "__main__":
    main()
