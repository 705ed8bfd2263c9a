"""The demo's own destinations: local/run.py always runs them with servers of its own (Slack's
webhook server, an SQS inbox subscribed to the SNS topic), so they have no opt-in sink."""

from __future__ import annotations

BUILT_IN = ("slack", "sns")
