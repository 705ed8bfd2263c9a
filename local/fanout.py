"""What Lambda's SQS event source mapping does, for local runs: queue → function, batch size 1.

moto has SQS but no event source mappings. `EventSourceMapping.drain()` receives the scan
queue's messages and hands each to the function as an SQS event of one record (the
shape Lambda sends), deletes it when the function reports no failure for it
(`batchItemFailures`, ReportBatchItemFailures), and otherwise leaves it to reappear after
the visibility timeout, like the real mapping. `concurrency` workers run at once
(MaximumConcurrency); each one invokes the function it is given, so separate scanner
processes can share one queue.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

Invoke = Callable[[dict[str, Any]], Any]


def sqs_event(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda sends for one SQS message (batch size 1)."""
    body = str(message["Body"])
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": str(
                        message.get("Attributes", {}).get("ApproximateReceiveCount", "1")
                    ),
                    "SentTimestamp": str(message.get("Attributes", {}).get("SentTimestamp", "0")),
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "0",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        ]
    }


@dataclass
class MappingStats:
    invocations: int = 0
    succeeded: int = 0
    failed: int = 0
    results: list[Any] = field(default_factory=list)


class EventSourceMapping:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        invokers: Sequence[Invoke],
        *,
        region: str,
        visibility_timeout: int = 30,
    ) -> None:
        if not invokers:
            raise ValueError("at least one function invoker is needed")
        self.sqs = sqs
        self.queue_url = queue_url
        self.invokers = list(invokers)
        self.region = region
        self.visibility_timeout = visibility_timeout
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._lock = threading.Lock()

    def _receive(self) -> list[dict[str, Any]]:
        with self._lock:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=1,
                VisibilityTimeout=self.visibility_timeout,
                AttributeNames=["All"],
            )
        return list(response.get("Messages", []))

    def _worker(self, invoke: Invoke, stats: MappingStats) -> None:
        while True:
            messages = self._receive()
            if not messages:
                return
            message = messages[0]
            try:
                result = invoke(sqs_event(message, self.queue_arn, self.region))
                failed = bool(isinstance(result, dict) and result.get("batchItemFailures"))
            except Exception as error:
                result, failed = {"error": repr(error)}, True
            with self._lock:
                stats.invocations += 1
                stats.results.append(result)
                if failed:
                    stats.failed += 1
                else:
                    stats.succeeded += 1
                    self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def drain(self) -> MappingStats:
        """Deliver every visible message, one invoker per worker (MaximumConcurrency)."""
        stats = MappingStats()
        with ThreadPoolExecutor(max_workers=len(self.invokers)) as pool:
            for future in [pool.submit(self._worker, invoke, stats) for invoke in self.invokers]:
                future.result()
        return stats
