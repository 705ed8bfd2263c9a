"""Everything one emulator instance holds: registrations, timeline, faults, counters,
accounts (attribution, denials, suspensions) and the native event sink."""

from __future__ import annotations

from dataclasses import dataclass, field

from local.emulator.accounts import Accounts
from local.emulator.faults import Faults
from local.emulator.native_events import NativeEventSink
from local.emulator.scenario import Timeline
from local.emulator.store import Store


@dataclass
class EmulatorState:
    store: Store = field(default_factory=Store)
    timeline: Timeline = field(default_factory=Timeline)
    faults: Faults = field(default_factory=Faults)
    accounts: Accounts = field(default_factory=Accounts)
    native_events: NativeEventSink = field(default_factory=lambda: NativeEventSink(enabled=False))

    def __post_init__(self) -> None:
        self.store.status_listeners.append(self.native_events.on_status_change)

    def counters(self, account: str | None = None) -> dict[str, int]:
        """Requests per operation, plus the native event counters (all, or one account's)."""
        return {**self.faults.counters_of(account), **self.native_events.counters_of(account)}

    def clear_counters(self) -> None:
        self.faults.clear_counters()
        self.native_events.clear_counters()

    def reset(self) -> None:
        """Empty store, real-time clock, no timeline, start-up faults and native event
        settings, no account registrations/denials/suspensions, zero counters."""
        with self.store.lock:
            self.store.reset()
            self.timeline.clear()
        self.faults.restore_startup()
        self.accounts.reset()
        self.native_events.restore_startup()
        self.clear_counters()
