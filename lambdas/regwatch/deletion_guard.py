"""When a listing cycle's deletions are too many to believe at once (the flood guard).

A listing that comes back short — an empty answer, another Region's registrations, a
permissions change that hides some — looks exactly like a mass deletion. Real mass
deletions are rare; a short answer is not. So a cycle that would tombstone more than
`percent` % or more than `count` of a target's registrations holds them instead, says so
once ("Target Deletions Held"), and the next complete cycle decides (regwatch/deletions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_GUARD_PERCENT = 20.0
# A real clean-up rarely deletes more than a couple of dozen registrations in one hour;
# a bigger one waits one more cycle (or `regwatch deletions confirm`). docs/scanner.md.
DEFAULT_GUARD_COUNT = 25


@dataclass(frozen=True, slots=True)
class DeletionGuard:
    percent: float = DEFAULT_GUARD_PERCENT
    count: int = DEFAULT_GUARD_COUNT

    def holds(self, deletions: int, known: int) -> bool:
        """Whether `deletions` out of `known` live registrations are held.

        One deletion alone is never held by the percentage: it cannot be a flood, and on a
        target with a handful of registrations every real deletion would wait a cycle.
        """
        if deletions > self.count:
            return True
        return deletions > 1 and deletions * 100 > self.percent * known
