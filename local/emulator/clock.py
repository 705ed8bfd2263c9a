"""The emulator's controllable clock: every history timestamp comes from here.

By default it follows real time. `set`/`advance` switch it to manual (frozen) time so
tests and demos can jump hours ahead without sleeping; `set(..., follow_real_time=True)`
makes it run on from a chosen instant.
"""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._base_epoch = time.time()
        self._base_monotonic = time.monotonic()
        self._running = True

    def now(self) -> float:
        with self._lock:
            if self._running:
                return self._base_epoch + (time.monotonic() - self._base_monotonic)
            return self._base_epoch

    @property
    def follows_real_time(self) -> bool:
        return self._running

    def set(self, epoch_seconds: float, follow_real_time: bool = False) -> float:
        with self._lock:
            self._base_epoch = float(epoch_seconds)
            self._base_monotonic = time.monotonic()
            self._running = follow_real_time
            return self._base_epoch

    def advance(self, seconds: float) -> float:
        """Jump ahead by `seconds` (may be fractional) and stop following real time."""
        return self.set(self.now() + float(seconds), follow_real_time=False)

    def reset(self) -> None:
        self.set(time.time(), follow_real_time=True)
