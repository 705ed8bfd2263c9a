"""Settings of the Slack notifier: the Slack destination's settings (destinations/slack/settings.py)."""

from __future__ import annotations

from destinations.slack.settings import SlackMode, SlackSettings
from function_support.settings_parsing import SettingsError

SlackNotifierSettings = SlackSettings

__all__ = ["SettingsError", "SlackMode", "SlackNotifierSettings"]
