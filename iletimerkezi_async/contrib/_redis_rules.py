"""What every Redis helper of this package shares: which failures pass, how long to
wait them out, and how early a lease holder gives up.

One module, so the cursor, the token bucket and the campaign ledger cannot
drift apart on the lease rule that keeps two holders from acting at once.
"""

from __future__ import annotations

from typing import Final

from redis.exceptions import BusyLoadingError, ReadOnlyError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["LEASE_MARGIN", "RETRY_FIRST", "RETRY_MAX", "UNAVAILABLE"]

UNAVAILABLE: Final = (
    RedisConnectionError,
    RedisTimeoutError,
    BusyLoadingError,
    ReadOnlyError,
    TryAgainError,
    OSError,
)
"""Redis failures that pass (restart, failover, network): waited out or failed open."""

RETRY_FIRST: Final = 0.05
RETRY_MAX: Final = 1.0
LEASE_MARGIN: Final = 0.2
"""Fraction of ``lease_ttl`` a holder gives up early: its local deadline is the
monotonic time it sent its last successful take or renewal, plus
``(1 - LEASE_MARGIN) × lease_ttl``.  Redis expires the lease no sooner than
``lease_ttl`` after that command arrived, so the holder stops first (the margin
absorbs clock-rate differences and the time between the check and the poll)."""
