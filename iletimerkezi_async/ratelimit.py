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
import math
from typing import Protocol, runtime_checkable

from ._fifo import FifoLimiter, Waiter
from .clock import Clock

__all__ = ["RateLimiter", "TokenBucket"]


@runtime_checkable
class RateLimiter(Protocol):
    """Anything that can hold a caller until ``cost`` units of budget are free."""

    async def acquire(self, cost: float = 1) -> None: ...


class _Waiter(Waiter):
    __slots__ = ("cost",)

    def __init__(self, cost: float, future: asyncio.Future[None]) -> None:
        super().__init__(future)
        self.cost = cost


class TokenBucket(FifoLimiter[_Waiter]):
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

    _timer_name = "TokenBucket refill"

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
        super().__init__(clock)
        self.rate = float(rate)
        self.per = float(per)
        self.capacity = float(capacity) if capacity is not None else float(rate)
        self._level = self.capacity
        self._updated: float | None = None

    def __repr__(self) -> str:
        return (
            f"TokenBucket(rate={self.rate:g}, per={self.per:g}, capacity={self.capacity:g}, "
            f"{self._repr_tail()}"
        )

    def available(self) -> float:
        """Tokens that could be taken now (inside a running loop)."""
        self._refill(self._now(self._bind()))
        return self._level

    @property
    def tokens_per_second(self) -> float:
        return self.rate / self.per

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._updated = None  # loop clocks need not share an origin

    def _refill(self, now: float) -> None:
        if self._updated is not None and now > self._updated:
            self._level = min(
                self.capacity, self._level + (now - self._updated) * self.tokens_per_second
            )
        if self._updated is None or now > self._updated:
            self._updated = now

    _advance = _refill

    async def acquire(self, cost: float = 1) -> None:
        """Wait until ``cost`` tokens are available, then take them."""
        if math.isnan(cost) or cost < 0:
            raise ValueError("cost must be a non-negative number")
        if cost == 0:
            return
        cost = min(float(cost), self.capacity)
        loop = self._bind()
        # The fast path reads the time inline: a call to ``_now`` costs it ~5%.
        self._refill(loop.time() if self._clock is None else self._clock.monotonic())
        if not self._waiters and self._level >= cost:
            self._level -= cost
            return
        await self._queue(_Waiter(cost, loop.create_future()), loop)

    def _wait_for(self, head: _Waiter, now: float) -> tuple[float, float] | None:
        if self._level >= head.cost - 1e-9:
            return None
        delay = (head.cost - self._level) / self.tokens_per_second
        return now + delay, delay

    def _take(self, head: _Waiter, now: float) -> None:
        self._level -= head.cost

    def _return(self, waiter: _Waiter, loop: asyncio.AbstractEventLoop) -> None:
        self._refill(self._now(loop))
        self._level = min(self.capacity, self._level + waiter.cost)
