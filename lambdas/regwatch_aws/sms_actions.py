"""The SMS API operations the scanner's adapters (sms_api.py, messaging_api.py) call, as IAM actions.

One list for every role that reads registrations for the scanner: the hub scanner's role
and the RegwatchSpoke role of member accounts (infra/scanner.py, infra/spoke.py). A role
missing one of them loses what that call brings (names, field feedback, associations) in
every account it reads; tests/iam/test_sms_actions.py checks the list both ways against
what those adapters call.
"""

from __future__ import annotations

# Listing registrations is not scoped to a resource: IAM evaluates it against "*".
LIST_REGISTRATIONS_ACTION = "sms-voice:DescribeRegistrations"
# Reads of one registration, authorized against its ARN
# (arn:aws:sms-voice:<region>:<account>:registration/<id>).
REGISTRATION_READ_ACTIONS = (
    "sms-voice:DescribeRegistrationVersions",
    # Names, impact and field feedback of a changed registration (regwatch/profile.py).
    "sms-voice:DescribeRegistrationFieldValues",
    "sms-voice:ListRegistrationAssociations",
    "sms-voice:ListTagsForResource",
)
# RCS launches and Notify configurations (messaging_api.py), read once per listing cycle:
# list-style Describe calls, evaluated against "*" like DescribeRegistrations.
MESSAGING_READ_ACTIONS = (
    "sms-voice:DescribeRcsAgents",
    "sms-voice:DescribeRcsAgentCountryLaunchStatus",
    "sms-voice:DescribeNotifyConfigurations",
)
SMS_READ_ACTIONS = (LIST_REGISTRATIONS_ACTION, *REGISTRATION_READ_ACTIONS, *MESSAGING_READ_ACTIONS)
