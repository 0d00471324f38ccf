"""The recipients-per-second limit of send-sms.

The bucket is rebuilt (full) whenever the rate options change, so a test can
retune ``fake.options.rate_limit`` between two sends and start from a clean
slate.
"""

from __future__ import annotations

from collections.abc import Callable

from ._options import FakeOptions

__all__ = ["RateBucket", "SendLimit"]


class RateBucket:
    """Token bucket counting recipients, like the SDK's own limiter.

    An order larger than the capacity is accepted once the bucket is full and
    drains it, so a 50,000-recipient bulk order is throttled but never
    impossible.  ``grace`` seconds of refill may be borrowed, which absorbs the
    loopback jitter between a client-side bucket that releases a request and
    the moment it reaches the server.
    """

    def __init__(
        self, rate: float, capacity: float, grace: float, now: Callable[[], float]
    ) -> None:
        if rate <= 0 or capacity <= 0 or grace < 0:
            raise ValueError("rate and capacity must be positive and grace non-negative")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.grace = float(grace)
        self._now = now
        self._tokens = self.capacity
        self._last = now()

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def try_take(self, cost: int) -> bool:
        """Take ``min(cost, capacity)`` tokens if available (with grace); never waits."""
        self._refill()
        need = min(float(cost), self.capacity)
        if self._tokens + self.grace * self.rate + 1e-9 < need:
            return False
        self._tokens -= need
        return True


class SendLimit:
    """The bucket for the options in force, rebuilt when they change."""

    def __init__(self, options: FakeOptions) -> None:
        self._options = options
        self._key: tuple[float | None, float | None, float] | None = None
        self._bucket: RateBucket | None = None

    def bucket(self) -> RateBucket | None:
        options = self._options
        key = (options.rate_limit, options.rate_limit_burst, options.rate_limit_grace)
        if key != self._key:
            self._key = key
            rate, burst, grace = key
            self._bucket = None
            if rate is not None:
                capacity = burst if burst is not None else rate
                self._bucket = RateBucket(rate, capacity, grace, options.clock.monotonic)
        return self._bucket

    def try_take(self, recipients: int) -> bool:
        bucket = self.bucket()
        return bucket is None or bucket.try_take(recipients)
