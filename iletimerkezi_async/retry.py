"""When to try a request again, and how long to wait first.

iletiMerkezi has no idempotency keys, so what may be retried depends on what a
repeat would do: reads are free to repeat, ``add-blacklist`` is idempotent,
while ``send-sms`` may only be repeated when the first attempt certainly never
reached the server (see :class:`RetryClass`).
"""

from __future__ import annotations

import enum
import random
from email.utils import parsedate_to_datetime
from time import time as _wall_time

import attrs

__all__ = ["RetryClass", "RetryPolicy", "parse_retry_after"]


class RetryClass(enum.Enum):
    """How safe it is to repeat a request whose outcome is unknown."""

    READ = "read"
    """No side effect (get-*, consent/show, inbox): retried on any transient failure."""
    IDEMPOTENT = "idempotent"
    """A repeat does no harm (add-blacklist): retried like a read."""
    WRITE = "write"
    """A side effect that must not run twice (cancel, delete-blacklist, consent/create):
    retried only when the request certainly was not processed."""
    SEND = "send"
    """send-sms: like WRITE, and an ambiguous failure is a SendOutcomeUnknownError."""

    @property
    def repeatable(self) -> bool:
        return self in (RetryClass.READ, RetryClass.IDEMPOTENT)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Full-jitter exponential backoff (AWS style): ``uniform(0, min(cap, base * 2**n))``.

    ``attempts`` counts every try, the first included, so ``attempts=1`` never
    retries.  A ``Retry-After`` from the server is honoured as a floor, up to
    ``cap``.  Pass ``rng`` for reproducible delays in tests.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    cap: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    rng: random.Random | None = attrs.field(default=None, eq=False, repr=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * (2 ** (retry - 1)))
        uniform = self.rng.uniform if self.rng is not None else random.uniform
        wait = uniform(0.0, ceiling)
        if retry_after is not None and retry_after > 0:
            wait = max(wait, min(retry_after, self.cap))
        return wait

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(attempts=1)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - _wall_time()
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return seconds
