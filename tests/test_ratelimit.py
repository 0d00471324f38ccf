"""TokenBucket on a virtual clock (exact timestamps), and once against the fake over real time.

The default bucket runs on the loop's timers, so most tests run it on a
virtual-time loop; ``TokenBucket(clock=...)`` runs on the clock it is given,
tested below on a ``VirtualClock`` (on the same loop, whose time must not move).
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iletimerkezi_async as im
from iletimerkezi_async.testing import FakeIletiMerkezi, VirtualClock

from ._virtual_time import START, VirtualTimeLoop, run

EPS = 1e-6


def test_virtual_loop_jumps_to_the_next_timer() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(3600)
        return loop.time()

    assert run(main()) == START + 3600


def _expected_grants(
    arrivals: list[tuple[float, float]], rate: float, capacity: float
) -> list[float]:
    """Reference model: strict FIFO, full bucket at the start, cost clamped to capacity."""
    level, t_prev, out = capacity, -math.inf, []
    for arrival, cost in arrivals:
        charge = min(cost, capacity)
        t = max(arrival, t_prev)
        if t_prev != -math.inf:
            level = min(capacity, level + (t - t_prev) * rate)
        if level < charge:
            t += (charge - level) / rate
            level = charge
        level -= charge
        out.append(t)
        t_prev = t
    return out


async def _drive(
    bucket: im.TokenBucket, arrivals: list[tuple[float, float]]
) -> list[tuple[int, float, float]]:
    """Start one acquire per (offset, cost); return (call order, grant time, cost) in grant order."""
    loop = asyncio.get_running_loop()
    base = loop.time()
    calls: list[int] = []
    grants: list[tuple[int, float, float]] = []

    async def one(offset: float, cost: float) -> None:
        await asyncio.sleep(offset)
        me = len(calls)
        calls.append(me)
        await bucket.acquire(cost)
        grants.append((me, loop.time() - base, cost))

    await asyncio.gather(*(one(offset, cost) for offset, cost in arrivals))
    return grants


schedules = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=5, allow_nan=False).map(lambda x: round(x, 3)),
        st.integers(min_value=1, max_value=40),  # cost 0 bypasses the queue by design,
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    arrivals=schedules,
    rate=st.sampled_from([1.0, 7.0, 10.0, 100.0]),
    capacity=st.sampled_from([None, 1.0, 5.0, 25.0]),
)
def test_bucket_bounds_fifo_and_liveness(
    arrivals: list[tuple[float, int]], rate: float, capacity: float | None
) -> None:
    bucket = im.TokenBucket(rate=rate, per=1.0, capacity=capacity)
    cap = bucket.capacity
    arrivals = sorted(arrivals, key=lambda a: a[0])
    grants = run(_drive(bucket, [(a, float(c)) for a, c in arrivals]))

    # Everything is eventually granted, in exactly the order acquire() was called.
    assert [me for me, _, _ in grants] == list(range(len(arrivals)))
    times = [t for _, t, _ in grants]
    assert times == sorted(times)

    # In every interval [a, b]: granted tokens <= capacity + rate * (b - a).
    charged = [min(cost, cap) for _, _, cost in grants]
    for i in range(len(grants)):
        for j in range(i, len(grants)):
            assert sum(charged[i : j + 1]) <= cap + rate * (times[j] - times[i]) + EPS

    # And not more conservative than needed: each grant at the earliest FIFO moment.
    # Arrivals with equal offsets may call acquire() in any order, so compare with the
    # costs in call order.
    costs_in_call_order = [cost for _, _, cost in grants]
    offsets = [a for a, _ in arrivals]
    expected = _expected_grants(list(zip(offsets, costs_in_call_order, strict=True)), rate, cap)
    assert times == pytest.approx(expected, abs=EPS)


def test_large_order_is_not_starved_by_small_ones() -> None:
    async def main() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        bucket = im.TokenBucket(rate=10, capacity=10)
        await bucket.acquire(10)  # empty at START
        order: list[tuple[str, float]] = []

        async def take(name: str, cost: float, delay: float) -> None:
            await asyncio.sleep(delay)
            await bucket.acquire(cost)
            order.append((name, loop.time() - START))

        await asyncio.gather(
            take("big", 8, 0.0), *(take(f"small{i}", 1, 0.01 + 0.05 * i) for i in range(10))
        )
        return order

    order = run(main())
    assert order[0][0] == "big"
    assert order[0][1] == pytest.approx(0.8)
    # The small ones queue behind it, one every 0.1 s, in arrival order.
    assert [name for name, _ in order[1:]] == [f"small{i}" for i in range(10)]
    assert [t for _, t in order[1:]] == pytest.approx([0.9 + 0.1 * i for i in range(10)])


def test_order_above_capacity_waits_for_a_full_bucket_and_drains_it() -> None:
    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        bucket = im.TokenBucket(rate=100)
        stamps = []
        for cost in (1, 500, 1):
            await bucket.acquire(cost)
            stamps.append(loop.time() - START)
        return stamps

    assert run(main()) == pytest.approx([0.0, 0.01, 0.02])


def test_cancelled_waiter_neither_consumes_nor_blocks() -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        bucket = im.TokenBucket(rate=10, capacity=10)
        await bucket.acquire(10)
        first = asyncio.create_task(bucket.acquire(5))
        second_done = loop.create_future()

        async def second() -> None:
            await bucket.acquire(5)
            second_done.set_result(loop.time() - START)

        task = asyncio.create_task(second())
        await asyncio.sleep(0.1)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        granted_at = await second_done
        await task
        return granted_at, bucket.available()

    granted_at, left = run(main())
    # Without the cancel the second waiter would need 1.0 s (5 for the first, 5 for it).
    assert granted_at == pytest.approx(0.5)
    assert left == pytest.approx(0.0, abs=EPS)


def test_waiter_cancelled_in_the_same_tick_as_its_grant_returns_the_tokens() -> None:
    async def main() -> tuple[str, float, float]:
        loop = asyncio.get_running_loop()
        bucket = im.TokenBucket(rate=10, capacity=10)
        await bucket.acquire(10)
        t0 = loop.time()
        waiter = asyncio.create_task(bucket.acquire(5))
        await asyncio.sleep(0)  # queued; its grant timer is set for t0 + 0.5
        seen: list[str] = []

        def cancel_after_grant() -> None:
            seen.append(repr(bucket))  # the grant already popped it: waiting=0
            waiter.cancel()

        # Same deadline, scheduled after the bucket's timer, so it runs right after
        # the grant and before the waiter resumes.
        loop.call_at(t0 + 5 / 10, cancel_after_grant)
        with pytest.raises(asyncio.CancelledError):
            await waiter
        left = bucket.available()
        await bucket.acquire(5)  # the returned tokens serve the next caller at once
        return seen[0], left, loop.time() - t0

    seen, left, at = run(main())
    assert "waiting=0" in seen
    assert left == pytest.approx(5.0)
    assert at == pytest.approx(0.5)


def test_new_loop_with_another_clock_origin_does_not_stall() -> None:
    bucket = im.TokenBucket(rate=10, capacity=10)

    async def drain_late() -> None:
        await asyncio.sleep(10_000)  # this loop's clock is far ahead of the next one's
        await bucket.acquire(10)

    async def take_one() -> float:
        loop = asyncio.get_running_loop()
        await bucket.acquire(1)
        return loop.time() - START

    run(drain_late())
    assert run(take_one()) == pytest.approx(0.1)


def test_waiter_left_on_a_stopped_loop_does_not_block_a_new_loop() -> None:
    bucket = im.TokenBucket(rate=10, capacity=10)
    old = VirtualTimeLoop()

    async def leave_a_waiter() -> asyncio.Task[None]:
        await bucket.acquire(10)
        task = asyncio.create_task(bucket.acquire(10))
        await asyncio.sleep(0)
        return task

    stranded = old.run_until_complete(leave_a_waiter())
    try:

        async def fresh() -> float:
            loop = asyncio.get_running_loop()
            await bucket.acquire(1)
            return loop.time() - START

        assert run(fresh()) == pytest.approx(0.1)
    finally:
        stranded.cancel()
        with pytest.raises(asyncio.CancelledError):
            old.run_until_complete(stranded)
        old.close()


# ------------------------------------------------------- on a given clock


async def _drive_on_clock(
    bucket: im.TokenBucket, clock: VirtualClock, costs: list[float]
) -> list[tuple[int, float]]:
    """One acquire per cost, all at the same instant; (call order, grant time) in grant order."""
    base = clock.monotonic()
    grants: list[tuple[int, float]] = []

    async def one(me: int, cost: float) -> None:
        await bucket.acquire(cost)
        grants.append((me, clock.monotonic() - base))

    await asyncio.gather(*(one(i, cost) for i, cost in enumerate(costs)))
    return grants


@settings(max_examples=100, deadline=None, database=None)
@given(
    costs=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=25),
    rate=st.sampled_from([1.0, 7.0, 10.0, 100.0]),
    capacity=st.sampled_from([None, 1.0, 5.0, 25.0]),
)
def test_bucket_on_a_clock_is_fifo_and_exact(
    costs: list[int], rate: float, capacity: float | None
) -> None:
    clock = VirtualClock()
    bucket = im.TokenBucket(rate=rate, per=1.0, capacity=capacity, clock=clock)

    async def main() -> tuple[list[tuple[int, float]], float]:
        grants = await _drive_on_clock(bucket, clock, [float(c) for c in costs])
        return grants, asyncio.get_running_loop().time()

    grants, loop_time = run(main())
    assert [me for me, _ in grants] == list(range(len(costs)))
    expected = _expected_grants([(0.0, float(c)) for c in costs], rate, bucket.capacity)
    assert [t for _, t in grants] == pytest.approx(expected, abs=EPS)
    assert sum(clock.sleeps) == pytest.approx(expected[-1], abs=EPS)
    assert loop_time == START  # the loop's own timers were never used


def test_bucket_on_a_clock_sleeps_exactly_the_missing_tokens() -> None:
    clock = VirtualClock()
    bucket = im.TokenBucket(rate=100, clock=clock)

    async def main() -> list[float]:
        base = clock.monotonic()
        stamps = []
        for cost in (1, 500, 1):
            await bucket.acquire(cost)
            stamps.append(clock.monotonic() - base)
        return stamps

    assert asyncio.run(main()) == pytest.approx([0.0, 0.01, 0.02])
    assert clock.sleeps == pytest.approx([0.01, 0.01])
    assert bucket.clock is clock
    assert "clock=VirtualClock(" in repr(bucket)


def test_large_order_is_not_starved_on_a_clock() -> None:
    clock = VirtualClock()
    bucket = im.TokenBucket(rate=10, capacity=10, clock=clock)

    async def main() -> list[tuple[int, float]]:
        await bucket.acquire(10)  # empty now
        return await _drive_on_clock(bucket, clock, [8.0] + [1.0] * 10)

    grants = asyncio.run(main())
    assert [me for me, _ in grants] == list(range(11))
    assert [t for _, t in grants] == pytest.approx([0.8] + [0.9 + 0.1 * i for i in range(10)])


def test_cancelled_waiter_on_a_clock_neither_consumes_nor_blocks() -> None:
    clock = VirtualClock()
    bucket = im.TokenBucket(rate=10, capacity=10, clock=clock)

    async def main() -> tuple[float, float, set[asyncio.Task[object]]]:
        await bucket.acquire(10)
        base = clock.monotonic()
        before = asyncio.all_tasks()
        first = asyncio.create_task(bucket.acquire(5))
        second = asyncio.create_task(bucket.acquire(5))
        await asyncio.sleep(0)  # both queued, the refill timer set
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await second
        granted_at = clock.monotonic() - base
        await asyncio.sleep(0)
        return granted_at, bucket.available(), asyncio.all_tasks() - before

    granted_at, left, leaked = asyncio.run(main())
    # Without the cancel the second waiter would need 1.0 s (5 for the first, 5 for it).
    assert granted_at == pytest.approx(0.5)
    assert left == pytest.approx(0.0, abs=EPS)
    assert leaked == set()  # the refill task ended with the queue


def test_waiter_cancelled_with_its_grant_on_a_clock_returns_the_tokens() -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Task[None] | None = None

        def cancel_after_grant() -> None:
            assert waiter is not None
            waiter.cancel()

        # The refill timer advances the clock, yields once, then grants; two hops
        # of call_soon land right after the grant and before the waiter resumes.
        clock = VirtualClock(
            on_advance=lambda _s: loop.call_soon(loop.call_soon, cancel_after_grant)
        )
        bucket = im.TokenBucket(rate=10, capacity=10, clock=clock)
        await bucket.acquire(10)
        t0 = clock.monotonic()
        waiter = asyncio.create_task(bucket.acquire(5))
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert repr(bucket).startswith("TokenBucket(rate=10, per=1, capacity=10, waiting=0")
        left = bucket.available()
        await bucket.acquire(5)  # the returned tokens serve the next caller at once
        return left, clock.monotonic() - t0

    left, at = asyncio.run(main())
    assert left == pytest.approx(5.0)
    assert at == pytest.approx(0.5)


def test_waiter_left_on_a_stopped_loop_does_not_block_a_clock_bucket() -> None:
    clock = VirtualClock()
    bucket = im.TokenBucket(rate=10, capacity=10, clock=clock)
    old = asyncio.new_event_loop()

    async def leave_a_waiter() -> asyncio.Task[None]:
        await bucket.acquire(10)
        task = asyncio.create_task(bucket.acquire(10))
        await asyncio.sleep(0)
        return task

    async def fresh() -> float:
        start = clock.monotonic()
        await bucket.acquire(1)
        return clock.monotonic() - start

    stranded = old.run_until_complete(leave_a_waiter())
    try:
        assert asyncio.run(fresh()) == pytest.approx(0.1)
    finally:
        stranded.cancel()
        with pytest.raises(asyncio.CancelledError):
            old.run_until_complete(stranded)
        old.close()


def test_a_clock_must_be_a_clock() -> None:
    with pytest.raises(TypeError, match="Clock"):
        im.TokenBucket(clock=object())  # type: ignore[arg-type]
    assert im.TokenBucket().clock is None


@pytest.mark.parametrize("cost", [-1, math.nan])
def test_bad_cost_is_refused(cost: float) -> None:
    with pytest.raises(ValueError, match="cost"):
        run(im.TokenBucket().acquire(cost))


@pytest.mark.parametrize(
    "kwargs",
    [{"rate": 0}, {"per": -1}, {"rate": math.inf}, {"capacity": 0}, {"capacity": math.nan}],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="positive"):
        im.TokenBucket(**kwargs)


def test_zero_cost_never_waits() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        bucket = im.TokenBucket(rate=1, capacity=1)
        await bucket.acquire(1)
        await bucket.acquire(0)
        return loop.time() - START

    assert run(main()) == 0.0


def test_bucket_satisfies_the_protocol() -> None:
    assert isinstance(im.TokenBucket(), im.RateLimiter)


class _RecordingLimiter:
    """A RateLimiter that notes when each grant happened (``time.monotonic``, like the fake)."""

    def __init__(self, inner: im.TokenBucket) -> None:
        self.inner = inner
        self.grants: list[float] = []

    async def acquire(self, cost: float = 1) -> None:
        await self.inner.acquire(cost)
        self.grants.append(time.monotonic())


def _max_in_window(stamps: list[float], starts: list[float]) -> int:
    return max(sum(1 for t in stamps if s <= t < s + 1.0) for s in starts)


async def test_300_sends_through_a_100_per_second_bucket_are_spread() -> None:
    """Real loopback HTTP and real time (about 2 s); only counts are asserted."""
    limiter = _RecordingLimiter(im.TokenBucket(rate=100))
    async with FakeIletiMerkezi(rate_limit=None, sms_credits=1_000) as fake:
        async with fake.client(send_limiter=limiter) as client:
            orders = await asyncio.gather(
                *(
                    client.sms.send(f"50512{i:05d}", "Kodunuz 1234", sender="APITEST")
                    for i in range(300)
                )
            )
        assert len({o.id for o in orders}) == 300
        sends = [r for r in fake.requests if r.path == "send-sms"]
        assert len(sends) == 300
        arrivals = sorted(r.time for r in sends)
    grants = sorted(limiter.grants)
    first = arrivals[0]

    # Client side, exact: 100 at once, then one grant per 10 ms (+1 for a boundary grant).
    assert _max_in_window(grants, grants) <= 200 + 1
    assert _max_in_window(grants, [g for g in grants if g >= grants[0] + 1.0]) <= 100 + 1

    # Server side.  A window at the server holds the grants of a window stretched by the
    # spread of grant→arrival lags: the burst of 100 opens 100 connections at once and
    # its first arrival lags more than the steady ones (tens of ms on loopback), so the
    # window starting there may catch up to 100/s × that spread more.
    lags = [a - g for a, g in zip(arrivals, grants, strict=True)]
    spread = max(lags) - min(lags)
    assert _max_in_window(arrivals, arrivals) <= 200 + 2 + math.ceil(100 * spread)
    # After the first second the bucket is empty and grants trickle at 100/s over warm
    # connections with near-constant lag.  Tolerance 2: one grant landing on a window
    # boundary and one request whose lag jitters across it; a limiter that does not
    # spread, or bursts twice, is off by tens.
    later = [t for t in arrivals if t >= first + 1.0]
    assert later, "300 recipients at 100/s should take about 2 s"
    assert _max_in_window(arrivals, later) <= 100 + 2
