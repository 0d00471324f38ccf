"""The one clock everything that waits or reads the time goes through.

The transport's backoff, ``reports.wait`` deadlines, the inbox poller, the
limiters and the Redis helpers all take a :class:`Clock`, handed down from
``Client(clock=...)`` or their own constructors, so a test drives every wait
with one virtual clock (``iletimerkezi_async.testing.VirtualClock``) instead of
patching private attributes.  The API speaks Turkish local time, so wall time
is always an aware datetime in Europe/Istanbul.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Final, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

__all__ = ["ISTANBUL", "SYSTEM_CLOCK", "Clock", "SystemClock"]

ISTANBUL: Final = ZoneInfo("Europe/Istanbul")
"""The API's time zone: wire timestamps carry no offset and mean Turkish local time."""


@runtime_checkable
class Clock(Protocol):
    """Monotonic seconds, Istanbul wall time, and a way to wait."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (only differences mean anything)."""
        ...

    def now(self) -> datetime:
        """The current wall time, aware, in Europe/Istanbul."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (cancellable, like :func:`asyncio.sleep`)."""
        ...


class SystemClock:
    """The real clock: the running loop's time (what its timers use) and ``asyncio.sleep``."""

    __slots__ = ()

    def monotonic(self) -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:  # no loop running: the same clock asyncio's default loop uses
            return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(ISTANBUL)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK: Final = SystemClock()
"""The default for every ``clock=`` argument."""
