"""`python -m local.emulator --port PORT [--scenario FILE] [--rate-limit RPS]`."""

from __future__ import annotations

import argparse

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
    args = parser.parse_args(argv)
    server = EmulatorServer.create(args.port, args.host, args.rate_limit, args.scenario)
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
