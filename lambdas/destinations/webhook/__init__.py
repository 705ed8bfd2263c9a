"""A generic signed webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`)."""
