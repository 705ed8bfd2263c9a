"""The local world's IAM: a loopback proxy that checks each call against the caller's role.

It sits in front of moto server and the SMS API emulator; functions reach it through
boto3's standard `AWS_ENDPOINT_URL_<SERVICE>` variables (`endpoint_environment`). For
every signed request it finds the caller by the access key id of the SigV4 credential
scope:

- a regwatch function's key (`LOCAL<logicalId>`, local.functions) -> that function's role
  in the synthesized template (local.iam.roles.PolicyBook);
- a key an STS AssumeRole answer issued through this gate -> the assumed role: a role the
  book knows (the RegwatchSpoke role in a member account) with its policies, any other
  role unrestricted in its account;
- any other key (test code, provisioning, the emulator's own event sink) -> unrestricted in
  its account (decoded from the key as AWS/moto do, else the default account).

The request becomes IAM actions and resource ARNs (local.iam.requests), evaluated with
AWS's logic (local.iam.policy): identity policy, the resource's policy from the template
(queue, topic and bus policies, the assumed role's trust policy), explicit deny first,
cross-account calls needing both. `aws:SecureTransport` is "true": the gate stands for
AWS's HTTPS endpoints, which boto3 always uses. A refused call gets the protocol's
AccessDenied answer (local.iam.errors) and is counted per (caller, action); an allowed
one is forwarded unchanged.

`missing_roles` keeps what the former STS-only gate did: AssumeRole of a role that does not exist
(yet) is refused like AWS refuses it, counted apart (`refused_missing_roles`): it is a
scripted situation, not a gap in a policy.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local.aws_services import MOTO_SERVICES
from local.emulator.accounts import account_from_access_key_id
from local.iam.errors import ErrorAnswer, access_denied, denial_message
from local.iam.policy import Decision, PolicyError, Principal, Request, authorize
from local.iam.requests import Asked, Signed, actions_of, parameters, signed
from local.iam.roles import ARN_PARTITION, PolicyBook, Role

DEFAULT_ACCOUNT = "123456789012"
# boto3's AWS_ENDPOINT_URL_<SERVICE> names of the services regwatch's functions call.
GATED_SERVICES = (*MOTO_SERVICES, "PINPOINT_SMS_VOICE_V2")
_ISSUED_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"})


@dataclass(frozen=True, slots=True)
class Denial:
    caller: str
    action: str
    resource: str
    message: str


@dataclass
class _Caller:
    principal: Principal
    role: Role | None  # None: unrestricted (not a regwatch role)
    name: str  # how AWS names it in a message


@dataclass
class GateCounters:
    checked: Counter[tuple[str, str]] = field(default_factory=Counter)  # (caller, action)
    denied: Counter[tuple[str, str]] = field(default_factory=Counter)
    denials: list[Denial] = field(default_factory=list)
    refused_missing_roles: int = 0


class IamGate:
    def __init__(
        self,
        moto_url: str,
        emulator_url: str | None = None,
        book: PolicyBook | None = None,
        *,
        default_account: str = DEFAULT_ACCOUNT,
        organizations: Mapping[str, str] | None = None,
    ) -> None:
        self.book = book or PolicyBook()
        self.default_account = default_account
        self.organizations = dict(organizations or {})  # account -> organization id
        self.missing_roles: set[str] = set()
        self.counters = GateCounters()
        self._upstreams = {"default": moto_url, "sms-voice": emulator_url or moto_url}
        self._issued: dict[str, tuple[str, str]] = {}  # access key id -> (role ARN, session)
        self._secret_arns: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="iam-gate"
        )
        self._thread.start()

    # ---- what callers read -------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def endpoint_environment(self, services: Iterable[str] = GATED_SERVICES) -> dict[str, str]:
        return {f"AWS_ENDPOINT_URL_{service}": self.url for service in services}

    @property
    def denied_total(self) -> int:
        with self._lock:
            return sum(self.counters.denied.values())

    @property
    def checked_total(self) -> int:
        with self._lock:
            return sum(self.counters.checked.values())

    def checked_by(self) -> dict[tuple[str, str], int]:
        """Calls checked (allowed or not) per (caller, action)."""
        with self._lock:
            return dict(self.counters.checked)

    def denied_by(self) -> dict[tuple[str, str], int]:
        """Denied calls per (caller, action)."""
        with self._lock:
            return dict(self.counters.denied)

    def denials(self) -> list[Denial]:
        with self._lock:
            return list(self.counters.denials)

    def summary(self) -> str:
        with self._lock:
            denied = sum(self.counters.denied.values())
            checked = sum(self.counters.checked.values())
            line = f"IAM: {checked} calls checked against their role's policy, denied calls: {denied}"
            if self.counters.refused_missing_roles:
                missing = self.counters.refused_missing_roles
                line += f" (and {missing} AssumeRole of a role that does not exist yet, refused as AWS does)"
            for (caller, action), count in sorted(self.counters.denied.items()):
                line += f"\n  denied {count}× {action} by {caller}"
        return line

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- deciding -----------------------------------------------------------------------------

    def _organization(self, account: str) -> str | None:
        return self.organizations.get(account)

    def _caller(self, access_key_id: str) -> _Caller:
        role = self.book.functions.get(access_key_id)
        with self._lock:
            issued = self._issued.get(access_key_id)
        if role is None and issued is not None:
            role_arn, session = issued
            # Resolved on every call: a role changed in the book applies to keys already issued.
            role = self.book.assumable_role(role_arn, session)
            if role is None:
                account = role_arn.split(":")[4]
                principal = Principal(role_arn, account, self._organization(account))
                return _Caller(principal, None, role_arn)
        if role is not None:
            return _Caller(
                Principal(role.arn, role.account, self._organization(role.account)), role, role.session_arn
            )
        account = account_from_access_key_id(access_key_id) or self.default_account
        principal = Principal(f"{ARN_PARTITION}:iam::{account}:root", account, self._organization(account))
        return _Caller(principal, None, principal.arn)

    def _context(self, caller: _Caller, call: Signed, asked: Asked) -> dict[str, str | list[str]]:
        context: dict[str, str | list[str]] = {
            "aws:SecureTransport": "true",
            "aws:PrincipalAccount": caller.principal.account,
            "aws:PrincipalArn": caller.principal.arn,
            "aws:RequestedRegion": call.region,
        }
        if caller.principal.organization_id:
            context["aws:PrincipalOrgID"] = caller.principal.organization_id
        # The account owning the resource, and its organization: ARNs of IAM, STS and most
        # services name the account in their fifth field (arn:aws:iam::<account>:role/…).
        parts = asked.resource.split(":")
        resource_account = parts[4] if len(parts) > 5 and parts[4].isdigit() else ""
        if resource_account:
            context["aws:ResourceAccount"] = resource_account
            if organization := self._organization(resource_account):
                context["aws:ResourceOrgID"] = organization
        context.update(asked.context)
        return context

    def _resource_policies(self, asked: Asked, session: str) -> list[Mapping[str, Any]]:
        if asked.action.lower() == "sts:assumerole":
            target = self.book.assumable_role(asked.resource, session)
            return [target.trust] if target is not None and target.trust else []
        return self.book.resource_policies.get(asked.resource, [])

    def decide(self, call: Signed, params: Mapping[str, Any]) -> ErrorAnswer | None:
        """None: forward the call; else the refusal to answer with (already counted)."""
        caller = self._caller(call.access_key_id)
        if call.action == "sts:AssumeRole" and str(params.get("RoleArn")) in self.missing_roles:
            with self._lock:
                self.counters.refused_missing_roles += 1
            role = str(params.get("RoleArn"))
            return access_denied(call.service, denial_message(caller.name, call.action, role, "").strip())
        by_name = call.service == "secretsmanager" and not str(params.get("SecretId", "")).startswith("arn:")
        for each in actions_of(call, caller.principal.account, params):
            asked = (
                Asked(each.action, self._secret_arn(call, each.resource), each.account, each.context)
                if by_name
                else each
            )
            refusal = self._check(caller, call, asked, str(params.get("RoleSessionName", "local")))
            if refusal is not None:
                return refusal
        return None

    def _check(self, caller: _Caller, call: Signed, asked: Asked, session: str) -> ErrorAnswer | None:
        resource_policies = self._resource_policies(asked, session)
        if caller.role is None and asked.account == caller.principal.account:
            return None  # unrestricted in its own account: nothing to check
        request = Request(asked.action, asked.resource, self._context(caller, call, asked))
        identity = caller.role.policies if caller.role is not None else None
        resource_account = asked.account
        if asked.action == "sts:AssumeRole" and resource_policies:
            # A role's trust policy must allow even within its own account: judged as
            # cross-account (identity policy and trust policy both), the stricter reading.
            resource_account = f"trust of {asked.resource}"
        try:
            decision = authorize(
                caller.principal,
                identity,
                request,
                resource_account=resource_account,
                resource_policies=resource_policies,
            )
            reason = self._reason(decision, asked, caller)
        except PolicyError as error:
            decision, reason = (
                Decision.IMPLICIT_DENY,
                f"because local.iam cannot evaluate the policy: {error}",
            )
        with self._lock:
            self.counters.checked[(caller.name, asked.action)] += 1
            if decision is Decision.ALLOW:
                return None
            self.counters.denied[(caller.name, asked.action)] += 1
            message = denial_message(caller.name, asked.action, asked.resource, reason)
            self.counters.denials.append(Denial(caller.name, asked.action, asked.resource, message))
        return access_denied(call.service, message)

    @staticmethod
    def _reason(decision: Decision, asked: Asked, caller: _Caller) -> str:
        if decision is Decision.EXPLICIT_DENY:
            return "with an explicit deny"
        if asked.account != caller.principal.account:
            return f"because no resource-based policy allows the {asked.action} action"
        return f"because no identity-based policy allows the {asked.action} action"

    def _secret_arn(self, call: Signed, secret: str) -> str:
        """Secrets Manager authorizes against the full ARN (with its random suffix): ask the server."""
        name = secret.split(":secret:", 1)[1]
        if secret in self._secret_arns:
            return self._secret_arns[secret]
        import boto3

        client = boto3.client(
            "secretsmanager",
            endpoint_url=self._upstreams["default"],
            region_name=call.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the local server's fake credentials
        )
        try:
            full = str(client.describe_secret(SecretId=name)["ARN"])
        except Exception:  # no such secret: the call itself will say so
            full = f"{secret}-000000"
        self._secret_arns[secret] = full
        return full

    def record_issued(self, role_arn: str, session: str, answer: bytes) -> None:
        match = _ISSUED_KEY.search(answer)
        if match is None:
            return
        with self._lock:
            self._issued[match.group(1).decode()] = (role_arn, session)

    def upstream(self, service: str) -> str:
        return self._upstreams.get(service, self._upstreams["default"])


def _handler(gate: IamGate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes: without this, Nagle + delayed ACK add
        # ~40 ms to every keep-alive answer (as in the emulator's server).
        disable_nagle_algorithm = True
        # One connection to each upstream per client connection (the caller's keep-alive).
        upstreams: dict[str, http.client.HTTPConnection]

        def log_message(self, *_: Any) -> None:  # quiet: the demo has its own timeline
            return

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            headers = dict(self.headers.items())
            call = signed(headers, body)
            params = parameters(headers, body) if call is not None else {}
            if call is not None:
                refusal = gate.decide(call, params)
                if refusal is not None:
                    self._reply(refusal.status, refusal.headers, refusal.body)
                    return
            status, answer_headers, answer = self._forward(gate.upstream(call.service if call else ""), body)
            if call is not None and call.action == "sts:AssumeRole" and status == 200:
                gate.record_issued(
                    str(params.get("RoleArn", "")), str(params.get("RoleSessionName", "")), answer
                )
            self._reply(status, answer_headers, answer)

        do_POST = do_GET = do_PUT = do_DELETE = do_HEAD = _handle  # http.server's names

        def _connection(self, upstream: str, fresh: bool) -> http.client.HTTPConnection:
            if not hasattr(self, "upstreams"):
                self.upstreams = {}
            connection = self.upstreams.get(upstream)
            if connection is None or fresh:
                if connection is not None:
                    connection.close()
                target = urllib.parse.urlsplit(upstream)
                connection = http.client.HTTPConnection(
                    target.hostname or "127.0.0.1", target.port, timeout=120
                )
                self.upstreams[upstream] = connection
            return connection

        def _forward(self, upstream: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            for attempt in (0, 1):
                connection = self._connection(upstream, fresh=attempt == 1)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                except (http.client.HTTPException, ConnectionError):
                    if attempt == 1:
                        raise
                    continue  # the upstream closed a kept-alive connection: once more on a new one
                kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                if response.will_close:
                    connection.close()
                    self.upstreams.pop(upstream, None)
                return response.status, kept, payload
            raise AssertionError("unreachable")

        def finish(self) -> None:
            for connection in getattr(self, "upstreams", {}).values():
                connection.close()
            super().finish()

        def _reply(self, status: int, headers: Mapping[str, str], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

    return Handler
