"""Pieces every function package shares: settings parsing and values built on first use."""
