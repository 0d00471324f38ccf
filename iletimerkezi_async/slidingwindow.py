"""The default send limiter: at most ``limit`` recipients in any window, as the server counts.

``TokenBucket(rate=100)`` holds the *average* to 100/s, but its first second
lets a full bucket and a second's refill through (about 200), and a grant that
a late timer delays shares a 1-second window with the next 100 (101).  We do
not know how the API meters, so the client's default is stricter:

* a **log** of the last window's grants: a cost is granted only when every
  ``window + margin`` seconds of grant times, this one included, hold at most
  ``limit``.  The ``margin`` is for the trip to the server: two requests whose
  lags (grant to arrival) differ by at most ``margin`` cannot meet in one
  ``window`` there unless they met in one ``window + margin`` here, so every
  ``window`` at the server holds at most ``limit`` too;
* **pacing** at the same rate, ``(window + margin) / limit`` seconds a
  recipient with at most ``burst`` at once (a GCRA, i.e. a token bucket of
  ``burst`` tokens): a log alone would release ``limit`` grants every time a
  full window expires, and a burst of requests reaches the server spread over
  the time the client and server take to handle them, more than a small margin
  covers.

Under saturation the rate is ``limit / (window + margin)`` (98/s by default).
The rules of :class:`~iletimerkezi_async.ratelimit.TokenBucket` hold: FIFO,
cancellation gives the place and any granted cost back, a cost above ``limit``
waits for an empty window and fills it (above ``burst``, for full pacing and
drains it), the loop's clock by default or a given ``Clock``.  Costs are added
exactly (as integers, or as the binary fractions that non-integer floats are)
and a grant time is compared with the very floats the timers wait for, so no
tolerance is needed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from fractions import Fraction

from ._fifo import FifoLimiter, Waiter
from .clock import Clock

__all__ = ["SlidingWindowLimiter"]

Exact = int | Fraction


def _exact(x: float) -> Exact:
    return int(x) if float(x).is_integer() else Fraction(x)


class _Waiter(Waiter):
    __slots__ = ("charge", "entry", "pace")

    def __init__(self, charge: Exact, pace: Exact, future: asyncio.Future[None]) -> None:
        super().__init__(future)
        self.charge = charge  # in the log: the cost, at most ``limit``
        self.pace = pace  # in the pacing: the cost, at most ``burst``
        self.entry: tuple[float, Exact] | None = None  # its log entry once granted


class SlidingWindowLimiter(FifoLimiter[_Waiter]):
    """At most ``limit`` per ``window + margin`` seconds of grants, paced, FIFO.

    ``limit`` recipients per ``window`` seconds is the API's budget; ``margin``
    seconds widen the window client-side for the jitter between a grant and its
    arrival; ``burst`` recipients may go at once after a quiet spell, then one
    every ``(window + margin) / limit`` seconds.  ``Client()`` uses
    ``SlidingWindowLimiter(limit=100, window=1.0, margin=0.02, burst=10)``.

    Time, loops and threads as :class:`~iletimerkezi_async.ratelimit.TokenBucket`:
    ``loop.time()`` and ``loop.call_at`` without ``clock``, else
    ``clock.monotonic()`` and one task awaiting ``clock.sleep``; one loop at a
    time.  Used from a new loop, it drops the old loop's waiters and keeps its
    log when the new clock has not gone back (successive ``asyncio.run`` calls
    share ``time.monotonic``), else it forgets it.
    """

    __slots__ = (
        "_burst",
        "_fresh_until",
        "_interval",
        "_last",
        "_limit",
        "_log",
        "_pace_base",
        "_pace_units",
        "_span",
        "_used",
        "burst",
        "limit",
        "margin",
        "warmup",
        "window",
    )

    _timer_name = "SlidingWindowLimiter timer"

    def __init__(
        self,
        limit: float = 100,
        window: float = 1.0,
        *,
        margin: float = 0.02,
        burst: float = 10,
        warmup: float = 0.5,
        clock: Clock | None = None,
    ) -> None:
        for name, value in (("limit", limit), ("window", window), ("burst", burst)):
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be positive and finite")
        for name, value in (("margin", margin), ("warmup", warmup)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be finite and not negative")
        if burst > limit:
            raise ValueError("burst must not exceed limit")
        super().__init__(clock)
        self.limit = float(limit)
        self.window = float(window)
        self.margin = float(margin)
        self.burst = float(burst)
        self.warmup = float(warmup)
        self._limit = _exact(limit)
        self._burst = _exact(burst)
        self._span = self.window + self.margin
        self._interval = self._span / self.limit
        self._log: collections.deque[tuple[float, Exact]] = collections.deque()  # (expiry, cost)
        self._used: Exact = 0  # the costs in the log
        self._fresh_until = -math.inf  # the end of the first window after a quiet spell
        # Pacing (a GCRA): full again at ``_pace_base + _pace_units * _interval``;
        # the units are exact and each time is one product and one sum away from
        # the base, so no rounding accumulates.
        self._pace_base = -math.inf
        self._pace_units: Exact = 0
        self._last: float | None = None  # the latest time seen

    def __repr__(self) -> str:
        return (
            f"SlidingWindowLimiter(limit={self.limit:g}, window={self.window:g}, "
            f"margin={self.margin:g}, burst={self.burst:g}, warmup={self.warmup:g}, "
            f"{self._repr_tail()}"
        )

    @property
    def tokens_per_second(self) -> float:
        """The rate under saturation: ``limit / (window + margin)``."""
        return self.limit / self._span

    def available(self) -> float:
        """What one caller could take now without waiting (inside a running loop)."""
        now = self._now(self._bind())
        self._advance(now)
        until_full = self._pace_base + float(self._pace_units) * self._interval - now
        paced = self.burst - max(0.0, until_full) / self._interval
        return max(0.0, min(float(self._limit - self._used), paced))

    def _now(self, loop: asyncio.AbstractEventLoop) -> float:
        now = loop.time() if self._clock is None else self._clock.monotonic()
        self._last = now if self._last is None else max(self._last, now)
        return now

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Keep the log unless the new clock has gone back."""
        now = loop.time() if self._clock is None else self._clock.monotonic()
        if self._last is not None and now < self._last:
            # Another clock origin: the log's times mean nothing here, and
            # keeping them could stall every caller for as long as it is behind.
            self._log.clear()
            self._used = 0
            self._pace_base = -math.inf
            self._pace_units = 0
            self._last = None
            self._fresh_until = -math.inf

    def _advance(self, now: float) -> None:
        log = self._log
        while log and log[0][0] <= now:
            self._used -= log.popleft()[1]

    def _ready_at(self, charge: Exact, pace: Exact, now: float) -> float | None:
        """``None`` when ``charge``/``pace`` may be granted at ``now``, else when to look again."""
        at = now
        ahead = self._pace_units + pace - self._burst
        if ahead > 0:  # would take the pacing below empty: wait for the units to refill
            at = max(at, self._pace_base + float(ahead) * self._interval)
        excess = self._used + charge - self._limit
        if excess > 0:
            freed: Exact = 0
            for expiry, cost in self._log:
                freed += cost
                if freed >= excess:
                    at = max(at, expiry)
                    break
        return None if at <= now else at

    def _grant(self, charge: Exact, pace: Exact, now: float) -> tuple[float, Exact]:
        log = self._log
        if not log:  # a quiet spell ends: the connections may be cold
            self._fresh_until = now + self._span
        expiry = now + self._span
        if now < self._fresh_until:
            expiry += self.warmup
        if log and log[-1][0] > expiry:  # keep the log in expiry order
            expiry = log[-1][0]
        entry = (expiry, charge)
        self._log.append(entry)
        self._used += charge
        if self._pace_base + float(self._pace_units) * self._interval <= now:  # full again
            self._pace_base, self._pace_units = now, pace
        else:
            self._pace_units += pace
        return entry

    async def acquire(self, cost: float = 1) -> None:
        """Wait until ``cost`` fits the window and the pacing, then take it."""
        if math.isnan(cost) or cost < 0:
            raise ValueError("cost must be a non-negative number")
        if cost == 0:
            return
        charge = min(_exact(cost), self._limit)
        pace = min(_exact(cost), self._burst)
        loop = self._bind()
        now = self._now(loop)
        self._advance(now)
        if not self._waiters and self._ready_at(charge, pace, now) is None:
            self._grant(charge, pace, now)
            return
        await self._queue(_Waiter(charge, pace, loop.create_future()), loop)

    def _wait_for(self, head: _Waiter, now: float) -> tuple[float, float] | None:
        at = self._ready_at(head.charge, head.pace, now)
        return None if at is None else (at, at - now)

    def _take(self, head: _Waiter, now: float) -> None:
        head.entry = self._grant(head.charge, head.pace, now)

    def _return(self, waiter: _Waiter, loop: asyncio.AbstractEventLoop) -> None:
        entry = waiter.entry
        if entry is None:  # not granted: nothing to give back
            return
        with contextlib.suppress(ValueError):  # already expired: nothing left to return
            self._log.remove(entry)
            self._used -= entry[1]
        self._pace_units -= waiter.pace
