"""What the SDK costs per request, and what asyncio buys when the server is slow.

* ``client.overhead``: 2,000 ``client.account.balance()`` calls at concurrency
  50 against the fake (in its own process, no latency, no rate limit), against
  plain aiohttp doing the same: one default ``ClientSession``, the same 50
  workers, ``json.dumps`` of the same request body per call, the same headers,
  ``json.loads`` of the answer.  Each round runs both sides back to back on
  one fake server, in alternating order (ABBA); the figure is the median of
  the rounds' ratios, with the ratio of the fastest rounds, the client's
  CPU-time ratio and the server's CPU use alongside.
* ``client.latency``: the same calls with 20 ms of server latency, the SDK at
  concurrency 50 against sequential synchronous ``urllib.request`` (a new
  connection per call, what a blocking SDK gives you).  The sequential side
  runs fewer calls and is scaled per call to the same count.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
import urllib.request
from typing import Any

import aiohttp
from _common import Clock, FakeProcess, fake_process, median
from _registry import Context, Figure, benchmark

import iletimerkezi_async as im
from iletimerkezi_async._transport import USER_AGENT

CONCURRENCY = 50
OVERHEAD_TARGET = 1.15
LATENCY = 0.02

HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
}


def _balance_body() -> dict[str, Any]:
    return {"request": {"authentication": {"key": "test-key", "hash": "test-hash"}}}


async def _workers(call: Any, total: int, concurrency: int) -> None:
    per_worker, extra = divmod(total, concurrency)

    async def worker(n: int) -> None:
        for _ in range(n):
            await call()

    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))


async def _sdk(client: im.Client, total: int, concurrency: int) -> None:
    async def call() -> None:
        await client.account.balance()

    await _workers(call, total, concurrency)


async def _raw(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any], total: int, concurrency: int
) -> None:
    async def call() -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        async with session.post(url, data=data, headers=HEADERS) as resp:
            answer = json.loads(await resp.read())
        assert answer["response"]["status"]["code"] == 200

    await _workers(call, total, concurrency)


async def _paired_rounds(fake: FakeProcess, total: int, rounds: int) -> list[tuple[Clock, Clock]]:
    """``rounds`` × (SDK run, raw run) of ``total`` calls each, back to back, order alternating."""
    url = fake.url + "/v1/get-balance/json"
    body = _balance_body()
    async with (
        aiohttp.ClientSession() as session,
        im.Client("test-key", "test-hash", base_url=fake.url, send_limiter=None) as client,
    ):
        # Warm both: 50 connections open, code paths and caches hot.
        await _sdk(client, 4 * CONCURRENCY, CONCURRENCY)
        await _raw(session, url, body, 4 * CONCURRENCY, CONCURRENCY)
        pairs: list[tuple[Clock, Clock]] = []
        for r in range(rounds):
            clocks = [Clock(fake), Clock(fake)]
            for side in (0, 1) if r % 2 == 0 else (1, 0):
                gc.collect()
                with clocks[side]:
                    if side == 0:
                        await _sdk(client, total, CONCURRENCY)
                    else:
                        await _raw(session, url, body, total, CONCURRENCY)
            pairs.append((clocks[0], clocks[1]))
    return pairs


@benchmark("client.overhead")
async def overhead(ctx: Context) -> list[Figure]:
    """SDK/raw aiohttp wall time, 2,000 balance() calls at concurrency 50, no latency."""
    total = ctx.scaled(2000, 400)
    rounds = ctx.scaled(10, 2)
    async with fake_process() as fake:
        pairs = await _paired_rounds(fake, total, rounds)
    # Each round runs both sides back to back: the median of the rounds' ratios
    # cancels load that changes between rounds (other processes on the machine).
    ratio = median([sdk.wall / raw.wall for sdk, raw in pairs])
    cpu = median([sdk.cpu / raw.cpu for sdk, raw in pairs])
    fastest = min(sdk.wall for sdk, _ in pairs) / min(raw.wall for _, raw in pairs)
    busy = max(c.server_cpu / c.wall for pair in pairs for c in pair)
    per_call_us = median([(sdk.cpu - raw.cpu) / total * 1e6 for sdk, raw in pairs])
    return [
        Figure(
            "overhead: SDK / raw aiohttp wall time",
            ratio,
            "×",
            target=f"≤ {OVERHEAD_TARGET}",
            ok=ratio <= OVERHEAD_TARGET,
            details={
                "fastest rounds": fastest,
                "client CPU ratio": cpu,
                "SDK CPU µs/call more": per_call_us,
                "SDK calls/s": total / min(sdk.wall for sdk, _ in pairs),
                "server busy": f"{busy:.0%}",
                "n": total,
            },
        )
    ]


def _urllib_calls(url: str, body: bytes, count: int) -> float:
    """``count`` sequential blocking calls; wall seconds."""
    started = time.perf_counter()
    for _ in range(count):
        request = urllib.request.Request(url, data=body, headers=HEADERS, method="POST")
        with urllib.request.urlopen(request, timeout=30) as resp:
            answer = json.loads(resp.read())
        assert answer["response"]["status"]["code"] == 200
    return time.perf_counter() - started


@benchmark("client.latency")
async def latency_bound(ctx: Context) -> list[Figure]:
    """Speed-up of the SDK at concurrency 50 over sequential urllib, 20 ms server latency."""
    total = ctx.scaled(2000, 400)
    rounds = ctx.scaled(3, 1)
    sequential = ctx.scaled(200, 30)
    async with fake_process(latency=LATENCY) as fake:
        async with im.Client("test-key", "test-hash", base_url=fake.url) as client:
            await _sdk(client, CONCURRENCY, CONCURRENCY)  # connections open
            walls: list[float] = []
            for _ in range(rounds):
                gc.collect()
                with Clock() as clock:
                    await _sdk(client, total, CONCURRENCY)
                walls.append(clock.wall)
        url = fake.url + "/v1/get-balance/json"
        body = json.dumps(_balance_body()).encode()
        # Blocking by design; a thread keeps this loop (and its timers) alive meanwhile.
        await asyncio.to_thread(_urllib_calls, url, body, 5)
        seq_wall = await asyncio.to_thread(_urllib_calls, url, body, sequential)
    sdk_wall = median(walls)
    per_call = seq_wall / sequential
    scaled = per_call * total
    speedup = scaled / sdk_wall
    return [
        Figure(
            "latency 20 ms: SDK ×50 speed-up over sequential urllib",
            speedup,
            "×",
            details={
                "ideal": f"{CONCURRENCY}×",
                "SDK wall s": sdk_wall,
                "SDK calls/s": total / sdk_wall,
                "urllib ms/call": per_call * 1000,
                "urllib calls": sequential,
                f"urllib × {total} s": scaled,
                "n": total,
            },
        ),
    ]
