"""The FIFO machinery the in-process send limiters share.

A subclass keeps only its arithmetic: what the head of the queue is granted
(``_take``), how long it must wait otherwise (``_wait_for``), what a waiter
cancelled in the tick it was granted gives back (``_return``) and what a new
loop resets (``_rebind``).  This class keeps the queue, the binding to the
running loop, the timer (``loop.call_at``, or a task awaiting a given
``Clock``) and the cancellation rules.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import contextlib
from typing import ClassVar, Generic, TypeVar

from .clock import Clock


class Waiter:
    """One queued caller; subclasses add what it costs."""

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future = future


W = TypeVar("W", bound=Waiter)


class FifoLimiter(abc.ABC, Generic[W]):
    """Waiters served strictly in arrival order, woken on the loop's clock or a ``Clock``."""

    __slots__ = ("_clock", "_loop", "_timer", "_waiters")

    _timer_name: ClassVar[str]

    def __init__(self, clock: Clock | None) -> None:
        if clock is not None and not isinstance(clock, Clock):
            raise TypeError("clock must be a Clock (monotonic(), now(), async sleep()) or None")
        self._waiters: collections.deque[W] = collections.deque()
        self._clock = clock
        self._timer: asyncio.TimerHandle | asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def clock(self) -> Clock | None:
        """The clock given at construction; ``None``: the running loop's own."""
        return self._clock

    def _repr_tail(self) -> str:
        clock = "" if self._clock is None else f", clock={self._clock!r}"
        return f"waiting={len(self._waiters)}{clock})"

    def _now(self, loop: asyncio.AbstractEventLoop) -> float:
        return loop.time() if self._clock is None else self._clock.monotonic()

    # The arithmetic, for subclasses.

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        """A new loop: reset what its clock cannot continue."""

    def _advance(self, now: float) -> None:
        """Bring the budget up to ``now``."""

    @abc.abstractmethod
    def _wait_for(self, head: W, now: float) -> tuple[float, float] | None:
        """``None`` when ``head`` may go at ``now``, else ``(loop time, clock delay)`` to wait."""

    @abc.abstractmethod
    def _take(self, head: W, now: float) -> None:
        """Grant ``head`` its cost at ``now``."""

    @abc.abstractmethod
    def _return(self, waiter: W, loop: asyncio.AbstractEventLoop) -> None:
        """Give back the cost of ``waiter``, granted and cancelled in the same tick."""

    # The machinery.

    def _bind(self) -> asyncio.AbstractEventLoop:
        """The running loop; on a loop change, drop the old loop's waiters and timer."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            if self._timer is not None:
                with contextlib.suppress(RuntimeError):  # a clock task on a closed loop
                    self._timer.cancel()
                self._timer = None
            # Futures of another loop can never be resolved from this one: a
            # dead head would block every later caller forever.
            self._waiters.clear()
            self._rebind(loop)
            self._loop = loop
        return loop

    async def _queue(self, waiter: W, loop: asyncio.AbstractEventLoop) -> None:
        """Wait in line; cancelled, give the place back (or the grant, if in the same tick)."""
        self._waiters.append(waiter)
        self._schedule(loop)
        try:
            await waiter.future
        except asyncio.CancelledError:
            if self._loop is not loop:
                raise  # moved to another loop, which already forgot this waiter
            if waiter.future.done() and not waiter.future.cancelled():
                self._return(waiter, loop)
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            self._schedule(loop)
            raise

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        """Grant what the head of the queue may have now, and set a timer for the rest."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._now(loop)
        self._advance(now)
        while self._waiters:
            head = self._waiters[0]
            if head.future.done():  # cancelled while queued
                self._waiters.popleft()
                continue
            wait = self._wait_for(head, now)
            if wait is None:
                self._take(head, now)
                self._waiters.popleft()
                head.future.set_result(None)
                continue
            if self._clock is None:
                # A timer may fire a hair early (the loop's clock resolution); the
                # head then finds itself not ready and waits again.
                self._timer = loop.call_at(wait[0], self._schedule, loop)
            else:
                self._timer = loop.create_task(
                    self._wake(self._clock, wait[1], loop), name=self._timer_name
                )
            return

    async def _wake(self, clock: Clock, delay: float, loop: asyncio.AbstractEventLoop) -> None:
        """The timer on a given clock: sleep for the head's wait, then grant."""
        await clock.sleep(delay)
        if self._timer is asyncio.current_task():  # still this limiter's timer
            self._timer = None
            self._schedule(loop)
