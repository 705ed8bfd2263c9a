"""Settings of the SNS notifier: the SNS destination's settings (destinations/sns/settings.py)."""

from __future__ import annotations

from destinations.sns.settings import MessageFormat, SnsNotifierSettings
from function_support.settings_parsing import SettingsError

__all__ = ["MessageFormat", "SettingsError", "SnsNotifierSettings"]
