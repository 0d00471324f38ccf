"""Walking a year of order summaries: concurrent windows, and memory that stays flat.

* ``reports.windows``: ``client.reports.list(start, end)`` over 365 days (37
  ten-day windows) of a fake seeded with orders across the year, 20 ms server
  latency, sequential against ``concurrency=8``; the wall-time ratio.
* ``reports.memory``: peak RSS of a fresh process streaming 100,000 and then
  1,000,000 orders (the year) from a fake in another process (the fake's own
  million orders must not count); the difference of the peaks, once walking
  the windows sequentially and once with ``concurrency=8`` (up to eight
  windows in flight, each with its pages queued ahead and its ids held).
  The fake answers with the API's page size of 30 (33,000+ requests for 1M).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from datetime import date

from _common import HERE, ROOT, Clock, fake_process, year_range
from _registry import Context, Figure, benchmark

import iletimerkezi_async as im
from iletimerkezi_async.resources._reports_list import split

LATENCY = 0.02
WINDOWS_TARGET = 0.2
RSS_TARGET_MB = 10.0
CONCURRENCIES = (1, 8)
"""``reports.memory`` at the default and at the windows benchmark's concurrency."""
PAGE_SIZE = 30
"""The API's get-reports page size (reference §14); the fake's default."""


async def _walk(url: str, start: date, end: date, concurrency: int) -> tuple[int, float]:
    async with im.Client("test-key", "test-hash", base_url=url) as client:
        await client.account.balance()  # one connection up, like a running app
        gc.collect()
        with Clock() as clock:
            count = 0
            async with client.reports.list(start, end, concurrency=concurrency) as orders:
                async for _ in orders:
                    count += 1
    return count, clock.wall


@benchmark("reports.windows")
async def windows(ctx: Context) -> list[Figure]:
    """reports.list over 365 days at 20 ms latency: concurrency=8 / sequential wall time."""
    days = 365
    per_day = ctx.scaled(10, 2)
    rounds = ctx.scaled(2, 1)
    start, end = year_range(days)
    seeded = days * per_day
    walls: dict[int, list[float]] = {1: [], 8: []}
    async with fake_process(latency=LATENCY, orders=seeded, start=start, end=end) as fake:
        for r in range(rounds):
            for concurrency in (1, 8) if r % 2 == 0 else (8, 1):
                count, wall = await _walk(fake.url, start, end, concurrency)
                if count != seeded:
                    raise AssertionError(f"concurrency {concurrency}: {count} of {seeded} orders")
                walls[concurrency].append(wall)
    sequential, concurrent = min(walls[1]), min(walls[8])
    ratio = concurrent / sequential
    spans = [(last - first).days + 1 for first, last in split(start, end)]
    # Each window: its pages of 30, then the empty page that ends it.
    requests = sum(-(-span * per_day // PAGE_SIZE) + 1 for span in spans)
    return [
        Figure(
            "365 days, 20 ms latency: concurrency=8 / sequential",
            ratio,
            "×",
            target=f"≤ {WINDOWS_TARGET}",
            ok=ratio <= WINDOWS_TARGET,
            peer="the same walk, sequential",
            details={
                "sequential s": sequential,
                "concurrent s": concurrent,
                "windows": len(spans),
                "orders": seeded,
                "requests": requests,
            },
        )
    ]


async def _stream_peak(url: str, start: date, end: date, concurrency: int) -> dict[str, float]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "_stream.py"),
        url,
        start.isoformat(),
        end.isoformat(),
        "--concurrency",
        str(concurrency),
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"_stream.py exited with status {proc.returncode}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


@benchmark("reports.memory")
async def memory(ctx: Context) -> list[Figure]:
    """Peak RSS streaming 1,000,000 vs 100,000 orders, sequential and 8 windows at once."""
    small, large = ctx.scaled(100_000, 10_000), ctx.scaled(1_000_000, 100_000)
    start, end = year_range(365)
    runs: dict[tuple[int, int], dict[str, float]] = {}
    for size in (small, large):
        async with fake_process(orders=size, start=start, end=end, page_size=PAGE_SIZE) as fake:
            for concurrency in CONCURRENCIES:
                result = await _stream_peak(fake.url, start, end, concurrency)
                if result["orders"] != size:
                    raise AssertionError(
                        f"concurrency {concurrency}: streamed {result['orders']} of {size} orders"
                    )
                runs[size, concurrency] = result
    mb = 1024 / 1e6
    figures = []
    for concurrency in CONCURRENCIES:
        low, high = runs[small, concurrency], runs[large, concurrency]
        difference = (high["peak_kib"] - low["peak_kib"]) * mb
        figures.append(
            Figure(
                f"peak RSS streaming {large:,} − {small:,} orders, concurrency={concurrency}",
                difference,
                "MB",
                target=f"≤ {RSS_TARGET_MB:g} MB",
                ok=difference <= RSS_TARGET_MB,
                peer=f"the same walk of {small:,} orders",
                details={
                    f"peak {small:,}": f"{low['peak_kib'] * mb:.1f} MB",
                    f"peak {large:,}": f"{high['peak_kib'] * mb:.1f} MB",
                    "after imports": f"{high['baseline_kib'] * mb:.1f} MB",
                    f"{large:,} in s": high["seconds"],
                    "orders/s": high["orders"] / high["seconds"],
                    "page size": PAGE_SIZE,
                },
            )
        )
    return figures
