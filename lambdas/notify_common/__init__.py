"""Handler-level flow shared by the notifier functions (not domain: it logs and counts)."""
