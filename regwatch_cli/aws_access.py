"""The AWS session and the stack's resources of one `regwatch` run, resolved on first use."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from regwatch_cli import resources
from regwatch_cli.errors import CliError, ExitCode

LAMBDA_READ_TIMEOUT_SECONDS = 910


@dataclass
class Aws:
    """The session and the stack's resources, resolved on first use."""

    args: argparse.Namespace
    last_service: str = ""
    _session: Any = None
    _resources: resources.StackResources | None = None

    @property
    def session(self) -> Any:
        if self._session is None:
            # botocore reads AWS_DEFAULT_REGION; AWS_REGION (the AWS CLI v2's and Lambda's) too.
            region = self.args.stack_region or os.environ.get("AWS_REGION")  # noqa: TID251
            self._session = boto3.Session(profile_name=self.args.profile, region_name=region)
        return self._session

    @property
    def stack_region(self) -> str:
        region = self.session.region_name
        if not region:
            raise CliError("no AWS region: pass --stack-region or set AWS_REGION", ExitCode.AUTH)
        return str(region)

    def client(self, service: str, region: str | None = None) -> Any:
        config = Config(retries={"mode": "standard", "max_attempts": 5})
        if service == "lambda":
            # A redrive waits for the function (the scanner may run 900 s) and never retries an
            # invocation on its own: a retried timeout would run the function twice.
            config = Config(read_timeout=LAMBDA_READ_TIMEOUT_SECONDS, retries={"total_max_attempts": 1})
        client = self.session.client(service, region_name=region or self.stack_region, config=config)

        def remember(model: Any, **_: Any) -> None:
            self.last_service = str(model.service_model.signing_name)

        client.meta.events.register("before-call", remember)
        return client

    @property
    def resources(self) -> resources.StackResources:
        if self._resources is None:
            stack_name = self.args.stack_name
            source: resources.OutputsSource
            if self.args.outputs_file:
                source = resources.OutputsFile(Path(self.args.outputs_file), stack_name)
            else:
                source = resources.CloudFormationOutputs(self.client("cloudformation"), stack_name)
            self._resources = resources.resolve(source)
        return self._resources


# main.build_parser's helper: (name, help, handler) -> the subcommand's parser, with the
# shared stack/credentials options; each command module's `register` takes it.
AddCommand = Callable[[str, str, Callable[[Aws, argparse.Namespace], int]], argparse.ArgumentParser]
