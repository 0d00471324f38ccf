"""A campaign worker for test_redis_campaign_workers.py (run by path, not collected).

    python _campaign_worker.py --redis URL --fake URL --name w0 --source FILE \\
        --ledger-key K --bucket-key B --lease-ttl 2 --chunk-size 100

Runs ``Campaign(...).run(source, TEXT)`` on a shared ``RedisLedger`` with a
shared ``RedisTokenBucket`` as the client's ``send_limiter``, as every worker
of a deployment would.  Prints ``READY`` once warm, waits on the start barrier
(``BLPOP``), then prints one JSON line at the end: its results and how often
it gave a chunk up for a lost claim.

For the test's account of what happened (a worker may be SIGKILLed before it
prints anything), it also writes to Redis as it goes: ``--claims`` gets
``name:index:fence`` for every claim granted (the lease value ends in the
fence, so the test can tell who holds a lease), ``--grants`` one JSON
``[earliest, latest, cost, name]`` per reservation of the bucket, on the Redis
server's clock (see ``GrantLog``).  Its HTTP requests carry ``X-Test-Worker``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

import iletimerkezi_async as im
from iletimerkezi_async.campaigns import Campaign, Claim
from iletimerkezi_async.clock import SystemClock
from iletimerkezi_async.contrib.redis import RedisLedger, RedisTokenBucket
from tests.contrib._worker import server_time

READY = "READY"
TEXT = "Bahar indirimi: kod BAHAR26"
HEADER = "X-Test-Worker"


class GrantLog(SystemClock):
    """The bucket's clock: logs each reservation that waits, before the wait.

    ``RedisTokenBucket.acquire`` sleeps the wait its script answered right
    after the answer; the server time read here (one round trip) is no earlier
    than the script's own ``now``, so ``[before the script, this] + wait``
    brackets the grant on the server's clock.  Logged before the sleep, so a
    worker killed while waiting still leaves its reservation behind.
    """

    def __init__(self, redis: Redis, key: str, name: str) -> None:
        self.redis = redis
        self.key = key
        self.name = name
        self.pending: dict[asyncio.Task[Any] | None, tuple[float, float]] = {}

    async def sleep(self, seconds: float) -> None:
        before, cost = self.pending.pop(asyncio.current_task(), (None, 0.0))
        if before is not None:
            answered = await server_time(self.redis)
            await self.log(before + seconds, answered + seconds, cost)
        await super().sleep(seconds)

    async def log(self, earliest: float, latest: float, cost: float) -> None:
        await self.redis.rpush(self.key, json.dumps([earliest, latest, cost, self.name]))


class LoggedBucket:
    """The shared bucket, with every grant logged through ``GrantLog``."""

    def __init__(self, bucket: RedisTokenBucket, clock: GrantLog) -> None:
        self.bucket = bucket
        self.clock = clock

    async def acquire(self, cost: float = 1) -> None:
        before = await server_time(self.bucket.redis)
        self.clock.pending[asyncio.current_task()] = (before, cost)
        await self.bucket.acquire(cost)
        if self.clock.pending.pop(asyncio.current_task(), None) is not None:
            # No wait: granted by the script itself, between these two reads.
            await self.clock.log(before, await server_time(self.bucket.redis), cost)


class LoggedLedger(RedisLedger):
    """The shared ledger, noting each claim granted as ``name:index:fence``."""

    def __init__(self, redis: Redis, key: str, *, lease_ttl: float, log: str, name: str) -> None:
        super().__init__(redis, key, lease_ttl=lease_ttl)
        self.log = log
        self.name = name

    async def claim(self, campaign: str, index: int) -> Claim | None:
        claim = await super().claim(campaign, index)
        if claim is not None:
            await self.redis.rpush(self.log, f"{self.name}:{index}:{getattr(claim, 'fence', 0)}")
        return claim


class Losses(logging.Handler):
    """Counts chunks given up for a lost claim (the campaign's only warning) and
    renewals that found the lease gone."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.chunks = 0
        self.renewals = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "iletimerkezi_async.campaigns":
            self.chunks += 1
        elif "the lease was lost" in record.getMessage():
            self.renewals += 1


async def work(args: argparse.Namespace, source: list[str]) -> None:
    losses = Losses()
    logging.getLogger("iletimerkezi_async").addHandler(losses)
    redis = Redis.from_url(args.redis)
    session = aiohttp.ClientSession(headers={HEADER: args.name})
    try:
        clock = GrantLog(redis, args.grants, args.name)
        bucket = RedisTokenBucket(redis, args.bucket_key, rate=args.rate, clock=clock)
        ledger = LoggedLedger(
            redis, args.ledger_key, lease_ttl=args.lease_ttl, log=args.claims, name=args.name
        )
        client = im.Client(
            args.api_key,
            args.api_hash,
            base_url=args.fake,
            session=session,
            send_limiter=LoggedBucket(bucket, clock),
            default_sender="APITEST",
            retry=im.RetryPolicy(attempts=8, base=0.1, cap=1.0),
        )
        async with client:
            await client.account.balance()  # opens a connection
            await redis.ping()
            print(READY, flush=True)
            if await redis.blpop([args.barrier], timeout=args.barrier_timeout) is None:
                raise SystemExit(f"{args.name}: no start signal within {args.barrier_timeout} s")
            campaign = Campaign(client, args.campaign, ledger=ledger, settle=args.settle)
            results = [
                (r.index, r.state)
                async for r in campaign.run(source, TEXT, chunk_size=args.chunk_size)
            ]
            await ledger.close()
        out = {"results": results, "lost_chunks": losses.chunks, "lost_leases": losses.renewals}
        print(json.dumps(out), flush=True)
    finally:
        await session.close()
        await redis.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True)
    parser.add_argument("--fake", required=True)
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--api-hash", default="test-hash")
    parser.add_argument("--name", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--campaign", default="bahar")
    parser.add_argument("--ledger-key", default="test:ledger")
    parser.add_argument("--bucket-key", default="test:send-budget")
    parser.add_argument("--claims", default="test:claims")
    parser.add_argument("--grants", default="test:grants")
    parser.add_argument("--barrier", default="test:start")
    parser.add_argument("--barrier-timeout", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--lease-ttl", type=float, default=2.0)
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--settle", type=float, default=1.0)
    args = parser.parse_args(argv)
    asyncio.run(work(args, json.loads(Path(args.source).read_text())))


if __name__ == "__main__":
    main()
