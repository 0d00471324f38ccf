"""A worker process for the multi-process Redis tests (run by path, not collected).

    python _worker.py send --redis URL --fake URL --key K --name p0 --count 150
    python _worker.py poll --redis URL --fake URL --key K --name a --log L --lease-ttl 1.0

Both print ``READY`` once their client and Redis connections are warm, then
block on the start barrier (``BLPOP`` of ``--barrier``, bounded by
``--barrier-timeout``) so that the test measures the shared bucket or lease,
not process start-up.

``send`` sends ``--count`` single-recipient SMS from ``--concurrency`` tasks
through one ``RedisTokenBucket`` and prints one JSON line: the order ids, each
grant on the Redis server's clock (see ``RecordingLimiter``), the
``time.monotonic()`` of each grant (only differences within this process are
meaningful) and the longest stalls of its event loop (overall, and after the
first second).

``poll`` polls the fake's inbox through a leased ``RedisCursor`` and RPUSHes
``name:id`` to ``--log`` for every message it handles, then spends
``--handle-time`` s on it before asking for the next one (which commits it);
it ends (committing) on a message whose text is ``--end``.  With
``--lease-log``, the same script run also RPUSHes ``name:id:1`` there when the
lease in Redis is this poller's at that moment, ``name:id:0`` when it is not:
the server's own account of who held the lease at each delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from types import TracebackType

from redis.asyncio import Redis

import iletimerkezi_async as im
from iletimerkezi_async.clock import SystemClock
from iletimerkezi_async.contrib.redis import RedisCursor, RedisTokenBucket

READY = "READY"

# The delivery log, and (KEYS[2]) whether the lease (KEYS[3]) was ours (ARGV[3]) then.
LOG_DELIVERY = """
redis.call('RPUSH', KEYS[1], ARGV[1] .. ':' .. ARGV[2])
if KEYS[2] ~= '' then
  local mine = redis.call('GET', KEYS[3]) == ARGV[3] and '1' or '0'
  redis.call('RPUSH', KEYS[2], ARGV[1] .. ':' .. ARGV[2] .. ':' .. mine)
end
return 1
"""


async def server_time(redis: Redis) -> float:
    """The Redis server's clock (``TIME``), the one the bucket refills on."""
    seconds, micros = await redis.time()
    return float(seconds) + float(micros) / 1_000_000


class ServerStampingClock(SystemClock):
    """The real clock, noting for each waiting task the server time its wait began.

    ``RedisTokenBucket.acquire`` sleeps its reserved wait right after the script
    answered; the server time read here (one round trip) is no earlier than the
    script's own ``now``, so ``[before the script, this] + wait`` brackets the
    grant the script scheduled, on the server's clock.
    """

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.waits: dict[asyncio.Task[object] | None, tuple[float, float]] = {}

    async def sleep(self, seconds: float) -> None:
        self.waits[asyncio.current_task()] = (await server_time(self.redis), seconds)
        await super().sleep(seconds)


class RecordingLimiter:
    """The bucket, noting each grant on the Redis server's clock.

    ``schedule`` holds ``(earliest, latest, done)`` per grant: the grant the
    script scheduled (its ``now`` + the wait it answered) lies in
    ``[earliest, latest]``, and ``done`` is the server time once ``acquire``
    returned (when the send goes).  A busy machine widens or delays these, it
    cannot make the schedule itself break the budget.  ``grants`` keeps the
    local ``time.monotonic()`` of each grant, for the lag spread printed.
    """

    def __init__(self, inner: RedisTokenBucket, clock: ServerStampingClock) -> None:
        self.inner = inner
        self.clock = clock
        self.grants: list[float] = []
        self.schedule: list[tuple[float, float, float]] = []

    async def acquire(self, cost: float = 1) -> None:
        redis = self.inner.redis
        before = await server_time(redis)
        await self.inner.acquire(cost)
        done = await server_time(redis)
        self.grants.append(time.monotonic())
        waited = self.clock.waits.pop(asyncio.current_task(), None)
        if waited is None:  # no wait: granted by the script itself
            self.schedule.append((before, done, done))
        else:
            answered, wait = waited
            self.schedule.append((before + wait, answered + wait, done))


