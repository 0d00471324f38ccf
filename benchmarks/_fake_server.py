"""The fake server in its own process, for benchmarks that measure the client alone.

    python benchmarks/_fake_server.py [--latency S] [--orders N --start D --end D]
                                      [--page-size N] [--legacy-types]

Like ``python -m iletimerkezi_async.testing`` (send-sms rate limit off), plus
what the benchmarks need and that command has no flags for: injected latency
and a seeded year of historical orders.  The first line of standard output is
JSON ``{"url": ..., "orders": N, "pid": ...}``; the server stops when standard
input closes (so it never outlives the benchmark that started it) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iletimerkezi_async.testing import FakeIletiMerkezi


def spread(count: int, start: date, end: date) -> Iterator[datetime]:
    """``count`` distinct naive (Istanbul) timestamps evenly over ``start..end`` inclusive."""
    first = datetime.combine(start, datetime.min.time())
    seconds = ((end - start).days + 1) * 86_400
    step = seconds / count
    for i in range(count):
        yield first + timedelta(seconds=int(i * step))


async def serve(args: argparse.Namespace) -> None:
    fake = FakeIletiMerkezi(
        rate_limit=None,
        latency=args.latency,
        legacy_types=args.legacy_types,
        reports_page_size=args.page_size,
        sms_credits=10**9,
    )
    if args.orders:
        fake.add_orders(
            spread(args.orders, date.fromisoformat(args.start), date.fromisoformat(args.end))
        )
    async with fake:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()

        def watch_stdin() -> None:
            sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, daemon=True).start()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print(json.dumps({"url": fake.url, "orders": args.orders, "pid": os.getpid()}), flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--start", default=None)
    parser.add_argument("--end", default=None)
    parser.add_argument("--page-size", type=int, default=30)
    parser.add_argument("--legacy-types", action="store_true")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
