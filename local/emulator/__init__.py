"""Emulator of the AWS End User Messaging SMS registration API (pinpoint-sms-voice-v2).

`EmulatorServer.start(port=0)` serves the AWS JSON 1.0 API to an unmodified boto3
client (via AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2) plus a control API under
`/_emulator/`, driven by `EmulatorControl(url)`. See docs/emulator.md.
"""

from local.emulator.control import EmulatorControl, EmulatorControlError
from local.emulator.server import EmulatorServer

__all__ = ["EmulatorControl", "EmulatorControlError", "EmulatorServer"]
