"""Shared pieces of the reliability suite: fast retries, hang guards, task accounting."""

from __future__ import annotations

import asyncio
import gc
import random
from collections.abc import Awaitable
from typing import TypeVar

import iletimerkezi_async as im

T = TypeVar("T")

HANG_GUARD = 10.0
"""Seconds one cell may take before it counts as a hang (a guard, never a timing assertion)."""

ATTEMPTS = 3


def fast_retry(seed: int = 0, attempts: int = ATTEMPTS) -> im.RetryPolicy:
    """A policy with the production shape (full jitter) but millisecond waits."""
    return im.RetryPolicy(attempts=attempts, base=0.002, cap=0.01, rng=random.Random(seed))


async def guarded(awaitable: Awaitable[T], seconds: float = HANG_GUARD) -> T:
    """``awaitable``, failing the test (not hanging it) when it takes longer than ``seconds``."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError as exc:
        if isinstance(exc, im.IletiMerkeziError):
            raise
        raise AssertionError(f"hang: still running after {seconds} s") from None


async def settle(rounds: int = 5) -> None:
    """Let finalisers run and cancelled tasks (and what they cancel in turn) finish."""
    gc.collect()
    for _ in range(rounds):
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)


def leaked_tasks(before: set[asyncio.Task[object]]) -> set[asyncio.Task[object]]:
    """Tasks alive now that were not alive at ``before``, the running test's own excluded."""
    return {t for t in asyncio.all_tasks() if t not in before and not t.done()} - {
        asyncio.current_task()
    }
