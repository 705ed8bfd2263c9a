"""The local stack's AWS: a moto server of its own, and boto3 clients pointed at it."""

from __future__ import annotations

import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from local.stack_options import REGION

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer


def local_client(service: str, endpoint: str, region: str = REGION) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def start_moto_server() -> tuple[ThreadedMotoServer, str]:
    """A started moto server on a free loopback port, and its URL."""
    from moto.server import ThreadedMotoServer  # imported on start: `--help` stays quick

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    return moto, f"http://{host}:{port}"


def reset_moto(url: str) -> None:
    # moto keeps its state per interpreter, not per server: start from a clean account.
    reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our own loopback server
