"""The fault suite's fixtures (defined in test_faults.py) for its other tables (test_floods.py)."""

from tests.faults.test_faults import pipeline, sdk_fault_hooks, slack_server  # noqa: F401
