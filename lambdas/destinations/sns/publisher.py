"""Publishing one notification to an SNS topic.

The boto3 client is passed in (standard retries configured by the caller); what is
left after the SDK's retries becomes DestinationFailed, so the invocation fails and
the event is retried or dead-lettered rather than lost.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.notification_errors import DestinationFailed

DESTINATION = "sns"


class SnsPublisher:
    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._client = sns_client
        self._topic_arn = topic_arn

    def publish(self, message: str, attributes: dict[str, str], subject: str | None = None) -> str:
        """Publish; returns the SNS MessageId."""
        request: dict[str, Any] = {
            "TopicArn": self._topic_arn,
            "Message": message,
            "MessageAttributes": {
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
                if value
            },
        }
        if subject:
            request["Subject"] = subject
        try:
            response = self._client.publish(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "unknown")
            text = error.response.get("Error", {}).get("Message", "")
            raise DestinationFailed(DESTINATION, f"{code}: {text}"[:300]) from None
        except BotoCoreError as error:
            raise DestinationFailed(DESTINATION, f"{type(error).__name__}: {error}"[:300]) from None
        return str(response["MessageId"])
