"""An event loop on a virtual clock, for timing logic that must not really sleep.

``loop.time()`` starts at ``START`` and moves only when the loop would block
waiting for a timer: instead of sleeping, the clock jumps by exactly the
select timeout, so ``await asyncio.sleep(3600)`` or a rate limiter's
``call_at`` returns at once with exact virtual timestamps.  Sockets still work
(they are polled without blocking), but nothing here waits for them, so use it
for pure-asyncio code, not for loopback HTTP.

Use ``run(coro)`` in sync tests (hypothesis runs sync tests happily).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["START", "VirtualTimeLoop", "run"]

T = TypeVar("T")

START = 1000.0
"""Virtual time at loop creation (not 0, so ``when == 0`` bugs cannot hide)."""

_IDLE_GUARD = 5.0
"""Real seconds to wait for a thread wake-up when nothing is scheduled before declaring deadlock."""


class _VirtualSelector(selectors.DefaultSelector):
    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events: list[tuple[selectors.SelectorKey, int]] = super().select(0)
        if events:
            return events
        if timeout is None:
            # Nothing scheduled and nothing ready: only another thread can wake us.
            events = super().select(_IDLE_GUARD)
            if not events:
                raise RuntimeError("virtual-time loop deadlocked: nothing ready, nothing scheduled")
            return events
        if timeout > 0:
            self._clock[0] += timeout
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` jumps to the next timer when idle."""

    def __init__(self) -> None:
        self._virtual_clock = [START]
        super().__init__(_VirtualSelector(self._virtual_clock))

    def time(self) -> float:
        return self._virtual_clock[0]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a fresh virtual-time loop."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(coro)
