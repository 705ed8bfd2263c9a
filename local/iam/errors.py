"""AWS's answer to a request IAM refuses, in each protocol's own shape (what botocore parses).

- JSON services: HTTP 400, `{"__type": "AccessDeniedException", "Message": ...}` (DynamoDB
  qualifies the type with its namespace, as it does on the wire).
- SQS (JSON protocol, query-compatible): `__type` `com.amazon.coral.service#AccessDeniedException`
  plus the `x-amzn-query-error: AccessDenied;Sender` header, from which botocore takes the
  error code `AccessDenied`, as the query protocol called it.
- Query services: XML `ErrorResponse`, HTTP 403; STS says `AccessDenied`, SNS says
  `AuthorizationError` (its modeled AuthorizationErrorException).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_XML = (
    '<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{code}</Code>'
    "<Message>{message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
    "</ErrorResponse>"
)
_QUERY = {
    "sts": ("https://sts.amazonaws.com/doc/2011-06-15/", "AccessDenied"),
    "sns": ("http://sns.amazonaws.com/doc/2010-03-31/", "AuthorizationError"),
}
_JSON_1_0 = frozenset({"dynamodb", "sqs", "sms-voice"})
_JSON_TYPE = {
    "dynamodb": "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
    "sqs": "com.amazon.coral.service#AccessDeniedException",
}


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def access_denied(service: str, message: str) -> ErrorAnswer:
    """The refusal of `service` (signing name) with AWS's `message`."""
    if service in _QUERY:
        namespace, code = _QUERY[service]
        body = _XML.format(namespace=namespace, code=code, message=_escape(message)).encode()
        return ErrorAnswer(403, {"Content-Type": "text/xml"}, body)
    version = "1.0" if service in _JSON_1_0 else "1.1"
    headers = {"Content-Type": f"application/x-amz-json-{version}"}
    status = 400
    if service == "sqs":
        headers["x-amzn-query-error"] = "AccessDenied;Sender"
        status = 403
    document = {"__type": _JSON_TYPE.get(service, "AccessDeniedException"), "Message": message}
    return ErrorAnswer(status, headers, json.dumps(document).encode())


def denial_message(caller: str, action: str, resource: str, reason: str) -> str:
    """AWS's wording, e.g. `User: arn:aws:sts::1:assumed-role/R/s is not authorized to perform:
    dynamodb:PutItem on resource: arn:... because no identity-based policy allows the ... action`."""
    return f"User: {caller} is not authorized to perform: {action} on resource: {resource} {reason}"
