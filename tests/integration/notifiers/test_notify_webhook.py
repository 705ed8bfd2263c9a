"""The signed webhook end to end: the generic notifier with DESTINATION=webhook, moto (Secrets
Manager, DynamoDB) and the local Standard Webhooks receiver, over real sockets.

The receiver verifies independently of the destination's code (local/sinks/webhook.py), and
the verification snippet docs/destinations.md gives receivers is run here on the very
requests regwatch sent: it accepts them, and refuses a changed body, another key and a replay
outside the window.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from destinations.webhook.render import MAX_BODY_BYTES
from local.sinks.webhook import WebhookReceiver
from regwatch.notification_errors import DestinationFailed, SecretUnavailable
from tests.golden.sample_events import DIGEST_SAMPLES, SAMPLES, event_for
from tests.integration.notifiers.conftest import emitted_metrics, generic_notifier, invoke_notifier

SECRET = "regwatch/webhook"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "destinations.md"


def docs_snippet() -> Callable[[str, dict[str, str], bytes], bool]:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- webhook-verification-snippet -->\n```python\n(.*?)```", text, re.S)
    assert found, "docs/destinations.md lost its verification snippet"
    namespace: dict[str, Any] = {}
    exec(found.group(1), namespace)  # noqa: S102 - our own documentation, executed as a receiver would
    return namespace["verify_regwatch_webhook"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver.start(port=0)
    yield server
    server.stop()


@pytest.fixture
def receiver(receiver_server: WebhookReceiver) -> WebhookReceiver:
    receiver_server.clear()
    return receiver_server


@pytest.fixture
def webhook_env(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str, receiver: WebhookReceiver
) -> Iterator[None]:
    with generic_notifier(
        monkeypatch,
        destination="webhook",
        secret=("WEBHOOK_SECRET_ARN", SECRET, receiver.secret_json()),
        settings={"WEBHOOK_TIMEOUT_SECONDS": "1"},
        idempotency_table=idempotency_table,
    ):
        yield


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_sample_arrives_signed_and_verified(
    webhook_env: None, receiver: WebhookReceiver, sample: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = event_for(SAMPLES[sample]())
    assert invoke_notifier(event)["result"] == "sent"
    assert receiver.rejections == []
    [delivered] = receiver.deliveries
    assert delivered.webhook_id == event["detail"]["eventId"]
    assert delivered.payload["data"] == event["detail"]  # the contract detail, unchanged
    assert delivered.payload["type"] == event["detail-type"]
    assert abs(delivered.timestamp - time.time()) < 60
    assert emitted_metrics(capsys.readouterr().out).get("NotificationsSent") == 1


def test_the_digest_arrives_too(webhook_env: None, receiver: WebhookReceiver) -> None:
    invoke_notifier(DIGEST_SAMPLES["digest_busy_day"]())
    [delivered] = receiver.deliveries
    assert delivered.payload["type"] == "Registration Digest"
    assert "Digest" in delivered.payload["summary"]["subject"] or delivered.payload["summary"]["text"]


def test_the_documented_snippet_verifies_what_regwatch_sent_and_refuses_tampering(
    webhook_env: None, receiver: WebhookReceiver
) -> None:
    verify = docs_snippet()
    invoke_notifier(event_for(SAMPLES["version_denied_with_reasons"]()))
    [request] = receiver.requests
    headers, body = request.headers, request.payload
    assert isinstance(body, bytes)
    assert verify(receiver.signing_secret, headers, body)
    assert not verify(receiver.signing_secret, headers, body.replace(b"DENIED", b"APPROVED"))
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not verify(other, headers, body)
    stale = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) - 301)}
    assert not verify(receiver.signing_secret, stale, body)  # outside the replay window


def test_a_replayed_request_is_refused_by_the_receiver(webhook_env: None, receiver: WebhookReceiver) -> None:
    invoke_notifier(event_for(SAMPLES["version_revoked"]()))
    receiver.clock = lambda: time.time() + 600  # the same request, ten minutes later
    try:
        invoke_notifier(event_for(SAMPLES["version_approved"]()))
    except DestinationFailed as error:
        assert error.status == 401 and SECRET in str(error) and "http" not in str(error)
    else:
        raise AssertionError("a request outside the replay window was accepted")
    finally:
        receiver.clock = time.time
    assert receiver.rejections == [
        "timestamp " + receiver.rejections[0].split()[1] + " outside the 300 s replay window"
    ]


def test_retries_keep_the_webhook_id_and_the_receiver_deduplicates(
    webhook_env: None, receiver: WebhookReceiver
) -> None:
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    receiver.script([{"status": 503}])
    assert invoke_notifier(event)["result"] == "sent"  # urllib3 retried the 503
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids == [event["detail"]["eventId"]] * 2
    assert [d.webhook_id for d in receiver.deliveries] == ids[:1]


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("https://hooks.example.com/x", "must be JSON"),
        (json.dumps({"url": "http://hooks.example.com/x", "signingSecret": "whsec_" + "A" * 44}), "https"),
        (json.dumps({"url": "https://hooks.example.com/x", "signingSecret": "whsec_c2hvcnQ="}), "24-64"),
    ],
)
def test_a_secret_of_the_wrong_shape_fails_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
    idempotency_table: str,
    receiver: WebhookReceiver,
    secret: str,
    expected: str,
) -> None:
    with generic_notifier(
        monkeypatch,
        destination="webhook",
        secret=("WEBHOOK_SECRET_ARN", f"{SECRET}-bad", secret),
        settings={},
        idempotency_table=idempotency_table,
    ), pytest.raises(SecretUnavailable) as raised:
        invoke_notifier(event_for(SAMPLES["version_revoked"]()))
    assert expected in str(raised.value) and "whsec_c2hvcnQ" not in str(raised.value)
    assert receiver.requests == []


def test_the_body_stays_within_its_byte_limit_with_cjk_and_emoji(
    webhook_env: None, receiver: WebhookReceiver
) -> None:
    event = event_for(SAMPLES["version_denied_with_reasons"]())
    reason = event["detail"]["deniedReasons"][0]
    # Ten long denial reasons in CJK with emoji (3-4 bytes a character): ~190 KB of detail, within
    # EventBridge's 256 KB entry; with the plain-text summary the body would be ~400 KB.
    event["detail"]["deniedReasons"] = [
        {**reason, "longDescription": "同意の取得方法を説明してください🚫" * 300} for _ in range(10)
    ]
    assert 150_000 < len(json.dumps(event["detail"], ensure_ascii=False).encode()) < 256_000
    invoke_notifier(event)
    [request] = receiver.requests
    assert len(request.payload) <= MAX_BODY_BYTES
    text = json.loads(request.payload)["summary"]["text"]
    assert text.endswith("the full texts are in `data` and the AWS console]") and "同意" in text
    assert receiver.rejections == []
