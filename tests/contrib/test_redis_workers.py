"""Several real processes sharing one Redis send budget and one leased inbox cursor.

The fake server runs in this test's event loop, so it keeps serving while the
test awaits its children (``_worker.py``, run by path).  Every child prints
``READY`` once warm and then waits on a Redis start barrier, so what is measured
is the shared bucket or lease, not interpreter start-up.  Every wait is bounded:
a bug ends in a failure, and the children are killed in ``finally``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest
from redis.asyncio import Redis

from iletimerkezi_async.testing import FakeIletiMerkezi

from .._redis import RedisServer

WORKER = Path(__file__).with_name("_worker.py")
READY_TIMEOUT = 30.0
"""Seconds for a child to import, connect and say READY (a cold CI machine is slow)."""
RUN_TIMEOUT = 60.0
"""Seconds for a child to finish once started (the send test needs about 5 s)."""
BARRIER = "test:start"
T = TypeVar("T")


@attrs.define
class Child:
    name: str
    proc: asyncio.subprocess.Process
    stderr_path: Path

    def stderr(self) -> str:
        with contextlib.suppress(OSError):
            return self.stderr_path.read_text(errors="replace")[-4000:]
        return ""

    async def ready(self) -> None:
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), READY_TIMEOUT)
        except TimeoutError:
            pytest.fail(f"{self.name} not ready in {READY_TIMEOUT} s: {self.stderr()}")
        assert line.decode().strip() == "READY", f"{self.name}: {line!r} {self.stderr()}"

    async def result(self, within: float = RUN_TIMEOUT) -> dict[str, Any]:
        """Wait (at most ``within`` s) for a clean exit; the last stdout line, parsed."""
        try:
            out, _ = await asyncio.wait_for(self.proc.communicate(), within)
        except TimeoutError:
            pytest.fail(f"{self.name} did not finish in {within} s: {self.stderr()}")
        assert self.proc.returncode == 0, f"{self.name} exited {self.proc.returncode}: " + (
            self.stderr()
        )
        data = json.loads(out.decode().strip().splitlines()[-1])
        assert isinstance(data, dict)
        return data


@contextlib.asynccontextmanager
async def children(
    tmp_path: Path,
    specs: Sequence[tuple[str, Sequence[str]]],
    *,
    worker: Path = WORKER,
    pythonpath: Sequence[Path] = (),
) -> AsyncIterator[list[Child]]:
    """Start one ``worker`` per ``(name, args)``; kill whatever still runs on exit.

    ``pythonpath`` goes in front of the child's ``PYTHONPATH`` (the tree under test).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env["PYTHONUNBUFFERED"] = "1"
    if pythonpath:
        paths = [str(p) for p in pythonpath]
        env["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [env.get("PYTHONPATH")])])
    started: list[Child] = []
    try:
        for name, args in specs:
            path = tmp_path / f"{name}.stderr"
            with path.open("wb") as err:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(worker),
                    *args,
                    "--name",
                    name,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=err,
                    env=env,
                )
            started.append(Child(name, proc, path))
        yield started
    finally:
        for child in started:
            if child.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.proc.send_signal(signal.SIGCONT)  # a stopped child, if any
                    child.proc.kill()
        for child in started:
            # Drain and reap, so no transport is left for the garbage collector.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.proc.communicate(), 10)


async def start_all(redis: Redis, workers: list[Child]) -> None:
    """Wait until every child is warm, then release them at once."""
    await asyncio.gather(*(w.ready() for w in workers))
    await redis.rpush(BARRIER, *(["go"] * len(workers)))


def most_surely_within(schedule: Sequence[Sequence[float]], width: float) -> int:
    """The most grants surely inside one window ``[s, s + width)``.

    Each grant is known to lie in ``[earliest, latest]``; a grant counts for a
    window only when that whole bracket is inside it, so a busy machine (wide
    brackets) can only lower the count, never raise it above the true one.
    """
    brackets = sorted((float(lo), float(hi)) for lo, hi, *_ in schedule)
    highs = [hi for _, hi in brackets]
    best = 0
    for i, (s, _) in enumerate(brackets):
        # Brackets starting at or after s (sorted by start) that also end before s + width.
        best = max(best, sum(1 for hi in highs[i:] if hi < s + width))
    return best


