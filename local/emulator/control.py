"""`EmulatorControl`: a small client of the emulator's control API (`/_emulator/...`).

Standard library only, so tests, the demo and benchmarks can drive an emulator that
runs in-process or as `python -m local.emulator` the same way. Every `account` argument
is optional: without it a call works in the default account 123456789012.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class EmulatorControlError(RuntimeError):
    """The control API refused a request (bad arguments, unknown registration, ...)."""


class EmulatorControl:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the emulator URL must be http(s): {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, action: str, **body: Any) -> Any:
        """POST /_emulator/<action> with `body`; returns the `result` member."""
        payload = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            f"{self.url}/_emulator/{action}",
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())["result"]
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise EmulatorControlError(f"{action}: HTTP {error.code}: {detail}") from None

    # --- state ----------------------------------------------------------------

    def reset(self) -> None:
        """Empty every region, clock back to real time, start-up faults, zero counters."""
        self.call("reset")

    def seed(self, scenario: dict[str, Any] | str | Path, account: str | None = None) -> dict[str, Any]:
        """Apply a scenario (a dict, or a path to a JSON file); returns created ids and refs.

        `account` seeds it into that account (unless its registrations name their own)."""
        data = scenario if isinstance(scenario, dict) else json.loads(Path(scenario).read_text())
        result: dict[str, Any] = self.call("seed", scenario=data, account=account)
        return result

    def generate(
        self,
        region: str,
        count: int,
        versions_min: int = 1,
        versions_max: int = 5,
        seed: int = 0,
        *,
        account: str | None = None,
    ) -> list[str]:
        """Bulk-create `count` realistic registrations server-side; returns their ids."""
        ids: list[str] = self.call(
            "generate",
            region=region,
            count=count,
            versions_min=versions_min,
            versions_max=versions_max,
            seed=seed,
            account=account,
        )
        return ids

    def create_registration(
        self,
        region: str,
        registration_type: str,
        registration_id: str | None = None,
        ref: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.call(
            "create_registration",
            region=region,
            type=registration_type,
            id=registration_id,
            ref=ref,
            account=account,
        )
        return result

    def get_registration(
        self, region: str | None, registration_id: str, account: str | None = None
    ) -> dict[str, Any]:
        """Summary plus every version (history, denied reasons, field values)."""
        result: dict[str, Any] = self.call(
            "get_registration", region=region, registration_id=registration_id, account=account
        )
        return result

    def add_version(
        self, region: str | None, registration_id: str, account: str | None = None
    ) -> dict[str, Any]:
        """A new DRAFT version (a copy of the form), whatever the current status; the full state."""
        result: dict[str, Any] = self.call(
            "add_version", region=region, registration_id=registration_id, account=account
        )
        return result

    # --- carriers and reviewers -------------------------------------------------

    def set_version_status(  # noqa: PLR0917 - positional order is the team's shared interface
        self,
        region: str | None,
        registration_id: str,
        version_number: int | str,
        status: str,
        denied_reasons: list[dict[str, str]] | None = None,
        feedback: str | None = None,
        *,
        history_key: str | None = None,
        timestamp: float | None = None,
        registration_status: str | None = None,
        update_registration: bool = True,
        account: str | None = None,
    ) -> dict[str, Any]:
        """Move a version to any status (also unknown ones), keeping the summary consistent.

        `history_key` overrides the stamped key (e.g. "SomethingNewTimestamp");
        `update_registration=False` leaves the registration summary untouched.
        """
        result: dict[str, Any] = self.call(
            "set_version_status",
            region=region,
            registration_id=registration_id,
            version_number=version_number,
            status=status,
            denied_reasons=denied_reasons,
            feedback=feedback,
            history_key=history_key,
            timestamp=timestamp,
            registration_status=registration_status,
            update_registration=update_registration,
            account=account,
        )
        return result

    def set_version_details(
        self,
        region: str | None,
        registration_id: str,
        version_number: int | str,
        *,
        history: dict[str, float | None] | None = None,
        denied_reasons: list[dict[str, str]] | None = None,
        feedback: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        """Change a version's history / denied reasons / feedback without touching the summary."""
        result: dict[str, Any] = self.call(
            "set_version_details",
            region=region,
            registration_id=registration_id,
            version_number=version_number,
            history=history,
            denied_reasons=denied_reasons,
            feedback=feedback,
            account=account,
        )
        return result

    def set_registration(
        self, region: str | None, registration_id: str, registration_status: str, account: str | None = None
    ) -> dict[str, Any]:
        """Overwrite the registration status only (e.g. PROVISIONING, CLOSED)."""
        result: dict[str, Any] = self.call(
            "set_registration",
            region=region,
            registration_id=registration_id,
            registration_status=registration_status,
            account=account,
        )
        return result

    def set_field(
        self,
        region: str | None,
        registration_id: str,
        version_number: int | str,
        field_path: str,
        **values: Any,
    ) -> dict[str, Any]:
        """Set a field value and/or its reviewer `denied_reason` / `feedback`."""
        result: dict[str, Any] = self.call(
            "set_field",
            region=region,
            registration_id=registration_id,
            version_number=version_number,
            field_path=field_path,
            **values,
        )
        return result

    # --- clock and timeline -----------------------------------------------------

    def now(self) -> float:
        return float(self.call("now")["now"])

    def set_clock(self, epoch_seconds: float, follow_real_time: bool = False) -> dict[str, Any]:
        """Set the clock (manual unless `follow_real_time`); plays timeline steps now due."""
        result: dict[str, Any] = self.call(
            "set_clock", epoch_seconds=epoch_seconds, follow_real_time=follow_real_time
        )
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Jump the clock ahead (manual from then on); plays timeline steps now due."""
        result: dict[str, Any] = self.call("advance", seconds=seconds)
        return result

    def timeline(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("timeline")
        return result

    # --- faults and counters ------------------------------------------------------

    def set_faults(self, operation: str | None = None, **faults: Any) -> dict[str, Any]:
        """rate_limit (rps), error_rate (0..1), error_script ([500, 200, ...]), latency_ms,
        token_ttl_seconds; for one operation or (None) all of them."""
        result: dict[str, Any] = self.call("set_faults", operation=operation, faults=faults)
        return result

    def clear_faults(self, operation: str | None = None) -> None:
        self.call("clear_faults", operation=operation)

    def counters(self, account: str | None = None) -> dict[str, int]:
        """Requests per operation (`Op`), and of those `Op:throttled`, `Op:faulted` and
        `Op:denied`; native events as `NativeEvents:emitted|dropped|delivered|failed`.
        All accounts, or only `account`'s."""
        result: dict[str, int] = self.call("counters", account=account)
        return result

    def reset_counters(self) -> None:
        self.call("reset_counters")

    # --- accounts ---------------------------------------------------------------------

    def register_credentials(
        self, access_key_id: str, account: str, principal: str | None = None
    ) -> dict[str, Any]:
        """Attribute requests signed with `access_key_id` to `account` (wins over decoding);
        `principal` is the ARN named in AccessDeniedException messages."""
        result: dict[str, Any] = self.call(
            "register_credentials", access_key_id=access_key_id, account=account, principal=principal
        )
        return result

    def deny_account(
        self,
        account: str,
        region: str | None = None,
        reason: str | None = None,
        principal: str | None = None,
    ) -> dict[str, Any]:
        """Every SMS call of `account` (in `region`, or all) answers AccessDeniedException.

        `reason` replaces the message tail after the resource ("because no identity-based
        policy allows the {action} action"; `{action}`, `{operation}`, `{account}`,
        `{region}` are filled in)."""
        result: dict[str, Any] = self.call(
            "deny_account", account=account, region=region, reason=reason, principal=principal
        )
        return result

    def suspend_account(self, account: str) -> dict[str, Any]:
        """Every SMS call of `account` answers AccessDeniedException, Reason ACCOUNT_DISABLED."""
        result: dict[str, Any] = self.call("suspend_account", account=account)
        return result

    def restore_account(self, account: str) -> dict[str, Any]:
        """Undo `deny_account` (all regions) and `suspend_account`."""
        result: dict[str, Any] = self.call("restore_account", account=account)
        return result

    def accounts(self, access_key_id: str | None = None) -> dict[str, Any]:
        """Registered credentials, denials, suspensions, registrations per account/region;
        with `access_key_id`, also the account it resolves to (`resolved`)."""
        result: dict[str, Any] = self.call("accounts", access_key_id=access_key_id)
        return result

    # --- native events ------------------------------------------------------------------

    def native_events(
        self,
        endpoint_url: str | None = None,
        drop_rate: float = 0.0,
        seed: int = 0,
        enabled: bool = True,
        role_name: str | None = None,
    ) -> dict[str, Any]:
        """Emit AWS's "Registration Status Change" events (to `endpoint_url`'s default bus
        if given); `drop_rate` 0..1 drops that share, reproducibly for a `seed`."""
        result: dict[str, Any] = self.call(
            "native_events",
            endpoint_url=endpoint_url or "",  # "" = none (None would keep the current one)
            drop_rate=drop_rate,
            seed=seed,
            enabled=enabled,
            role_name=role_name,
        )
        return result

    def native_events_settings(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("native_events")
        return result

    def flush_native_events(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until queued events were delivered (or failed): {"drained": bool, "counters"}."""
        result: dict[str, Any] = self.call("flush_native_events", timeout=timeout)
        return result
