"""PagerDuty Events API v2: incidents that open on ACTION_REQUIRED and resolve themselves."""