# --------------------------------------------------------------------- shared budget

PROCESSES = 4
PER_PROCESS = 150
RATE = 100
CONCURRENCY = 10
"""Sending tasks per process (not 150 at once: one connection would carry 150
reservations, which says nothing more about the shared budget)."""
WINDOWS = (0.25, 1.0, 2.0)


async def test_four_processes_share_one_100_per_second_budget(
    redis: Redis, redis_server: RedisServer, tmp_path: Path
) -> None:
    """4 × 150 sends through one RedisTokenBucket(rate=100): 600 orders, held to 100/s.

    Judged on the Redis server's clock, where the bucket lives: each worker
    brackets every grant the script scheduled (see ``_worker.RecordingLimiter``).
    The test asserts the budget is never exceeded (no window holds more than
    the full bucket plus the refill), that the schedule takes as long as one
    100/s budget needs, and that no send goes before its grant.  None of that
    can fail because the machine is busy: load delays sends and widens the
    brackets, it never packs the schedule tighter.  The rate actually achieved
    is a benchmark (``nox -s bench -- limiter``), not a test.  About 5 s.
    """
    key = "test:send-budget"
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        specs = [
            (
                f"p{i}",
                [
                    "send",
                    *("--redis", redis_server.url, "--fake", fake.url, "--key", key),
                    *("--index", str(i), "--count", str(PER_PROCESS), "--rate", str(RATE)),
                    *("--concurrency", str(CONCURRENCY)),
                ],
            )
            for i in range(PROCESSES)
        ]
        async with children(tmp_path, specs) as workers:
            await start_all(redis, workers)
            results = await asyncio.gather(*(w.result() for w in workers))
        sends = [r for r in fake.requests if r.path == "send-sms"]
        stored_orders = len(fake.account.orders)

    # Every send went through once: 600 distinct orders, no failure, no retry.
    order_ids = [oid for res in results for oid in res["orders"]]
    assert len(order_ids) == len(set(order_ids)) == PROCESSES * PER_PROCESS
    assert stored_orders == PROCESSES * PER_PROCESS
    assert len(sends) == PROCESSES * PER_PROCESS
    assert {r.status for r in sends} == {200}
    assert all(
        len(r.body["request"]["order"]["message"]["receipents"]["number"]) == 1 for r in sends
    )

    schedules = [[tuple(map(float, g)) for g in res["schedule"]] for res in results]
    assert [len(sch) for sch in schedules] == [PER_PROCESS] * PROCESSES
    schedule = [g for sch in schedules for g in sch]
    # No send before its grant: acquire returned (on the server's clock) no
    # earlier than the latest the grant can be, but for clock-rate rounding.
    assert all(lo <= hi <= done + 0.002 for lo, hi, done in schedule)

    # The budget is never exceeded: a token bucket grants at most its capacity
    # (RATE, the full bucket at the start) plus RATE·w in any w seconds; +1 for a
    # grant on the window's edge.  Four buckets of their own would allow 4×.
    counts = {w: most_surely_within(schedule, w) for w in WINDOWS}
    for width, count in counts.items():
        assert count <= RATE + RATE * width + 1, (width, count)

    # And all of it shared one budget: 600 grants from a full bucket of 100 at
    # 100/s take at least 5 s of the server's clock.  (Brackets only widen the span.)
    first_possible = min(lo for lo, _, _ in schedule)
    last_possible = max(hi for _, hi, _ in schedule)
    span = last_possible - first_possible
    assert span >= (PROCESSES * PER_PROCESS - RATE) / RATE - 0.01
    # All four really shared it at once: each one's grants overlap every other's.
    ranges = [(min(g[0] for g in sch), max(g[1] for g in sch)) for sch in schedules]
    assert all(a_lo < b_hi and b_lo < a_hi for a_lo, a_hi in ranges for b_lo, b_hi in ranges)

    widths = sorted(hi - lo for lo, hi, _ in schedule)
    print(
        "\nshared budget (Redis server clock): most grants per window "
        + ", ".join(f"{w:g} s: {c}" for w, c in counts.items())
        + f"; span {span:.3f} s; bracket width median {widths[len(widths) // 2] * 1000:.2f} ms, "
        f"max {widths[-1] * 1000:.1f} ms; worst child stall "
        f"{max(float(r['stall']) for r in results) * 1000:.1f} ms"
    )


