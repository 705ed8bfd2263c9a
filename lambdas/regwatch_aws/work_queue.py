"""The scan queue: one SQS message per target, sent by the dispatcher in batches of ten."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegwatchError
from regwatch.targets import ScanTarget

BATCH_SIZE = 10  # SendMessageBatch's maximum


class WorkQueueUnavailable(RegwatchError):
    """Some work items could not be queued even after one retry of the failed entries."""


def work_item(target: ScanTarget, schedule_id: str) -> str:
    return json.dumps({**target.as_message(), "scheduleId": schedule_id}, separators=(",", ":"))


class ScanQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._url = queue_url
        self.batches_sent = 0

    def send(self, targets: Sequence[ScanTarget], schedule_id: str) -> int:
        failed_total: list[str] = []
        for start in range(0, len(targets), BATCH_SIZE):
            entries = [
                {"Id": str(index), "MessageBody": work_item(target, schedule_id)}
                for index, target in enumerate(targets[start : start + BATCH_SIZE])
            ]
            for _ in range(2):  # one retry of the entries SQS did not take
                try:
                    response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
                except (ClientError, BotoCoreError) as error:
                    raise WorkQueueUnavailable(f"SendMessageBatch: {error}") from error
                self.batches_sent += 1
                failed_ids = {f["Id"] for f in response.get("Failed", [])}
                entries = [e for e in entries if e["Id"] in failed_ids]
                if not entries:
                    break
            failed_total += [e["Id"] for e in entries]
        if failed_total:
            raise WorkQueueUnavailable(f"{len(failed_total)} work items could not be queued")
        return len(targets)
