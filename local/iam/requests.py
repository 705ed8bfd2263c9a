"""What an AWS request asks for, in IAM's terms: who signed it, which actions on which resources.

The caller is the access key id of the SigV4 `Authorization` header (credential scope
`KEY/DATE/REGION/SERVICE/aws4_request`). The operation comes from `X-Amz-Target` (JSON
protocols: DynamoDB, EventBridge, Secrets Manager, SQS, Organizations, the SMS API) or
from `Action=` in the form body (query protocols: STS, SNS). The resource ARN is built
from the request's own parameters, in the account of the caller unless the parameter is
an ARN or a queue URL naming another account.

An operation may be authorized by another action (SQS's batch operations, SNS's
PublishBatch) or by several (a BatchWriteItem on two tables, PutEvents with entries for
two buses): `actions_of` returns one `Asked` per (action, resource) pair.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/]+)/[^/]+/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
# Operations authorized by another operation's action (each service's authorization reference).
_AUTHORIZED_AS = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "sns:PublishBatch": "sns:Publish",
}
# Operations that need no permission at all.
UNAUTHORIZED_OPERATIONS = frozenset({"sts:GetCallerIdentity"})


@dataclass(frozen=True, slots=True)
class Signed:
    access_key_id: str
    region: str
    service: str  # the signing name: dynamodb, events, sms-voice, sqs, sns, sts…
    operation: str

    @property
    def action(self) -> str:
        return f"{self.service}:{self.operation}"


@dataclass(frozen=True, slots=True)
class Asked:
    """One authorization the request needs."""

    action: str
    resource: str
    account: str  # the resource's account
    context: dict[str, str | list[str]] = field(default_factory=dict)


def signed(headers: Mapping[str, str], body: bytes) -> Signed | None:
    """The caller and operation of a SigV4-signed request; None if it is not signed."""
    lowered = {name.lower(): value for name, value in headers.items()}
    match = _CREDENTIAL.search(lowered.get("authorization", ""))
    if match is None:
        return None
    target = lowered.get("x-amz-target")
    if target:
        operation = target.rsplit(".", 1)[-1]
    else:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        operation = form.get("Action", [""])[0]
    if not operation:
        return None
    return Signed(match["key"], match["region"], match["service"], operation)


def parameters(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The request's parameters: the JSON body, or the form's (first values, `a.member.1` kept flat)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if lowered.get("x-amz-target"):
        try:
            loaded = json.loads(body or b"{}")
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}


def _arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _account_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else default


def _table(region: str, account: str, name: str, index: str | None = None) -> tuple[str, str]:
    arn = name if name.startswith("arn:") else _arn("dynamodb", region, account, f"table/{name}")
    if index:
        arn = f"{arn}/index/{index}"
    return arn, _account_of_arn(arn, account)


def _queue(region: str, account: str, params: Mapping[str, Any]) -> tuple[str, str]:
    url = str(params.get("QueueUrl", ""))
    if url:
        path = urllib.parse.urlsplit(url).path.strip("/").split("/")
        if len(path) >= 2:
            return _arn("sqs", region, path[-2], path[-1]), path[-2]
    owner = str(params.get("QueueOwnerAWSAccountId") or account)
    name = str(params.get("QueueName", "*"))
    return _arn("sqs", region, owner, name), owner


_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "Get": "GetItem"}


def _dynamodb(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
    op = call.operation
    if op in ("BatchWriteItem", "BatchGetItem"):
        return [
            Asked(call.action, *_table(call.region, account, name)) for name in params.get("RequestItems", {})
        ]
    if op in ("TransactWriteItems", "TransactGetItems"):
        asked: list[Asked] = []
        for item in params.get("TransactItems", []):
            for kind, detail in item.items():
                action = f"dynamodb:{_TRANSACT_ACTIONS.get(kind, 'ConditionCheckItem')}"
                asked.append(Asked(action, *_table(call.region, account, str(detail.get("TableName", "*")))))
        return asked
    if "TableName" in params:
        index = params.get("IndexName") if op in ("Query", "Scan") else None
        return [Asked(call.action, *_table(call.region, account, str(params["TableName"]), index))]
    return [Asked(call.action, _arn("dynamodb", call.region, account, "table/*"), account)]


def _events(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
    if call.operation != "PutEvents":
        bus = str(params.get("EventBusName") or "default")
        arn = bus if bus.startswith("arn:") else _arn("events", call.region, account, f"event-bus/{bus}")
        return [Asked(call.action, arn, _account_of_arn(arn, account))]
    asked = []
    for entry in params.get("Entries", []):
        bus = str(entry.get("EventBusName") or "default")
        arn = bus if bus.startswith("arn:") else _arn("events", call.region, account, f"event-bus/{bus}")
        context: dict[str, str | list[str]] = {
            "events:source": str(entry.get("Source", "")),
            "events:detail-type": str(entry.get("DetailType", "")),
        }
        asked.append(Asked(call.action, arn, _account_of_arn(arn, account), context))
    return asked


def _sms(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
    if "ResourceArn" in params:
        arn = str(params["ResourceArn"])
        return [Asked(call.action, arn, _account_of_arn(arn, account))]
    ids = (
        [params["RegistrationId"]] if "RegistrationId" in params else list(params.get("RegistrationIds", []))
    )
    if not ids:
        return [Asked(call.action, "*", account)]  # a listing: authorized against "*"
    asked = []
    for registration in map(str, ids):
        arn = (
            registration
            if registration.startswith("arn:")
            else _arn("sms-voice", call.region, account, f"registration/{registration}")
        )
        asked.append(Asked(call.action, arn, _account_of_arn(arn, account)))
    return asked


def _single_arn(name: str, build: Callable[[Signed, str, str], str]) -> Callable[..., list[Asked]]:
    def derive(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
        value = str(params.get(name, ""))
        arn = value if value.startswith("arn:") else build(call, account, value)
        return [Asked(call.action, arn, _account_of_arn(arn, account))]

    return derive


def _sqs(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
    arn, owner = _queue(call.region, account, params)
    return [Asked(call.action, arn, owner)]


_DERIVE: dict[str, Callable[[Signed, str, Mapping[str, Any]], list[Asked]]] = {
    "dynamodb": _dynamodb,
    "events": _events,
    "sms-voice": _sms,
    "sqs": _sqs,
    "sns": _single_arn("TopicArn", lambda call, account, _: _arn("sns", call.region, account, "*")),
    # A name is completed by `secret_arn` (the gate asks the server for the full ARN).
    "secretsmanager": _single_arn(
        "SecretId", lambda call, account, name: _arn("secretsmanager", call.region, account, f"secret:{name}")
    ),
    "sts": _single_arn("RoleArn", lambda call, account, _: "*"),
}


def actions_of(call: Signed, account: str, params: Mapping[str, Any]) -> list[Asked]:
    """Every (action, resource) the request needs; `account` is the caller's."""
    if call.action in UNAUTHORIZED_OPERATIONS:
        return []
    derive = _DERIVE.get(call.service)
    asked = derive(call, account, params) if derive else [Asked(call.action, "*", account)]
    if call.action == "sts:AssumeRole" and "ExternalId" in params:
        external = {"sts:ExternalId": str(params["ExternalId"])}
        asked = [Asked(a.action, a.resource, a.account, {**a.context, **external}) for a in asked]
    action = _AUTHORIZED_AS.get(call.action)
    if action is not None:
        asked = [Asked(action, a.resource, a.account, a.context) for a in asked]
    return asked
