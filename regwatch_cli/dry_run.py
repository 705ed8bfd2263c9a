"""`scan --dry-run`: a read-only look at a real account's registrations (Describe* only).

Uses the caller's credentials and nothing of the stack: no table, no bus, no writes of any
kind, at most `calls_per_second` calls (the Describe* quota is 1/s per account and region).
`make demo ARGS=--aws-dry-run` is an alias of this command.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import boto3
from botocore.config import Config

SMS_SERVICE = "pinpoint-sms-voice-v2"


class Pacer:
    """At most `calls_per_second` calls, spaced evenly."""

    def __init__(self, calls_per_second: float) -> None:
        self.interval = 1.0 / calls_per_second
        self.last_call = -self.interval

    def __call__(self, call: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        wait = self.last_call + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_call = time.monotonic()
        return call(**kwargs)


def _pages(pace: Pacer, call: Callable[..., dict[str, Any]], key: str, **kwargs: Any) -> Iterator[Any]:
    token: str | None = None
    while True:
        page = pace(call, **kwargs, **({"NextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return


def version_line(version: Mapping[str, Any]) -> str:
    history = version.get("RegistrationVersionStatusHistory", {})
    steps = ", ".join(
        f"{key.removesuffix('Timestamp')} {value:%Y-%m-%d %H:%M}"
        for key, value in sorted(history.items(), key=lambda item: item[1])
    )
    return f"    v{version['VersionNumber']}: {version['RegistrationVersionStatus']}  ({steps})"


def aws_dry_run(
    regions: Sequence[str],
    calls_per_second: float = 1.0,
    out: Any = sys.stdout,
    session: Any = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Print every registration and its versions in `regions`; return how many were found."""
    pace = Pacer(calls_per_second)
    session = session or boto3.Session()
    total = 0
    for region in regions:
        client = session.client(SMS_SERVICE, region_name=region, config=Config(retries={"mode": "adaptive"}))
        print(f"\n== {region}", file=out)
        for registration in _pages(pace, client.describe_registrations, "Registrations"):
            total += 1
            registration_id = registration["RegistrationId"]
            if progress is not None:
                progress(f"{region}: {registration_id}")
            print(
                f"{registration_id}  {registration['RegistrationType']}  "
                f"{registration['RegistrationStatus']}  current v{registration.get('CurrentVersionNumber')}",
                file=out,
            )
            versions = _pages(
                pace,
                client.describe_registration_versions,
                "RegistrationVersions",
                RegistrationId=registration_id,
            )
            for version in versions:
                print(version_line(version), file=out)
                for reason in version.get("DeniedReasons", []):
                    print(f"      denied: {reason.get('Reason')}: {reason.get('ShortDescription')}", file=out)
    print(f"\n{total} registrations in {len(regions)} region(s); nothing was written.", file=out)
    return total
