"""A process that verifies one code many times at once (run by path, not collected).

    python _otp_worker.py REDIS_URL PREFIX SECRET_HEX NUMBER CODE BARRIER COUNT

Prints ``READY``, waits for the start barrier (``BLPOP BARRIER``), runs COUNT
concurrent ``verify`` calls over their own connections and prints how many
returned True.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from redis.asyncio import Redis

import iletimerkezi_async as im
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.contrib.redis import RedisOtpStore
from iletimerkezi_async.otp import OtpService
from iletimerkezi_async.testing import VirtualClock

START = datetime(  # the moment tests/test_otp.py issues its challenges at
    2026, 3, 10, 23, 50, tzinfo=ISTANBUL
)


async def main(
    url: str, prefix: str, secret: str, number: str, code: str, barrier: str, n: str
) -> None:
    connections = [Redis.from_url(url) for _ in range(4)]
    try:
        async with im.Client("key", "hash", clock=VirtualClock(start=START)) as client:
            services = [
                OtpService(
                    client,
                    sender="ACME",
                    secret=bytes.fromhex(secret),
                    store=RedisOtpStore(conn, prefix=prefix),
                    max_attempts=1000,
                )
                for conn in connections
            ]
            for conn in connections:
                await conn.ping()
            print("READY", flush=True)
            await connections[0].blpop([barrier], timeout=30)
            results = await asyncio.gather(
                *(services[i % len(services)].verify(number, code) for i in range(int(n)))
            )
            print(results.count(True), flush=True)
    finally:
        for conn in connections:
            await conn.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:8]))
