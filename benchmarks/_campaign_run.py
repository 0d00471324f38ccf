"""Run one campaign against a fake and report this process's peak RSS.

    python benchmarks/_campaign_run.py URL LEDGER RECIPIENTS [--chunk-size N]

Sends a generated source of ``RECIPIENTS`` distinct numbers (a generator: the
source itself takes no memory) as the campaign ``bench`` on a fresh
``SqliteLedger`` at ``LEDGER``, then prints one JSON line: recipients sent,
chunks, seconds, the ledger's size on disk, and the peak RSS in KiB after
the imports, the client's first request and the ledger's opening (the
baseline) and at the end.  Run in a fresh process per measurement; the fake
lives in another process (its orders and request log must not count).  The
peak is ``VmHWM`` (see ``_stream.py`` for why not ``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _stream import peak_kib, rusage_kib

import iletimerkezi_async as im
from iletimerkezi_async.campaigns import Campaign, SqliteLedger

TEXT = "Bahar kampanyası: tüm ürünlerde %20 indirim"


def numbers(count: int) -> Iterator[str]:
    """``count`` distinct Turkish mobiles, in a scattered order (7919 is prime to 10**8)."""
    for j in range(count):
        yield f"+9053{(j * 7919) % 10**8:08d}"


async def run(url: str, ledger_path: Path, recipients: int, chunk_size: int) -> dict[str, float]:
    ledger = SqliteLedger(ledger_path)
    try:
        async with im.Client(
            "test-key", "test-hash", base_url=url, send_limiter=None, default_sender="APITEST"
        ) as client:
            await client.account.balance()  # session and connection up before the baseline
            campaign = Campaign(client, "bench", ledger=ledger)
            await campaign.status()  # the ledger's thread, file and schema
            baseline = peak_kib()
            started = time.perf_counter()
            chunks = 0
            async for _ in campaign.run(numbers(recipients), TEXT, chunk_size=chunk_size):
                chunks += 1
            seconds = time.perf_counter() - started
            status = await campaign.status()
    finally:
        await ledger.close()
    size = sum(p.stat().st_size for p in ledger_path.parent.glob(f"{ledger_path.name}*"))
    return {
        "recipients": status.recipients_sent,
        "chunks": chunks,
        "seconds": seconds,
        "ledger_bytes": size,
        "baseline_kib": baseline,
        "peak_kib": peak_kib(),
        "ru_maxrss_kib": rusage_kib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("ledger", type=Path)
    parser.add_argument("recipients", type=int)
    parser.add_argument("--chunk-size", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.ledger, args.recipients, args.chunk_size))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
