"""`make demo`: regwatch's real pipeline on this machine, no AWS account needed.

    python -m local.run [--scenario FILE] [--regions us-east-1,us-west-2] [--watch]
    python -m local.run --aws-dry-run [--regions ...]

The local stack (`LocalStack`) is the deployed one with three stand-ins: the SMS
registration API is the emulator (local/emulator), AWS is moto server, Slack is a
local webhook server. Resources come from the synthesized CloudFormation template
(local.provision), functions run from their bundled asset folder under awslambdaric
(local.functions), and EventBridge's Lambda targets are delivered by local.delivery.
The e2e tests drive the same `LocalStack` without the terminal timeline.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import boto3
from botocore.config import Config

from local import function_runtime
from local.aws_services import MOTO_SERVICES
from local.cli_outputs import OUTPUTS_FILE_NAME, command_environment, local_outputs, write_outputs_file
from local.delivery import DeliveryOutcome, TargetDelivery, dead_letter_messages, redrive
from local.destination_sinks import DEMO_DESTINATIONS, DemoSinks, demo_context
from local.functions import REGISTRY, LocalFunction
from local.iam.gate import IamGate
from local.iam.stack import gate_for_stack, spoke_template
from local.lambda_events import scheduled_event
from local.org_demo import ORGANIZATION_ID, OrgDemo, org_context
from local.provision import LambdaTarget, ProvisionedStack, Provisioner, load_template
from local.records import Note, Notification, Observer
from local.scenario_check import scenario_problem
from local.schedule import run_schedule
from regwatch_cli.main import dry_run_command

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "local" / "scenarios" / "demo.json"
DEFAULT_OUTPUT = ROOT / "demo-output"
CDK_OUTDIR = ROOT / ".build" / "cdk.out"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEMO_REGIONS = ("us-east-1", "us-west-2")
SLACK_SECRET_NAME = "regwatch/demo-slack-webhook"  # noqa: S105 - a name; the value is a local URL
SCANNER_HANDLER = "scanner.handler.lambda_handler"
# Keys of a scenario file that belong to the runner, not to the emulator's seed.
RUNNER_KEYS = ("description", "scan_interval_seconds", "quiet_scans_after_story")
EVENT_ID_IN_TEXT = re.compile(
    r"regwatch event ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
# Demo deployment settings on top of cdk.json: both regions, Slack wired to the local
# server's secret, every severity to Slack so the whole story is visible there, and a
# faster API rate that still stays under the emulator's quota (time is compressed).
DEMO_CONTEXT: dict[str, Any] = {
    "slackWebhookSecret": SLACK_SECRET_NAME,
    "slackSeverities": ["ACTION_REQUIRED", "GOOD_NEWS", "INFO"],
    "apiCallsPerSecond": 8,
}
EMULATOR_QUOTA_RPS = 10.0
WATCH_PAUSE_SECONDS = 5.0


@dataclass(slots=True)
class StackOptions:
    scenario_path: Path = DEFAULT_SCENARIO
    regions: tuple[str, ...] = DEMO_REGIONS
    output_dir: Path = DEFAULT_OUTPUT
    cdk_outdir: Path = CDK_OUTDIR
    context: dict[str, Any] = field(default_factory=dict)
    emulator_rate_limit: float | None = EMULATOR_QUOTA_RPS
    destinations: tuple[str, ...] = ()  # extra demo destinations (local/destination_sinks.py)
    organization: bool = False  # the organization demo (local/org_demo.py)


def _context(options: StackOptions) -> dict[str, Any]:
    cdk_json = json.loads((ROOT / "cdk.json").read_text())
    regwatch = dict(cdk_json.get("context", {}).get("regwatch", {}))
    regwatch.update(DEMO_CONTEXT)
    regwatch["monitoredRegions"] = list(options.regions)
    regwatch.update(demo_context(options.destinations))
    if options.organization:
        regwatch.update(org_context(options.regions))
    regwatch.update(options.context)
    return {
        "regwatch": regwatch,
        # What `cdk synth` turns on: asset folders and construct paths in the template metadata.
        "aws:cdk:enable-asset-metadata": True,
        "aws:cdk:enable-path-metadata": True,
    }


def synthesize(options: StackOptions) -> tuple[str, dict[str, Any], Path, dict[str, Any] | None]:
    """`python app.py` into one reused outdir (bundling is skipped when the asset exists).

    Returns the template's file name, its content (read under the lock: another run may
    rewrite it next), the cloud assembly folder the asset paths are relative to, and the
    RegwatchSpoke template when the settings are multi-account (its role, for the IAM gate).
    """
    env = {
        **os.environ,
        "CDK_OUTDIR": str(options.cdk_outdir),
        "CDK_CONTEXT_JSON": json.dumps(_context(options)),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    options.cdk_outdir.parent.mkdir(parents=True, exist_ok=True)
    # One outdir is shared by every run (bundles are reused); two runs must not write it at once.
    with (options.cdk_outdir.parent / "cdk.out.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        completed = subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"cdk synthesis failed:\n{completed.stdout}\n{completed.stderr}")
        manifest = json.loads((options.cdk_outdir / "manifest.json").read_text())
        for name, artifact in manifest["artifacts"].items():
            # The hub stack; a RegwatchSpoke stack (multi-account settings) is deployed elsewhere.
            if artifact.get("type") == "aws:cloudformation:stack" and name == "Regwatch":
                template_file = str(artifact["properties"]["templateFile"])
                hub = load_template(options.cdk_outdir / template_file)
                return template_file, hub, options.cdk_outdir, spoke_template(options.cdk_outdir)
    raise RuntimeError("the cloud assembly has no stack")


def _client(service: str, endpoint: str, region: str = REGION) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


class LocalStack:
    """The whole local deployment; `start()`, then `scan()` / `advance()`, then `stop()`."""

    def __init__(self, options: StackOptions | None = None, observer: Observer | None = None) -> None:
        self.options = options or StackOptions()
        self.observer = observer
        self.notes: list[Note] = []
        self.transitions: list[dict[str, Any]] = []
        self.notifications: list[Notification] = []
        self.deliveries: dict[str, TargetDelivery] = {}
        self.functions: dict[str, LocalFunction] = {}
        self.delivered_ids: dict[str, Counter[str]] = {}
        self.scans = 0
        self.scanner_results: list[Any] = []
        self._stoppers: list[Callable[[], None]] = []
        self._slack_seen = 0
        self.scenario: dict[str, Any] = json.loads(self.options.scenario_path.read_text())
        self.template: dict[str, Any] = {}  # the synthesized CloudFormation template, once started
        self.org_demo: OrgDemo | None = None
        self.iam_gate: IamGate | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def note(self, kind: str, **data: Any) -> None:
        entry = Note(kind, data)
        self.notes.append(entry)
        if self.observer is not None:
            self.observer(entry)

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        from moto.server import ThreadedMotoServer

        from local.emulator import EmulatorControl, EmulatorServer
        from local.slack_webhook import SlackWebhookServer

        started = time.monotonic()
        # moto's and werkzeug's access logs would drown the timeline.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.note("phase", text="Synthesizing the CDK app (bundles the Lambda code once, then reuses it)")
        template_name, template, asset_root, spoke = synthesize(self.options)
        self.template = template

        self.note("phase", text="Starting moto server, the registration emulator and a local Slack webhook")
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        self._stoppers.append(moto.stop)
        host, port = moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"
        # moto keeps its state per interpreter, not per server: start from a clean account.
        reset = urllib.request.Request(f"{self.moto_url}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our own loopback server
        self.emulator = EmulatorServer.start(port=0, rate_limit=self.options.emulator_rate_limit)
        self._stoppers.append(self.emulator.stop)
        self.control = EmulatorControl(self.emulator.url)
        self.slack = SlackWebhookServer.start(port=0)
        self._stoppers.append(self.slack.stop)
        self.sinks = DemoSinks.start(self.options.destinations)
        self._stoppers.append(self.sinks.stop)

        self.sqs = _client("sqs", self.moto_url)
        self.sns = _client("sns", self.moto_url)
        self.dynamodb = _client("dynamodb", self.moto_url)
        self.events = _client("events", self.moto_url)
        clients = {
            "sqs": self.sqs,
            "sns": self.sns,
            "dynamodb": self.dynamodb,
            "events": self.events,
            "secretsmanager": _client("secretsmanager", self.moto_url),
            "logs": _client("logs", self.moto_url),
        }
        self.note("phase", text=f"Provisioning {template_name} on moto (tables, bus, rules, topic, queues)")
        provisioner = Provisioner(template, clients, asset_root, region=REGION, account_id=ACCOUNT_ID)
        provisioner.create_referenced_secrets(
            {SLACK_SECRET_NAME: self.slack.webhook_url, **self.sinks.secrets()}
        )
        self.stack: ProvisionedStack = provisioner.provision()
        self.sinks.extend_stack(self.stack, clients)  # local-only functions (slack-thread)
        if self.stack.skipped:
            skipped = ", ".join(
                f"{kind.removeprefix('AWS::')} ×{n}" for kind, n in sorted(self.stack.skipped.items())
            )
            self.note("phase", text=f"No local counterpart (skipped): {skipped}")
        self._add_observers()
        # Every call a function makes goes through the IAM gate: checked against its role.
        organization = self.options.organization
        self.iam_gate = gate_for_stack(
            provisioner,
            self.stack.functions,
            moto_url=self.moto_url,
            emulator_url=self.emulator.url,
            spoke=spoke,
            organizations={ACCOUNT_ID: ORGANIZATION_ID} if organization else {},
        )
        self._stoppers.append(self.iam_gate.stop)

        seed = {k: v for k, v in self.scenario.items() if k not in RUNNER_KEYS}
        seeded = self.control.seed(seed)
        self.control.reset_counters()
        self.note("seeded", result=seeded, regions=list(self.options.regions))

        if self.options.organization:
            self.org_demo = OrgDemo(
                self.moto_url, self.control, self.options.regions, self.note, self.iam_gate
            )
            self.org_demo.provision()
        self._start_functions()
        self._serve_command()
        self.note("ready", seconds=time.monotonic() - started)

    def _add_observers(self) -> None:
        """Local-only taps: a queue on the bus sees every event, a queue on the topic every message."""
        bus = self.stack.of_type("AWS::Events::EventBus")[0].ref
        self.bus_name = bus
        tap_url = self.sqs.create_queue(QueueName="local-tap-all-events")["QueueUrl"]
        self.events.put_rule(
            Name="local-tap-all-events",
            EventBusName=bus,
            EventPattern=json.dumps({"source": [{"prefix": ""}]}),
        )
        self.events.put_targets(
            Rule="local-tap-all-events",
            EventBusName=bus,
            Targets=[{"Id": "tap", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:local-tap-all-events"}],
        )
        self.tap_url = tap_url
        self.sns_inbox_url: str | None = None
        sns_notifier = [f for f in self.stack.functions.values() if f.environment.get("DESTINATION") == "sns"]
        if sns_notifier and "NOTIFICATION_TOPIC_ARN" in sns_notifier[0].environment:
            # The topic the SNS notifier publishes to, as the template wires it.
            self.topic_arn = sns_notifier[0].environment["NOTIFICATION_TOPIC_ARN"]
            self.sns_inbox_url = self.sqs.create_queue(QueueName="local-sns-inbox")["QueueUrl"]
            self.sns.subscribe(
                TopicArn=self.topic_arn,
                Protocol="sqs",
                Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:local-sns-inbox",
            )

    @property
    def aws_url(self) -> str:
        """Where regwatch's own code reaches AWS: the IAM gate in front of moto and the emulator."""
        return self.iam_gate.url if self.iam_gate is not None else self.moto_url

    def function_env(self) -> dict[str, str]:
        if self.iam_gate is not None:
            env = self.iam_gate.endpoint_environment()
        else:
            env = {f"AWS_ENDPOINT_URL_{service}": self.moto_url for service in MOTO_SERVICES}
            env["AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2"] = self.emulator.url
        # No X-Ray daemon locally; the deployed functions trace, the local ones do not.
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
        env.update(self.sinks.function_env())
        return env

    def _start_functions(self) -> None:
        # Lambda's Python and asset where they run here, else a bundle for this machine (one line says so).
        runtime, specs = function_runtime.prepare(
            list(self.stack.functions.values()), lambda text: self.note("phase", text=text)
        )
        python = f"python{specs[0].python_version}" if runtime.lambda_platform else runtime.python
        self.note("phase", text=f"Starting {len(specs)} functions from their bundle under {python}")
        for spec in specs:
            function = LocalFunction(
                spec,
                extra_env=self.function_env(),
                region=REGION,
                account_id=ACCOUNT_ID,
                python=runtime.python,
                runtime_layer=runtime.runtime_layer,
                python_flags=runtime.python_flags,
                log_path=self.options.output_dir / "logs" / f"{spec.name}.log",
            ).start()
            self.functions[spec.logical_id] = function
            self._stoppers.append(function.stop)
        for target in self.stack.lambda_targets:
            if target.schedule_expression is not None or target.function_logical_id not in self.functions:
                continue
            self.deliveries[target.rule_logical_id] = self._delivery(target)

    def _serve_command(self) -> None:
        """The Lambda Invoke API and an outputs file: the `regwatch` command works on this stack."""
        from local.lambda_api import LambdaInvokeServer

        invoke_api = LambdaInvokeServer({f.spec.name: f.invoke for f in self.functions.values()}).start()
        self._stoppers.append(invoke_api.stop)
        self.outputs_file = write_outputs_file(
            self.options.output_dir / OUTPUTS_FILE_NAME, "Regwatch", local_outputs(self.stack)
        )
        self.command_env = command_environment(
            self.outputs_file, self.moto_url, self.emulator.url, invoke_api.url, REGION
        )

    def _delivery(self, target: LambdaTarget) -> TargetDelivery:
        function = self.functions[target.function_logical_id]
        # One counter per function, shared by its rules (a notifier also gets the digest rule).
        seen = self.delivered_ids.setdefault(function.spec.name, Counter())

        def observe(outcome: DeliveryOutcome) -> None:
            event_id = str(outcome.event.get("detail", {}).get("eventId", ""))
            if outcome.delivered:
                seen[event_id] += 1
                self.note(
                    "delivered", function=function.spec.name, event=outcome.event, attempts=outcome.attempts
                )
            else:
                self.note(
                    "delivery_failed",
                    function=function.spec.name,
                    event=outcome.event,
                    attempts=outcome.attempts,
                    error=outcome.error_message,
                    dead_lettered=outcome.dead_lettered,
                )

        return TargetDelivery(
            self.sqs,
            target.delivery_queue_url,
            function.invoke,
            target.dead_letter_queue_url,
            target.max_retries,
            target.max_event_age_seconds,
            rule_arn=target.rule_arn,
            target_arn=target.target_arn,
            observer=observe,
        )

    def stop(self) -> None:
        while self._stoppers:
            stopper = self._stoppers.pop()
            with contextlib.suppress(Exception):
                stopper()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what the schedule and EventBridge would do ----------------------------------------

    @property
    def scanner(self) -> LocalFunction:
        spec = self.stack.function_for_handler(SCANNER_HANDLER)
        return self.functions[spec.logical_id]

    def notifier(self, handler: str) -> LocalFunction | None:
        found = [f for f in self.functions.values() if f.spec.handler == handler]
        return found[0] if found else None

    def schedule_rule_arn(self) -> str:
        for target in self.stack.lambda_targets:
            if target.schedule_expression is not None:
                return target.rule_arn
        return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/local-schedule"

    def advance(self, seconds: float) -> list[dict[str, Any]]:
        """Move the emulator clock; the scenario steps that fall due are applied and returned."""
        result = self.control.advance_clock(seconds)
        applied = list(result.get("applied", [])) if isinstance(result, dict) else []
        for entry in applied:
            self.note("story", step=entry.get("step", {}), ok=entry.get("ok", True), error=entry.get("error"))
        return applied

    def scan(self) -> dict[str, Any]:
        """One scheduled scanner run, then EventBridge's deliveries of what it published."""
        self.scans += 1
        if self.org_demo is not None:
            self.org_demo.before_scan(self.scans)
        before = self._counters()
        self.note("scan_started", number=self.scans, emulator_time=self.control.now())
        started = time.monotonic()
        event = scheduled_event(REGION, rule_arn=self.schedule_rule_arn())
        result = run_schedule(
            list(self.functions.values()), self.scanner.invoke, self.sqs, event, region=REGION
        )
        self.scanner_results.append(result)
        new_events = self.collect_transitions()
        after = self._counters()
        calls = {
            op: after.get(op, 0) - before.get(op, 0) for op in after if after.get(op, 0) - before.get(op, 0)
        }
        self.note(
            "scan_finished",
            number=self.scans,
            seconds=time.monotonic() - started,
            events=len(new_events),
            api_calls=calls,
            result=result,
        )
        self.deliver()
        return {"events": new_events, "api_calls": calls, "result": result}

    def _counters(self) -> dict[str, int]:
        counters = self.control.counters()
        return {str(k): int(v) for k, v in counters.items() if isinstance(v, int | float)}

    def collect_transitions(self) -> list[dict[str, Any]]:
        events = _drain_queue(self.sqs, self.tap_url)
        for event in events:
            self.transitions.append(event)
            self.note("transition", event=event)
        return events

    def deliver(self) -> None:
        """Drain every rule target's delivery queue, then read what reached Slack and SNS."""
        for delivery in self.deliveries.values():
            delivery.drain()
        self.collect_slack()
        self.collect_sns()

    def _notifications(self, destination: str) -> list[Notification]:
        return [n for n in self.notifications if n.destination == destination]

    @property
    def duplicates_suppressed(self) -> int:
        """Deliveries of an already-delivered event that did not produce a second message."""
        duplicate_deliveries = sum(
            count - 1 for seen in self.delivered_ids.values() for count in seen.values() if count > 1
        )
        message_ids = Counter(
            (n.destination, n.event_id) for n in self.notifications if n.event_id is not None
        )
        duplicate_messages = sum(count - 1 for count in message_ids.values() if count > 1)
        return max(0, duplicate_deliveries - duplicate_messages)

    def collect_slack(self) -> list[Notification]:
        found: list[Notification] = []
        for payload in list(self.slack.requests)[self._slack_seen :]:
            text = str(payload.get("text", ""))
            match = EVENT_ID_IN_TEXT.search(json.dumps(payload))
            notification = Notification("slack", match.group(1) if match else None, text, payload)
            found.append(notification)
            self.notifications.append(notification)
            self.note("slack", notification=notification)
        self._slack_seen += len(found)
        return found

    def collect_sns(self) -> list[Notification]:
        if self.sns_inbox_url is None:
            return []
        found: list[Notification] = []
        for envelope in _drain_queue(self.sqs, self.sns_inbox_url):
            message = str(envelope.get("Message", ""))
            match = EVENT_ID_IN_TEXT.search(message)
            notification = Notification("sns", match.group(1) if match else None, message, envelope)
            found.append(notification)
            self.notifications.append(notification)
            self.note("sns", notification=notification)
        return found

    def dead_letters(self) -> dict[str, list[dict[str, Any]]]:
        """What sits in each notifier target's dead-letter queue (messages stay there)."""
        found: dict[str, list[dict[str, Any]]] = {}
        seen: set[str] = set()  # a notifier's rules (alerts, digest) share its DLQ: read it once
        for target in self.stack.lambda_targets:
            if target.dead_letter_queue_url in seen:
                continue
            if target.dead_letter_queue_url and target.schedule_expression is None:
                seen.add(target.dead_letter_queue_url)
                name = self.functions[target.function_logical_id].spec.name
                found[name] = found.get(name, []) + dead_letter_messages(
                    self.sqs, target.dead_letter_queue_url
                )
        return found

    def redrive_all(self) -> int:
        delivered = 0
        for rule_id, delivery in self.deliveries.items():
            target = next(t for t in self.stack.lambda_targets if t.rule_logical_id == rule_id)
            if target.dead_letter_queue_url:
                delivered += redrive(self.sqs, target.dead_letter_queue_url, delivery)
        self.collect_slack()
        self.collect_sns()
        return delivered

    def replay_last_delivery(self) -> int:
        """EventBridge delivers at least once: hand each notifier its last event again."""
        replayed = 0
        for delivery in self.deliveries.values():
            name = _function_name_of(self, delivery)
            last = next(
                (
                    n.data["event"]
                    for n in reversed(self.notes)
                    if n.kind == "delivered" and n.data["function"] == name
                ),
                None,
            )
            if last is not None:
                self.sqs.send_message(QueueUrl=delivery.queue_url, MessageBody=json.dumps(last))
                replayed += 1
        self.note("replay", count=replayed)
        self.deliver()
        return replayed

    # ---- the scripted story ------------------------------------------------------------------

    def play(self, extra_quiet_scans: int = 0) -> None:
        """Baseline scan, then one scan per schedule interval until the story is over."""
        interval = float(self.scenario.get("scan_interval_seconds", 300))
        story_end = max((float(step.get("at", 0)) for step in self.scenario.get("timeline", [])), default=0.0)
        quiet = int(self.scenario.get("quiet_scans_after_story", 1)) + extra_quiet_scans
        self.scan()
        elapsed = 0.0
        while elapsed < story_end:
            self.advance(interval)
            elapsed += interval
            self.scan()
        for _ in range(quiet):
            self.advance(interval)
            self.scan()


