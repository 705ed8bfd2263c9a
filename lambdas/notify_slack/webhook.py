"""Moved to destinations/slack/webhook.py; kept so old imports keep working."""

from destinations.slack.webhook import SlackWebhookPoster

__all__ = ["SlackWebhookPoster"]
