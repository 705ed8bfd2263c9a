"""A scanner execution environment in its own process: one SQS work item in, log lines out.

`python -m tests.integration.org.scanner_process '<work item json>'` runs the real scanner
handler with the environment it inherits (endpoints, table, bus), like a separate Lambda
execution environment would, and prints the handler's JSON log lines on stdout.
"""

from __future__ import annotations

import json
import sys
import uuid

from scanner.handler import lambda_handler
from tests.integration.scanner.conftest import FakeLambdaContext


def main() -> None:
    body = sys.argv[1]
    event = {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "local",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "0",
                    "SenderId": "x",
                    "ApproximateFirstReceiveTimestamp": "0",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:regwatch-scan-queue",
                "awsRegion": "us-east-1",
            }
        ]
    }
    result = lambda_handler(event, FakeLambdaContext())
    print(json.dumps({"processResult": result}))


if __name__ == "__main__":
    main()
