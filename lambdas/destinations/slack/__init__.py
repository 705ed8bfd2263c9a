"""Slack: an incoming webhook (one message per alert) or a bot keeping one thread per registration."""
