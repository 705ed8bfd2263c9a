"""Everything one emulator instance holds: registrations, timeline, faults and counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from local.emulator.faults import Faults
from local.emulator.scenario import Timeline
from local.emulator.store import Store


@dataclass
class EmulatorState:
    store: Store = field(default_factory=Store)
    timeline: Timeline = field(default_factory=Timeline)
    faults: Faults = field(default_factory=Faults)

    def reset(self) -> None:
        """Empty store, real-time clock, no timeline, start-up faults, zero counters."""
        with self.store.lock:
            self.store.reset()
            self.timeline.clear()
        self.faults.restore_startup()
        self.faults.counters.clear()