class StallMeter:
    """The longest this event loop was held up (GC, the OS scheduler…) while in the block.

    A task asks to wake every ``tick`` s and notes how late it woke: a process
    stalled for S seconds handles (or sends) the requests of those S seconds
    all at once, which a 1 s window then sees as a bunch.
    """

    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        self.stalls: list[tuple[float, float]] = []  # (seconds since entering, lateness)
        self._task: asyncio.Task[None] | None = None

    @property
    def worst(self) -> float:
        return self.worst_after(0.0)

    def worst_after(self, seconds: float) -> float:
        """The worst stall that ended at least ``seconds`` after entering the block."""
        return max((late for at, late in self.stalls if at >= seconds), default=0.0)

    async def __aenter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            due = loop.time() + self.tick
            await asyncio.sleep(self.tick)
            now = loop.time()
            self.stalls.append((now - start, now - due))


async def _barrier(redis: Redis, args: argparse.Namespace) -> None:
    print(READY, flush=True)
    got = await redis.blpop([args.barrier], timeout=args.barrier_timeout)
    if got is None:
        raise SystemExit(f"{args.name}: no start signal within {args.barrier_timeout} s")


def _client(args: argparse.Namespace, limiter: im.RateLimiter | None) -> im.Client:
    return im.Client(
        args.api_key,
        args.api_hash,
        base_url=args.fake,
        send_limiter=limiter,
        retry=im.RetryPolicy(attempts=4, base=0.05, cap=0.5),
    )


async def send(args: argparse.Namespace) -> None:
    redis = Redis.from_url(args.redis)
    try:
        clock = ServerStampingClock(redis)
        limiter = RecordingLimiter(
            RedisTokenBucket(redis, args.key, rate=args.rate, clock=clock), clock
        )
        async with _client(args, limiter) as client:
            await client.account.balance()  # opens the session and a connection
            await redis.ping()
            await _barrier(redis, args)
            numbers = iter(range(args.count))
            orders: list[str] = []

            async def sender() -> None:
                for i in numbers:
                    order = await client.sms.send(
                        f"505{args.index}{i:06d}", f"Kodunuz {args.name}{i:04d}", sender="APITEST"
                    )
                    orders.append(order.id)

            async with StallMeter() as meter:
                await asyncio.gather(*(sender() for _ in range(args.concurrency)))
        result = {
            "orders": orders,
            "grants": limiter.grants,
            "schedule": limiter.schedule,
            "stall": meter.worst,
            "steady_stall": meter.worst_after(1.0),
        }
        print(json.dumps(result), flush=True)
    finally:
        await redis.aclose()


async def poll(args: argparse.Namespace) -> None:
    redis = Redis.from_url(args.redis)
    try:
        cursor = RedisCursor(redis, args.key, lease_ttl=args.lease_ttl)
        async with _client(args, None) as client:
            await client.inbox.list()
            await redis.ping()
            await _barrier(redis, args)
            poller = client.inbox.poll(cursor=cursor, interval=0.05, max_interval=0.2)
            log_delivery = redis.register_script(LOG_DELIVERY)
            async with poller:
                async for message in poller:
                    await log_delivery(
                        keys=[args.log, args.lease_log, cursor.lease_key],
                        args=[args.name, message.id, cursor.owner],
                    )
                    if message.text == args.end:
                        break
                    await asyncio.sleep(args.handle_time)  # the work, before the commit
        print(json.dumps({"done": True}), flush=True)
    finally:
        await redis.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "poll"])
    parser.add_argument("--redis", required=True)
    parser.add_argument("--fake", required=True)
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--api-hash", default="test-hash")
    parser.add_argument("--key", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--barrier", default="test:start")
    parser.add_argument("--barrier-timeout", type=float, default=30.0)
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--log", default="test:handled")
    parser.add_argument("--lease-log", default="")
    parser.add_argument("--lease-ttl", type=float, default=1.0)
    parser.add_argument("--end", default="BITTI")
    parser.add_argument("--handle-time", type=float, default=0.0)
    args = parser.parse_args(argv)
    asyncio.run(send(args) if args.mode == "send" else poll(args))


if __name__ == "__main__":
    main()
