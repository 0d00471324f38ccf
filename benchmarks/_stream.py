"""Stream ``reports.list(start, end)`` from a fake and report this process's peak RSS.

    python benchmarks/_stream.py URL START END [--concurrency N]

Run in a fresh process per measurement so peaks never carry over; prints one
JSON line: orders seen, seconds, and the peak RSS in KiB after the imports and
at the end.

The peak is the kernel's high-water mark of this process's memory,
``VmHWM`` in ``/proc/self/status``.  ``getrusage(RUSAGE_SELF).ru_maxrss`` is
not used on Linux: ``execve`` carries the parent's peak over into it (the
benchmark runner's, tens of MB), which would hide everything below that.
Elsewhere ``ru_maxrss`` is the only measure (KiB on Linux, bytes on macOS).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import iletimerkezi_async as im

_SCALE = 1024 if sys.platform == "darwin" else 1


def peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // _SCALE


def rusage_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // _SCALE


async def stream(url: str, start: date, end: date, concurrency: int) -> dict[str, float]:
    count = 0
    async with im.Client("test-key", "test-hash", base_url=url) as client:
        await client.account.balance()  # session and connection up before the baseline
        baseline = peak_kib()
        started = time.perf_counter()
        async with client.reports.list(start, end, concurrency=concurrency) as orders:
            async for _ in orders:
                count += 1
        seconds = time.perf_counter() - started
    return {
        "orders": count,
        "seconds": seconds,
        "baseline_kib": baseline,
        "peak_kib": peak_kib(),
        "ru_maxrss_kib": rusage_kib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("start", type=date.fromisoformat)
    parser.add_argument("end", type=date.fromisoformat)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    result = asyncio.run(stream(args.url, args.start, args.end, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