def _function_name_of(stack: LocalStack, delivery: TargetDelivery) -> str:
    for function in stack.functions.values():
        if function.invoke == delivery.invoke:
            return function.spec.name
    return "?"


def _drain_queue(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = response.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


# ---- command line -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make demo", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument(
        "--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file (emulator format)"
    )
    parser.add_argument(
        "--regions",
        default=",".join(DEMO_REGIONS),
        help="comma-separated regions to monitor (default: %(default)s)",
    )
    parser.add_argument("--watch", action="store_true", help="keep scanning after the story until Ctrl-C")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the HTML page and logs go")
    parser.add_argument(
        "--aws-dry-run",
        action="store_true",
        help="alias of `regwatch scan --dry-run`: read-only list of YOUR registrations and version "
        "histories with your default AWS credentials",
    )
    parser.add_argument("--quiet", action="store_true", help="no live timeline, only the summary")
    parser.add_argument(
        "--destinations",
        default="",
        help="extra destinations with local sinks and previews, comma-separated: "
        + ",".join(DEMO_DESTINATIONS),
    )
    parser.add_argument(
        "--single-account",
        action="store_true",
        help="the built-in story without its organization part (local/org_demo.py)",
    )
    return parser.parse_args(argv)


def _install_signal_handlers() -> None:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        # Turn SIGTERM/SIGHUP into the same clean exit as Ctrl-C: finally blocks and atexit run.
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    # Ctrl-C stops the demo even when it was started with SIGINT ignored (a parent that ignores
    # it, e.g. a test runner's worker, passes that on; Python then never raises KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _cleanup_on_exit(stack: LocalStack) -> Iterator[None]:
    try:
        yield
    finally:
        # Ignore a second Ctrl-C while cleaning up: leaving processes behind is worse than waiting.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            stack.stop()
            REGISTRY.kill_all()
        finally:
            signal.signal(signal.SIGINT, previous)


