"""Slack thread mode: one thread per registration, kept by a bot with chat.postMessage / chat.update.

The first alert for a registration posts the parent (its status at a glance) and replies
with the alert; later alerts reply in that thread and rewrite the parent. The parent's
`ts` lives in the idempotency table under `slack-thread#<channel>/<account>/<region>/<id>`.
One parent per registration, also under concurrent or retried deliveries: the first
delivery claims the item with a conditional write before posting; others wait for the
`ts` it records. A failed parent post releases its claim at once, so the retry posts
without waiting. A claim older than CLAIM_TIMEOUT (its delivery died between the claim and
the post) may be taken over; that delivery died before recording, so at worst it posted
a parent nobody points to. The reply itself is once per eventId (the shared flow).

Ordering (destinations/ordering.py): only an alert at least as new as the newest one the
thread has shown rewrites the parent; an older one (a late delivery, a redrive, a replay)
is posted as a reply marked "Earlier update" that names the thread's newest status.

slack_sdk's WebClient retries 429 (after Retry-After), 5xx and connection errors.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from destinations.ordering import LatestStatus
from destinations.slack.render import MAX_BLOCKS, render_slack_message
from destinations.slack.render_thread import render_slack_thread_parent
from destinations.slack.settings import SlackSettings
from regwatch.event_models import DigestEvent, Notification, RegwatchEvent
from regwatch.notification_errors import DestinationFailed, InvalidEvent
from regwatch.ordering import ordering_key
from regwatch_alerts.alert_content import humanize_status
from regwatch_aws.delivery_state import DeliveryStateStore, StateConflict
from regwatch_aws.secrets import SecretSource

DESTINATION = "slack"
STATE_NAMESPACE = "slack-thread"
CLAIM_TIMEOUT_MS = 150_000  # longer than the notifier's timeout (120 s)
WAIT_FOR_PARENT_SECONDS = 5.0
_sdk_logger = logging.getLogger("regwatch.slack_sdk.web")
_sdk_logger.setLevel(logging.WARNING)  # WebClient logs request details at DEBUG

# Slack Web API errors that need a person, with the setting to fix.
_SETTING_ERRORS = {
    "not_in_channel": "the bot is not in channel {channel} (regwatch.slackChannelId): invite it with "
    "/invite @<your app> in that channel",
    "channel_not_found": "channel {channel} (regwatch.slackChannelId) does not exist or the bot cannot "
    "see it",
    "is_archived": "channel {channel} (regwatch.slackChannelId) is archived",
    "invalid_auth": "the bot token in secret {secret} (regwatch.slackBotTokenSecret) is not valid",
    "not_authed": "the bot token in secret {secret} (regwatch.slackBotTokenSecret) is not valid",
    "token_revoked": "the bot token in secret {secret} (regwatch.slackBotTokenSecret) was revoked",
    "account_inactive": "the bot token in secret {secret} (regwatch.slackBotTokenSecret) belongs to a "
    "deactivated app or user",
    "missing_scope": "the bot token in secret {secret} (regwatch.slackBotTokenSecret) lacks the "
    "chat:write scope",
}


class SlackThreads:
    def __init__(
        self,
        settings: SlackSettings,
        tokens: SecretSource,
        state: DeliveryStateStore,
        latest: LatestStatus,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 2,
    ) -> None:
        self._settings = settings
        self._tokens = tokens
        self._state = state
        self._latest = latest
        self._sleep = sleep
        self._max_retries = max_retries
        self._client: WebClient | None = None

    def _web(self) -> WebClient:
        token = self._tokens.get()
        if self._client is None or self._client.token != token:
            backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
            self._client = WebClient(
                token=token,
                base_url=self._settings.api_url,
                timeout=self._settings.timeout_seconds,
                logger=_sdk_logger,
                retry_handlers=[
                    RateLimitErrorRetryHandler(max_retry_count=self._max_retries),
                    ServerErrorRetryHandler(max_retry_count=self._max_retries, interval_calculator=backoff),
                    ConnectionErrorRetryHandler(
                        max_retry_count=self._max_retries, interval_calculator=backoff
                    ),
                ],
            )
        return self._client

    def _call(self, method: str, **arguments: Any) -> dict[str, Any]:
        client = self._web()
        try:
            response = client.api_call(method, json=arguments)
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            template = _SETTING_ERRORS.get(code)
            reason = (
                template.format(channel=self._settings.channel_id, secret=self._tokens.secret_id)
                if template
                else f"{method} answered {code}"
            )
            raise DestinationFailed(
                DESTINATION, f"{reason} ({code})", status=error.response.status_code
            ) from None
        except (SlackClientError, OSError) as error:
            raise DestinationFailed(
                DESTINATION, f"{method}: no answer after retries ({type(error).__name__})"
            ) from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _thread_key(self, notification: RegwatchEvent) -> str:
        detail = notification.detail
        # Contract 1.2: one thread per RCS launch (agent, country) / Notify configuration.
        if detail.resource_id:
            resource = "/".join(filter(None, (detail.resource_id, detail.iso_country_code)))
            return f"{self._settings.channel_id}/{detail.account_id}/{detail.region}/{resource}"
        return f"{self._settings.channel_id}/{detail.account_id}/{detail.region}/{detail.registration_id}"

    def _parent_ts(self, key: str, notification: RegwatchEvent) -> tuple[str, bool]:
        """(ts of the thread's parent, whether this call created it)."""
        item = self._state.get(key)
        if item is not None and item.get("ts"):
            return str(item["ts"]), False
        claim = str(uuid.uuid4())
        now_ms = int(time.time() * 1000)
        try:
            if item is None:
                self._state.put_if_absent(key, {"claim": claim, "claimedAt": now_ms})
            elif now_ms - int(item.get("claimedAt", 0)) > CLAIM_TIMEOUT_MS:
                self._state.put(
                    key,
                    {"claim": claim, "claimedAt": now_ms},
                    condition="claim = :old AND attribute_not_exists(ts)",
                    values={":old": item.get("claim", "")},
                )
            else:
                raise StateConflict(key)
        except StateConflict:
            return self._wait_for_parent(key), False
        parent = render_slack_thread_parent(notification)
        try:
            posted = self._call("chat.postMessage", channel=self._settings.channel_id, **parent)
        except DestinationFailed:
            self._release(key, claim)  # the retry posts at once instead of waiting out the claim
            raise
        ts = str(posted["ts"])
        self._state.put(
            key,
            {"claim": claim, "claimedAt": now_ms, "ts": ts},
            condition="claim = :mine",
            values={":mine": claim},
        )
        return ts, True

    def _release(self, key: str, claim: str) -> None:
        # Taken over meanwhile, or the table is failing too: then the claim times out as before.
        with contextlib.suppress(StateConflict, DestinationFailed):
            self._state.delete(
                key, condition="claim = :mine AND attribute_not_exists(ts)", values={":mine": claim}
            )

    def _wait_for_parent(self, key: str) -> str:
        waited = 0.0
        while waited < WAIT_FOR_PARENT_SECONDS:
            self._sleep(0.2)
            waited += 0.2
            item = self._state.get(key)
            if item is not None and item.get("ts"):
                return str(item["ts"])
        raise DestinationFailed(
            DESTINATION, "another delivery is still starting this registration's thread; retry later"
        )

    def send(self, event: dict[str, Any], notification: Notification | None) -> dict[str, Any]:
        if notification is None:
            raise InvalidEvent("Slack renders registration events only")
        if isinstance(notification, DigestEvent):
            # The digest covers every registration: a message of its own in the channel, no thread.
            posted = self._call(
                "chat.postMessage", channel=self._settings.channel_id, **render_slack_message(notification)
            )
            return {"ts": posted.get("ts")}
        self._web()  # a bad token fails here, before this delivery claims the thread
        key = self._thread_key(notification)
        order = ordering_key(str(event.get("detail-type", "")), event["detail"])
        verdict = self._latest.advance(key, order, notification.detail.status)
        parent_ts, created = self._parent_ts(key, notification)
        message = render_slack_message(notification)
        reply = self._call(
            "chat.postMessage",
            channel=self._settings.channel_id,
            thread_ts=parent_ts,
            **(message if verdict.newest else as_earlier_update(message, verdict.latest_status)),
        )
        if not created and verdict.newest:
            self._call(
                "chat.update",
                channel=self._settings.channel_id,
                ts=parent_ts,
                **render_slack_thread_parent(notification),
            )
        return {
            "threadTs": parent_ts,
            "replyTs": reply.get("ts"),
            "newThread": created,
            "parentUpdated": created or verdict.newest,
        }


def as_earlier_update(message: dict[str, Any], latest_status: str) -> dict[str, Any]:
    """A reply for an alert older than the thread's newest: marked as history, naming the newest."""
    newest = humanize_status(latest_status)
    note = f"Earlier update, delivered late: this registration's newest status is {newest}."
    context = {"type": "context", "elements": [{"type": "plain_text", "text": note}]}
    blocks = [context, *message.get("blocks", [])][:MAX_BLOCKS]
    return {**message, "text": f"{note} {message.get('text', '')}", "blocks": blocks}
