"""`python -m local.emulator --port PORT [--scenario FILE] [--rate-limit RPS]
[--native-events-endpoint URL [--native-events-drop-rate X] [--native-events-seed N]]`"""

from __future__ import annotations

import argparse

from local.emulator.native_events import NativeEventSink
from local.emulator.server import EmulatorServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m local.emulator", description="SMS registration API emulator (pinpoint-sms-voice-v2)."
    )
    parser.add_argument("--port", type=int, default=4510, help="port to listen on (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--scenario", help="scenario JSON file to seed (see docs/emulator.md)")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="per-operation quota in requests/second answering ThrottlingException (default: none)",
    )
    parser.add_argument(
        "--native-events-endpoint",
        help="EventBridge endpoint (e.g. a moto server) that gets AWS's 'Registration Status Change' events",
    )
    parser.add_argument("--native-events-drop-rate", type=float, default=0.0, help="share dropped, 0..1")
    parser.add_argument("--native-events-seed", type=int, default=0, help="seed of the drop decisions")
    args = parser.parse_args(argv)
    sink = None
    if args.native_events_endpoint:
        sink = NativeEventSink(
            endpoint_url=args.native_events_endpoint,
            drop_rate=args.native_events_drop_rate,
            seed=args.native_events_seed,
        )
    server = EmulatorServer.create(args.port, args.host, args.rate_limit, args.scenario, sink)
    print(f"SMS registration API emulator listening on {server.url}/ (control API: {server.url}/_emulator/)")
    print(f"export AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2={server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
