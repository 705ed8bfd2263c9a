"""What Lambda's SQS event source mapping does, for local runs: queue → function, batch size 1.

moto has SQS but no event source mappings. `EventSourceMapping.drain()` receives the scan
queue's messages and hands each to the function as an SQS event of one record (the
shape Lambda sends), deletes it when the function reports no failure for it
(`batchItemFailures`, ReportBatchItemFailures), and otherwise leaves it to reappear after
the visibility timeout, like the real mapping. `concurrency` workers run at once
(MaximumConcurrency); each one invokes the function it is given, so separate scanner
processes can share one queue.

The queue's own numbers apply (VisibilityTimeout, MessageRetentionPeriod, RedrivePolicy),
and with `fast_forward` a failed message's visibility timeout passes at once instead of in
real time: the message has then aged one more visibility timeout, and a message older than
the queue's retention is gone, as SQS deletes it. So a queue whose retention is shorter than
maxReceiveCount × visibility loses its failing messages locally exactly as in AWS, instead
of dead-lettering them (moto itself moves a message to the DLQ on the receive after
maxReceiveCount, as SQS does, but never ages it).
"""

from __future__ import annotations

import hashlib
import json
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
    expired: int = 0  # failed messages that outlived the queue's retention (fast_forward)
    results: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class QueueTiming:
    """The numbers of a queue that decide whether a failing message reaches its DLQ."""

    visibility_timeout: int
    retention: int
    max_receive_count: int | None

    @classmethod
    def of(cls, sqs: Any, queue_url: str) -> QueueTiming:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        redrive = attributes.get("RedrivePolicy")
        return cls(
            int(attributes.get("VisibilityTimeout", 30)),
            int(attributes.get("MessageRetentionPeriod", 345_600)),
            int(json.loads(redrive)["maxReceiveCount"]) if redrive else None,
        )


class EventSourceMapping:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        invokers: Sequence[Invoke],
        *,
        region: str,
        visibility_timeout: int | None = None,
        fast_forward: bool = False,
    ) -> None:
        """`visibility_timeout` None: the queue's own, as the real mapping uses."""
        if not invokers:
            raise ValueError("at least one function invoker is needed")
        self.sqs = sqs
        self.queue_url = queue_url
        self.invokers = list(invokers)
        self.region = region
        self.timing = QueueTiming.of(sqs, queue_url)
        own = self.timing.visibility_timeout
        self.visibility_timeout = own if visibility_timeout is None else visibility_timeout
        self.fast_forward = fast_forward
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
                    if self.fast_forward:
                        self._let_visibility_timeout_pass(message, stats)
                else:
                    stats.succeeded += 1
                    self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _let_visibility_timeout_pass(self, message: dict[str, Any], stats: MappingStats) -> None:
        """The failed message reappears now, one visibility timeout older; past the queue's
        retention SQS would have deleted it, so it is deleted (counted as expired)."""
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        if receives * self.visibility_timeout >= self.timing.retention:
            stats.expired += 1
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            return
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )

    def drain(self) -> MappingStats:
        """Deliver every visible message, one invoker per worker (MaximumConcurrency)."""
        stats = MappingStats()
        with ThreadPoolExecutor(max_workers=len(self.invokers)) as pool:
            for future in [pool.submit(self._worker, invoke, stats) for invoke in self.invokers]:
                future.result()
        return stats
