"""Metric names the notifiers emit (CloudWatch EMF via Powertools Metrics).

Alarms and dashboards (infra/monitoring.py) refer to these names; keep them stable.
Each notifier adds the dimension `destination` = slack | sns.
"""

from __future__ import annotations

NOTIFICATIONS_SENT = "NotificationsSent"
DUPLICATES_SKIPPED = "DuplicatesSkipped"
DESTINATION_FAILURES = "DestinationFailures"
INVALID_EVENTS = "InvalidEvents"
# Events whose `detail.alert` is false: on the bus for automation, not for people.
NOT_ALERTS_SKIPPED = "NotAlertsSkipped"
# Events older than the newest status a destination shows (the ordering rule): not posted.
OLDER_EVENTS_SKIPPED = "OlderEventsSkipped"
DESTINATION_DIMENSION = "destination"
