"""A value built on first use and kept for the life of the execution environment.

Handlers keep their settings and clients here: nothing is read from the environment
at import time, a failed build is retried on the next invocation, and tests can
`reset()` to start from a clean environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            self._value = self._factory()
        return self._value

    def reset(self) -> None:
        self._value = None
