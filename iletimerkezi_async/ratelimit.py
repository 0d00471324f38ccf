"""Holding send-sms to the account's budget of recipients per second.

iletiMerkezi meters *recipients*, not requests (100 per second per account), so
``sms.send*`` charge one token per recipient.  By default the bucket runs on
the event loop's clock (``loop.time()`` and ``call_at``); given a
:class:`~iletimerkezi_async.clock.Clock` it runs on that clock instead, so a
``VirtualClock`` (or a test loop with a virtual clock) drives it without real
sleeping.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from typing import Protocol, runtime_checkable

from .clock import Clock

__all__ = ["RateLimiter", "TokenBucket"]


@runtime_checkable
class RateLimiter(Protocol):
    """Anything that can hold a caller until ``cost`` units of budget are free."""

    async def acquire(self, cost: float = 1) -> None: ...


class _Waiter:
    __slots__ = ("cost", "future")

    def __init__(self, cost: float, future: asyncio.Future[None]) -> None:
        self.cost = cost
        self.future = future


class TokenBucket:
    """A FIFO token bucket: ``rate`` tokens every ``per`` seconds, at most ``capacity`` saved.

    Waiters are served strictly in arrival order, so a large order is not
    starved by a stream of small ones.  A cost above ``capacity`` waits for a
    full bucket and drains it (one 500-recipient order through a 100/s bucket
    still goes, it just leaves nothing for the next second).  A waiter that is
    cancelled gives its place (and any tokens already granted) back.

    Time: without ``clock`` the bucket reads the running loop's ``loop.time()``
    and wakes the head of the queue with a ``loop.call_at`` timer, at no cost
    beyond the loop's own (a loop with a virtual clock drives it too).  With a
    ``clock`` it reads ``clock.monotonic()`` and the timer is one task per
    bucket that awaits ``clock.sleep`` for the head's missing tokens, then
    grants as the ``call_at`` timer would; only that task sleeps, so the
    queue's FIFO order and cancellation rules are the same, and a
    ``VirtualClock`` gives exact grant times with nothing really waiting
    (``clock.sleeps`` lists the refill waits).

    One bucket serves one event loop at a time (it is not thread-safe).  Used
    from a new loop (successive ``asyncio.run`` calls), it forgets waiters left
    on the old loop and restarts its refill clock, since loop clocks need not
    share an origin.
    """

    def __init__(
        self,
        rate: float = 100,
        per: float = 1.0,
        capacity: float | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        if not (math.isfinite(rate) and math.isfinite(per)) or rate <= 0 or per <= 0:
            raise ValueError("rate and per must be positive and finite")
        if capacity is not None and (not math.isfinite(capacity) or capacity <= 0):
            raise ValueError("capacity must be positive and finite")
        if clock is not None and not isinstance(clock, Clock):
            raise TypeError("clock must be a Clock (monotonic(), now(), async sleep()) or None")
        self.rate = float(rate)
        self.per = float(per)
        self.capacity = float(capacity) if capacity is not None else float(rate)
        self._level = self.capacity
        self._updated: float | None = None
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._clock = clock
        self._timer: asyncio.TimerHandle | asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        clock = "" if self._clock is None else f", clock={self._clock!r}"
        return (
            f"TokenBucket(rate={self.rate:g}, per={self.per:g}, capacity={self.capacity:g}, "
            f"waiting={len(self._waiters)}{clock})"
        )

    @property
    def clock(self) -> Clock | None:
        """The clock given at construction; ``None``: the running loop's own."""
        return self._clock

    @property
    def tokens_per_second(self) -> float:
        return self.rate / self.per

    def available(self) -> float:
        """Tokens that could be taken now (inside a running loop)."""
        loop = self._bind()
        self._refill(loop.time() if self._clock is None else self._clock.monotonic())
        return self._level

    def _bind(self) -> asyncio.AbstractEventLoop:
        """The running loop; on a loop change, drop the old loop's waiters, timer and clock."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            if self._timer is not None:
                with contextlib.suppress(RuntimeError):  # a clock task on a closed loop
                    self._timer.cancel()
                self._timer = None
            # Futures of another loop can never be resolved from this one: a
            # dead head would block every later caller forever.
            self._waiters.clear()
            self._updated = None
            self._loop = loop
        return loop

    def _refill(self, now: float) -> None:
        if self._updated is not None and now > self._updated:
            self._level = min(
                self.capacity, self._level + (now - self._updated) * self.tokens_per_second
            )
        if self._updated is None or now > self._updated:
            self._updated = now

    async def acquire(self, cost: float = 1) -> None:
        """Wait until ``cost`` tokens are available, then take them."""
        if math.isnan(cost) or cost < 0:
            raise ValueError("cost must be a non-negative number")
        if cost == 0:
            return
        cost = min(float(cost), self.capacity)
        loop = self._bind()
        self._refill(loop.time() if self._clock is None else self._clock.monotonic())
        if not self._waiters and self._level >= cost:
            self._level -= cost
            return
        waiter = _Waiter(cost, loop.create_future())
        self._waiters.append(waiter)
        self._schedule(loop)
        try:
            await waiter.future
        except asyncio.CancelledError:
            if self._loop is not loop:
                raise  # the bucket moved to another loop and already forgot this waiter
            if waiter.future.done() and not waiter.future.cancelled():
                # Granted and cancelled in the same tick: return the tokens.
                self._refill(loop.time() if self._clock is None else self._clock.monotonic())
                self._level = min(self.capacity, self._level + waiter.cost)
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            self._schedule(loop)
            raise

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        """Grant what the head of the queue can have now, and set a timer for the rest."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = loop.time() if self._clock is None else self._clock.monotonic()
        self._refill(now)
        while self._waiters:
            head = self._waiters[0]
            if head.future.done():  # cancelled while queued
                self._waiters.popleft()
                continue
            if self._level >= head.cost - 1e-9:
                self._level -= head.cost
                self._waiters.popleft()
                head.future.set_result(None)
                continue
            missing = head.cost - self._level
            if self._clock is None:
                self._timer = loop.call_at(
                    now + missing / self.tokens_per_second, self._schedule, loop
                )
            else:
                self._timer = loop.create_task(
                    self._wake(self._clock, missing / self.tokens_per_second, loop),
                    name="TokenBucket refill",
                )
            return

    async def _wake(self, clock: Clock, delay: float, loop: asyncio.AbstractEventLoop) -> None:
        """The timer on a given clock: sleep for the head's tokens, then grant."""
        await clock.sleep(delay)
        if self._timer is asyncio.current_task():  # still the bucket's timer
            self._timer = None
            self._schedule(loop)