# --------------------------------------------------------------------- leased cursor

LEASE_TTL = 1.0
MESSAGES = 40
END = "BITTI"


async def _log(redis: Redis, key: str) -> list[tuple[str, str]]:
    """The handled list as (poller name, message id), in RPUSH order."""
    out = []
    for entry in await redis.lrange(key, 0, -1):
        name, _, mid = (entry.decode() if isinstance(entry, bytes) else entry).partition(":")
        out.append((name, mid))
    return out


async def _until(
    what: str, check: Callable[[], Awaitable[T]], within: float, every: float = 0.02
) -> tuple[float, T]:
    """Await ``check()`` every ``every`` s until truthy, at most ``within`` s.

    Returns the ``time.monotonic()`` at which it was seen truthy, and the value.
    """
    deadline = time.monotonic() + within
    while True:
        value = await check()
        now = time.monotonic()
        if value:
            return now, value
        if now >= deadline:
            pytest.fail(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(every)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
async def test_leased_cursor_survives_a_killed_poller(
    redis: Redis, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Two pollers share RedisCursor(lease_ttl=1.0); the holder is SIGKILLed mid-stream."""
    key, log = "test:inbox-cursor", "test:handled"
    async with FakeIletiMerkezi() as fake:
        common = ["poll", "--redis", redis_server.url, "--fake", fake.url, "--key", key]
        common += ["--log", log, "--lease-ttl", str(LEASE_TTL), "--end", END]
        # 50 ms of work per message, so the kill most likely lands on one handled
        # but not yet committed (it is then delivered again).
        common += ["--handle-time", "0.05"]
        async with children(tmp_path, [("a", common), ("b", common)]) as workers:
            by_name = {w.name: w for w in workers}
            await start_all(redis, workers)

            ids: list[str] = []

            async def produce() -> None:
                for i in range(MESSAGES):
                    ids.append(fake.add_inbound(f"Mesaj {i:02d}", sender="+905051234567"))
                    if i % 2 == 1:
                        await asyncio.sleep(0.1)  # two messages every 100 ms, about 2 s

            producer = asyncio.create_task(produce())
            try:
                _, before = await _until(
                    "the first poller to handle 6 messages",
                    lambda: _at_least(redis, log, 6),
                    within=20,
                )
                holders = {name for name, _ in before}
                # Exactly one polls at a time: so far only the lease holder handled any.
                assert len(holders) == 1, before
                (holder,) = holders
                survivor = next(n for n in by_name if n != holder)
                assert not producer.done(), "the kill must come mid-stream"

                by_name[holder].proc.kill()  # SIGKILL: no release, no commit
                killed_at = time.monotonic()
                await asyncio.wait_for(by_name[holder].proc.wait(), 10)
                at_kill = await _log(redis, log)
                assert {name for name, _ in at_kill} == {holder}, at_kill

                async def survivor_handled() -> bool:
                    return any(name == survivor for name, _ in await _log(redis, log))

                took_over_at, _ = await _until(
                    "the survivor to take over", survivor_handled, within=LEASE_TTL + 10
                )
                takeover = took_over_at - killed_at
                assert takeover <= LEASE_TTL + 2.0

                await asyncio.wait_for(producer, 20)
            finally:
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await producer
            ids.append(fake.add_inbound(END, sender="+905051234567"))
            assert (await by_name[survivor].result()) == {"done": True}

        entries = await _log(redis, log)

    handled = [mid for _, mid in entries]
    # None lost: every inbound id was handled by one poller or the other.
    assert set(handled) == set(ids)
    assert len(ids) == MESSAGES + 1
    # The two never overlapped: every entry of the killed poller precedes the survivor's.
    names = [name for name, _ in entries]
    assert names == [holder] * len(at_kill) + [survivor] * (len(entries) - len(at_kill))
    # Duplicates only for what the killed poller handled without committing: a message
    # is committed when the next one is asked for, so only its last one can come again.
    counts = Counter(handled)
    duplicates = {mid: c for mid, c in counts.items() if c > 1}
    assert set(duplicates) <= {at_kill[-1][1]}
    assert all(c == 2 for c in duplicates.values())
    print(
        f"\nleased cursor: holder {holder} handled {len(at_kill)} before SIGKILL, "
        f"survivor took over after {takeover:.3f} s, duplicates {sorted(duplicates)}"
    )


async def _at_least(redis: Redis, key: str, n: int) -> list[tuple[str, str]]:
    entries = await _log(redis, key)
    return entries if len(entries) >= n else []


# --------------------------------------------------------------------- frozen holder

FREEZE_TTL = 0.5
FREEZE_TRIALS = 20
FREEZE_BUDGET = 120.0
"""Real seconds for all the trials (about 1.5 s each when quiet); a bound, not a goal."""


async def _committed(redis: Redis, key: str, message_id: str) -> bool:
    token = await redis.get(key)
    return token is not None and message_id in json.loads(token)["seen"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP is POSIX-only")
async def test_a_holder_frozen_past_its_lease_never_delivers_beside_the_new_one(
    redis: Redis, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Issue 11 item 12: SIGSTOP the lease holder past its TTL, let the other take over
    and deliver, SIGCONT the first; it must not deliver while the other holds the lease.

    Each trial: a marker message, handled and committed by the holder (which is then
    idle: nothing fetched, nothing pending); SIGSTOP it; a message the other must take
    over to deliver; SIGCONT; one more message.  Every delivery is logged by the
    worker in one script run that also records whether the lease in Redis was that
    worker's at that moment, so "delivered without the lease" is the server's word.
    """
    key, log, lease_log = "test:inbox-cursor", "test:handled", "test:lease-log"
    async with FakeIletiMerkezi() as fake:
        common = ["poll", "--redis", redis_server.url, "--fake", fake.url, "--key", key]
        common += ["--log", log, "--lease-log", lease_log, "--lease-ttl", str(FREEZE_TTL)]
        async with children(tmp_path, [("a", common), ("b", common)]) as workers:
            by_name = {w.name: w for w in workers}
            await start_all(redis, workers)
            started = time.monotonic()

            async def handled_by(mid: str) -> str | None:
                for name, logged in await _log(redis, log):
                    if logged == mid:
                        return name
                return None

            takeovers: list[str] = []
            for trial in range(FREEZE_TRIALS):
                assert time.monotonic() - started < FREEZE_BUDGET, f"{trial} trials only"
                marker = fake.add_inbound(f"isaret {trial}", sender="+905051234567")
                _, holder = await _until(
                    f"trial {trial}: the marker", functools.partial(handled_by, marker), 10
                )
                await _until(
                    f"trial {trial}: the marker's commit",
                    functools.partial(_committed, redis, key, marker),
                    10,
                )
                assert holder is not None
                other = next(n for n in by_name if n != holder)
                frozen = by_name[holder].proc
                frozen.send_signal(signal.SIGSTOP)
                try:
                    during = fake.add_inbound(f"donmus {trial}", sender="+905051234567")
                    # The lease runs out (<= TTL) and the other takes it and delivers.
                    _, by = await _until(
                        f"trial {trial}: a delivery while {holder} is stopped",
                        functools.partial(handled_by, during),
                        FREEZE_TTL + 10,
                    )
                    assert by == other
                    takeovers.append(other)
                finally:
                    frozen.send_signal(signal.SIGCONT)
                # Woken: its timers are all due at once.  One more message, and a few
                # of the woken one's poll intervals for it to misbehave in.
                after = fake.add_inbound(f"uyandi {trial}", sender="+905051234567")
                await _until(
                    f"trial {trial}: the last message", functools.partial(handled_by, after), 10
                )
                await asyncio.sleep(0.3)
            elapsed = time.monotonic() - started
        stamped = [
            (entry.decode() if isinstance(entry, bytes) else entry).split(":")
            for entry in await redis.lrange(lease_log, 0, -1)
        ]

    without_lease = [(name, mid) for name, mid, mine in stamped if mine != "1"]
    print(
        f"\nfrozen holder: {FREEZE_TRIALS} SIGSTOP trials (ttl {FREEZE_TTL} s) in "
        f"{elapsed:.1f} s, {len(stamped)} deliveries, "
        f"{len(without_lease)} while not holding the lease"
    )
    assert len(takeovers) == FREEZE_TRIALS
    assert len(stamped) >= 3 * FREEZE_TRIALS
    assert without_lease == []
