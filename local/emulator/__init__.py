"""Emulator of the AWS End User Messaging SMS registration API (pinpoint-sms-voice-v2).

`EmulatorServer.start(port=0)` serves the AWS JSON 1.0 API to an unmodified boto3
client (via AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2) plus a control API under
`/_emulator/`, driven by `EmulatorControl(url)`. Requests are attributed to an account
from their access key id; `NativeEventSink` emits AWS's "Registration Status Change"
events. See docs/emulator.md.
"""

from local.emulator.accounts import DEFAULT_ACCOUNT, account_from_access_key_id
from local.emulator.control import EmulatorControl, EmulatorControlError
from local.emulator.native_events import NativeEvent, NativeEventSink
from local.emulator.server import EmulatorServer

__all__ = [
    "DEFAULT_ACCOUNT",
    "EmulatorControl",
    "EmulatorControlError",
    "EmulatorServer",
    "NativeEvent",
    "NativeEventSink",
    "account_from_access_key_id",
]
