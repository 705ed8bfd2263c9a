"""`LocalStack`: the deployed stack on this machine, started, driven scan by scan, and read back.

The SMS registration API is the emulator (local/emulator), AWS is moto server, Slack is a
local webhook server. Resources come from the synthesized CloudFormation template
(local.synthesis, local.provision), functions run from their bundled asset folder under
awslambdaric (local.functions), and EventBridge's Lambda targets are delivered by
local.delivery. `make demo` (local/run.py), the e2e tests and the benchmarks drive it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from local import function_runtime
from local.aws_services import MOTO_SERVICES
from local.cli_outputs import OUTPUTS_FILE_NAME, command_environment, local_outputs, write_outputs_file
from local.delivery import TargetDelivery
from local.destination_sinks import DemoSinks
from local.functions import LocalFunction
from local.iam.gate import IamGate
from local.iam.stack import gate_for_stack
from local.lambda_events import scheduled_event
from local.local_aws import local_client, reset_moto, start_moto_server
from local.org_demo import ORGANIZATION_ID, OrgDemo
from local.provision import LambdaTarget, ProvisionedStack, Provisioner
from local.records import Note, Notification, Observer
from local.schedule import run_schedule
from local.stack_options import ACCOUNT_ID, REGION, StackOptions
from local.stack_taps import add_taps, drain_queue, slack_notification, sns_notification
from local.synthesis import SLACK_SECRET_NAME, synthesize
from local.target_deliveries import (
    dead_letters_by_function,
    noted_delivery,
    redrive_dead_letters,
    replay_last_deliveries,
)

SCANNER_HANDLER = "scanner.handler.lambda_handler"
# Keys of a scenario file that belong to the runner, not to the emulator's seed.
RUNNER_KEYS = ("description", "scan_interval_seconds", "quiet_scans_after_story")


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
        from local.emulator import EmulatorControl, EmulatorServer
        from local.slack_webhook import SlackWebhookServer

        started = time.monotonic()
        # moto's and werkzeug's access logs would drown the timeline.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.note("phase", text="Synthesizing the CDK app (bundles the Lambda code once, then reuses it)")
        template_name, template, asset_root, spoke = synthesize(self.options)
        self.template = template

        self.note("phase", text="Starting moto server, the registration emulator and a local Slack webhook")
        moto, self.moto_url = start_moto_server()
        self._stoppers.append(moto.stop)
        reset_moto(self.moto_url)
        self.emulator = EmulatorServer.start(port=0, rate_limit=self.options.emulator_rate_limit)
        self._stoppers.append(self.emulator.stop)
        self.control = EmulatorControl(self.emulator.url)
        self.slack = SlackWebhookServer.start(port=0)
        self._stoppers.append(self.slack.stop)
        self.sinks = DemoSinks.start(self.options.destinations)
        self._stoppers.append(self.sinks.stop)

        self.sqs = local_client("sqs", self.moto_url)
        self.sns = local_client("sns", self.moto_url)
        self.dynamodb = local_client("dynamodb", self.moto_url)
        self.events = local_client("events", self.moto_url)
        clients = {
            "sqs": self.sqs,
            "sns": self.sns,
            "dynamodb": self.dynamodb,
            "events": self.events,
            "secretsmanager": local_client("secretsmanager", self.moto_url),
            "logs": local_client("logs", self.moto_url),
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
        taps = add_taps(self.stack, self.sqs, self.sns, self.events)
        self.bus_name = taps.bus_name
        self.tap_url = taps.tap_url
        self.sns_inbox_url = taps.sns_inbox_url

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
        return noted_delivery(self.sqs, target, function, seen, self.note)

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
        events = drain_queue(self.sqs, self.tap_url)
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
            notification = slack_notification(payload)
            found.append(notification)
            self.notifications.append(notification)
            self.note("slack", notification=notification)
        self._slack_seen += len(found)
        return found

    def collect_sns(self) -> list[Notification]:
        if self.sns_inbox_url is None:
            return []
        found: list[Notification] = []
        for envelope in drain_queue(self.sqs, self.sns_inbox_url):
            notification = sns_notification(envelope)
            found.append(notification)
            self.notifications.append(notification)
            self.note("sns", notification=notification)
        return found

    def dead_letters(self) -> dict[str, list[dict[str, Any]]]:
        """What sits in each notifier target's dead-letter queue (messages stay there)."""
        return dead_letters_by_function(self.sqs, self.stack.lambda_targets, self.functions)

    def redrive_all(self) -> int:
        delivered = redrive_dead_letters(self.sqs, self.stack.lambda_targets, self.deliveries)
        self.collect_slack()
        self.collect_sns()
        return delivered

    def replay_last_delivery(self) -> int:
        """EventBridge delivers at least once: hand each notifier its last event again."""
        replayed = replay_last_deliveries(self.sqs, self.deliveries, self.functions, self.notes)
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
