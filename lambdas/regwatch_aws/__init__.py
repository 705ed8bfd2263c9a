"""AWS adapters: boto3 clients in, domain types and domain errors out.

Each adapter takes its client as an argument (the handler builds clients once per
execution environment) and translates `ClientError` into the errors of
`regwatch.errors` / `regwatch.notification_errors`, so the domain never sees botocore.
"""