def main(argv: Sequence[str] | None = None) -> int:
    from local.reminders_demo import alert_summary, play_epilogue
    from local.report import summarize, write_slack_html
    from local.timeline import Timeline

    args = parse_args(argv)
    regions = tuple(r.strip() for r in str(args.regions).split(",") if r.strip())
    if args.aws_dry_run:
        # An alias: one implementation, the command's (errors as one line, exit codes).
        return dry_run_command(regions)
    problem = scenario_problem(args.scenario)
    if problem is not None:
        print(f"make demo: {problem}", file=sys.stderr)
        return 2
    _install_signal_handlers()
    timeline = Timeline(sys.stdout, quiet=bool(args.quiet))
    destinations = tuple(d.strip() for d in str(args.destinations).split(",") if d.strip())
    # The organization part belongs to the built-in story; a custom scenario plays alone.
    organization = not args.single_account and args.scenario == DEFAULT_SCENARIO
    options = StackOptions(
        scenario_path=args.scenario,
        regions=regions,
        output_dir=args.output,
        destinations=destinations,
        organization=organization,
    )
    stack = LocalStack(options, observer=timeline.show)
    started = time.monotonic()
    try:
        with _cleanup_on_exit(stack):
            stack.start()
            stack.play()
            stack.replay_last_delivery()
            play_epilogue(stack)  # days pass: reminders, an expired-link escalation, the digest
            if args.watch:
                _watch(stack, timeline)
            severities = {e["detail"].get("eventId"): e["detail"].get("severity") for e in stack.transitions}
            html = write_slack_html(stack.notifications, args.output / "slack.html", severities)
            print(summarize(stack, stack.dead_letters(), time.monotonic() - started))
            if stack.iam_gate is not None:
                print(stack.iam_gate.summary())
            print(alert_summary(stack))
            print(f"Slack messages as they would look: {html}")
            for line in stack.sinks.summaries():
                print(line)
            for preview in stack.sinks.write_previews(args.output, severities):
                print(f"Preview: {preview}")
            print(f"Function logs: {args.output / 'logs'}")
    except KeyboardInterrupt:
        print("\nstopped; every local process has been shut down", file=sys.stderr)
        return 130
    return 0


def _watch(stack: LocalStack, timeline: Any) -> None:
    """Keep scanning until Ctrl-C, which ends the watch (and then shows the summary)."""
    timeline.say(
        f"\nwatch mode: a scan every {WATCH_PAUSE_SECONDS:.0f} s, Ctrl-C for the summary. Change a "
        'registration meanwhile, e.g.\n  python -c "from local.emulator import EmulatorControl; '
        f"EmulatorControl('{stack.emulator.url}').set_version_status("
        "'us-east-1', '<registration id>', 1, 'REVOKED')\""
    )
    exports = " ".join(f"{name}={value}" for name, value in sorted(stack.command_env.items()))
    timeline.say(f"Ask this stack with the regwatch command, e.g.\n  env {exports} regwatch status")
    try:
        while True:
            time.sleep(WATCH_PAUSE_SECONDS)
            stack.advance(float(stack.scenario.get("scan_interval_seconds", 300)))
            stack.scan()
    except KeyboardInterrupt:
        timeline.say("\nwatch ended")


if __name__ == "__main__":
    sys.exit(main())
