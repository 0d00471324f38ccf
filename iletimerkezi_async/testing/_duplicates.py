"""The 451 duplicate guard of send-sms.

A submission is identified by its (text, number) pairs regardless of order;
the guard remembers accepted ones for 600 s of fake-clock time, and a cancel
lifts its order's entry so the same message can be sent again at once.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Final

__all__ = ["DUPLICATE_WINDOW", "DuplicateGuard", "Fingerprint"]

DUPLICATE_WINDOW: Final = timedelta(seconds=600)

Fingerprint = frozenset[tuple[str, str]]


class DuplicateGuard:
    def __init__(self) -> None:
        self._armed: dict[Fingerprint, datetime] = {}
        self._queue: deque[tuple[datetime, Fingerprint, int]] = deque()
        self._of_order: dict[int, Fingerprint] = {}

    def seen(self, fingerprint: Fingerprint, now: datetime) -> bool:
        self._expire(now)
        return fingerprint in self._armed

    def arm(self, fingerprint: Fingerprint, order_id: int, at: datetime) -> None:
        self._armed[fingerprint] = at
        self._queue.append((at, fingerprint, order_id))
        self._of_order[order_id] = fingerprint

    def lift(self, order_id: int, submitted_at: datetime) -> None:
        """Forget a cancelled order's entry (unless a later send re-armed it)."""
        fingerprint = self._of_order.pop(order_id, None)
        if fingerprint is not None and self._armed.get(fingerprint) == submitted_at:
            del self._armed[fingerprint]

    def _expire(self, now: datetime) -> None:
        queue = self._queue
        while queue and now - queue[0][0] >= DUPLICATE_WINDOW:
            at, fingerprint, order_id = queue.popleft()
            if self._armed.get(fingerprint) == at:
                del self._armed[fingerprint]
            self._of_order.pop(order_id, None)
