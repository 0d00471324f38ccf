"""A clock whose time moves only when something sleeps on it, or when a test says so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from ..clock import ISTANBUL

__all__ = ["VirtualClock"]


class VirtualClock:
    """An :class:`~iletimerkezi_async.clock.Clock` for tests: no real waiting, exact times.

    ``await clock.sleep(s)`` records ``s`` in :attr:`sleeps`, moves both the
    monotonic and the wall time forward by ``s`` and yields to the loop once,
    so backoff, deadlines and polling intervals run instantly with exact
    virtual timestamps.  ``on_advance`` is called with the seconds of every
    move, e.g. ``VirtualClock(on_advance=fake.advance)`` keeps the fake
    server's delivery clock in step.  Sleepers are not ordered against each
    other: each sleep advances time by its own length, which is what a
    single waiting task (a retry loop, a poller, ``reports.wait``) needs.
    """

    def __init__(
        self,
        *,
        start: datetime | None = None,
        monotonic: float = 1000.0,
        on_advance: Callable[[float], object] | None = None,
    ) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._wall = (start or datetime(2026, 1, 1, 12, 0, tzinfo=ISTANBUL)).astimezone(ISTANBUL)
        self._monotonic = float(monotonic)
        self._on_advance = on_advance
        self.sleeps: list[float] = []
        """Every ``sleep`` asked for, in order."""

    def monotonic(self) -> float:
        return self._monotonic

    def now(self) -> datetime:
        return self._wall

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back)."""
        if seconds < 0:
            raise ValueError("a clock never goes back")
        self._monotonic += seconds
        self._wall += timedelta(seconds=seconds)
        if self._on_advance is not None:
            self._on_advance(seconds)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"VirtualClock(monotonic={self._monotonic:g}, now={self._wall.isoformat()!r})"
