"""`regwatch`: the operator's command for a deployed (or local demo) regwatch stack.

Not Lambda code: it runs on a person's machine with their AWS credentials. It may use the
bundle's libraries (regwatch, regwatch_aws, regwatch_alerts); nothing in lambdas/ imports it.
"""
