"""Counts every AWS call a scanner makes, and the DynamoDB capacity it would consume.

Installed in the scanner's own process through botocore's event hooks on every
session created afterwards, so the code under measurement is untouched. moto
answers `ReturnConsumedCapacity` with constants (0.5/1.0 whatever the size), so
capacity units are computed from item sizes with DynamoDB's published rules:
reads round up to 4 KB (half a unit when eventually consistent), writes to 1 KB.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.session

from regwatch_aws.api_budget import BUDGET_PARTITION

_PARAMS_KEY = "regwatch_bench_params"
SMS_SERVICE = "pinpoint-sms-voice-v2"
# The API-budget slot reservations (one UpdateItem per SMS call, regwatch_aws/api_budget.py)
# are counted apart from the scan's own UpdateItems: the cost model prices them per SMS call.
API_BUDGET_CALLS = "dynamodb:UpdateItem (API budget)"


@dataclass
class CallLedger:
    calls: Counter[str] = field(default_factory=Counter)  # "service:Operation" -> calls
    read_units: float = 0.0
    write_units: float = 0.0
    # SMS API operations in the order they were called (one per API call, retries inside it):
    # what benchmarks/pacing.py replays through the per-operation token buckets.
    sms_sequence: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.calls.clear()
        self.read_units = 0.0
        self.write_units = 0.0
        self.sms_sequence.clear()

    def snapshot(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "read_units": self.read_units,
            "write_units": self.write_units,
            "sms_sequence": list(self.sms_sequence),
        }


LEDGER = CallLedger()


def _text_size(value: str | bytes) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else len(value)


def _number_size(value: str) -> int:
    return 1 + math.ceil(len(str(value).lstrip("-").replace(".", "")) / 2)


_VALUE_SIZES: dict[str, Callable[[Any], int]] = {
    "S": _text_size,
    "B": _text_size,
    "N": _number_size,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda values: sum(_text_size(v) for v in values),
    "BS": lambda values: sum(_text_size(v) for v in values),
    "NS": lambda values: sum(_number_size(v) for v in values),
    "L": lambda values: 3 + sum(1 + _value_size(v) for v in values),
    "M": lambda values: 3 + sum(len(k.encode("utf-8")) + 1 + _value_size(v) for k, v in values.items()),
}


def _value_size(value: Mapping[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    return _VALUE_SIZES.get(kind, lambda _: 0)(inner)


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values (wire format)."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


def _write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


Units = tuple[float, float]  # (read units, write units)


def _get_item(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    return _read_units(item_size(parsed.get("Item", {})), bool(params.get("ConsistentRead"))), 0.0


def _query(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    # From the items returned: right for a Query without ProjectionExpression (none is made
    # today). With one, DynamoDB still bills the whole items read, so this would undercount.
    total = sum(item_size(item) for item in parsed.get("Items", []))
    return _read_units(total, bool(params.get("ConsistentRead"))), 0.0


def _batch_get(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    requested = params.get("RequestItems", {})
    reads = sum(
        _read_units(item_size(item), bool(requested.get(table, {}).get("ConsistentRead")))
        for table, items in parsed.get("Responses", {}).items()
        for item in items
    )
    return reads, 0.0


def _put_item(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    return 0.0, _write_units(item_size(params.get("Item", {})))


def _update_or_delete(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    # The stored size is unknown without ReturnValues: one unit, or the returned image's.
    return 0.0, _write_units(item_size(parsed.get("Attributes", {})))


def _batch_write(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    writes = 0.0
    unprocessed = parsed.get("UnprocessedItems", {})
    for table, requests in params.get("RequestItems", {}).items():
        done = len(requests) - len(unprocessed.get(table, []))
        for request in requests[:done]:
            put = request.get("PutRequest")
            writes += _write_units(item_size(put["Item"])) if put else 1.0
    return 0.0, writes


def _transact_write(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> Units:
    # Transactions cost two units per item-KB.
    items = params.get("TransactItems", [])
    return 0.0, sum(2 * _write_units(item_size(entry.get("Put", {}).get("Item", {}))) for entry in items)


_UNITS_OF: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Units]] = {
    "GetItem": _get_item,
    "Query": _query,
    "Scan": _query,
    "BatchGetItem": _batch_get,
    "PutItem": _put_item,
    "UpdateItem": _update_or_delete,
    "DeleteItem": _update_or_delete,
    "BatchWriteItem": _batch_write,
    "TransactWriteItems": _transact_write,
}


def _remember_params(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS_KEY] = params


def _is_budget_write(service: str, operation: str, params: Mapping[str, Any]) -> bool:
    key = params.get("Key", {})
    return service == "dynamodb" and operation == "UpdateItem" and key.get("pk") == {"S": BUDGET_PARTITION}


def _record_call(
    http_response: Any, parsed: Mapping[str, Any], model: Any, context: Mapping[str, Any], **_: Any
) -> None:
    service = model.service_model.service_name
    params = context.get(_PARAMS_KEY, {})
    if _is_budget_write(service, model.name, params):
        LEDGER.calls[API_BUDGET_CALLS] += 1
    else:
        LEDGER.calls[f"{service}:{model.name}"] += 1
    if service == SMS_SERVICE:
        LEDGER.sms_sequence.append(model.name)
    if service == "dynamodb" and 200 <= getattr(http_response, "status_code", 0) < 300:
        units_of = _UNITS_OF.get(model.name)
        reads, writes = units_of(params, parsed) if units_of else (0.0, 0.0)
        LEDGER.read_units += reads
        LEDGER.write_units += writes


def _register(session: Any) -> None:
    session.register("before-parameter-build", _remember_params)
    session.register("after-call", _record_call)


_installed = False


def install() -> CallLedger:
    """Hook every botocore session created from now on (boto3's default one included)."""
    global _installed  # noqa: PLW0603 - one process-wide hook, installed once
    if not _installed:
        original_init = botocore.session.Session.__init__

        def init_and_hook(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            _register(self)

        botocore.session.Session.__init__ = init_and_hook
        _installed = True
    return LEDGER
