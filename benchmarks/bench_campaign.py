"""What a durable campaign holds in memory: flat in the number of recipients.

``campaign.memory``: peak RSS growth of a fresh process (``_campaign_run.py``)
running a 1,000,000-recipient ``Campaign`` on a ``SqliteLedger``, chunks of
2,000, against a fake in another process (its orders and request log must not
count): the peak once done minus the peak once the client, its connection and
the ledger were up.  The source is a generator, so what grows is the
campaign's own state (chunks, digests, the ledger's cache), not the list.  A
100,000-recipient run beside it gives the cost per recipient, and one with
the default chunk size (50,000) shows that the growth follows the chunk, not
the campaign.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from _common import HERE, ROOT, fake_process
from _registry import Context, Figure, benchmark

TARGET_MB = 50.0
CHUNK = 2000
DEFAULT_CHUNK = 50_000
MB = 1024 / 1e6
"""KiB to MB."""


async def _campaign(recipients: int, chunk_size: int) -> dict[str, float]:
    """One run in a fresh process, against a fresh fake, on a fresh ledger."""
    with tempfile.TemporaryDirectory() as tmp:
        async with fake_process() as fake:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(HERE / "_campaign_run.py"),
                fake.url,
                str(Path(tmp) / "campaign.db"),
                str(recipients),
                "--chunk-size",
                str(chunk_size),
                stdout=asyncio.subprocess.PIPE,
                cwd=str(ROOT),
            )
            out, _ = await proc.communicate()
            server_cpu = fake.cpu_seconds()
    if proc.returncode != 0:
        raise RuntimeError(f"_campaign_run.py exited with status {proc.returncode}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    if result["recipients"] != recipients:
        raise AssertionError(f"sent {result['recipients']} of {recipients} recipients")
    result["growth_kib"] = result["peak_kib"] - result["baseline_kib"]
    result["server_cpu"] = server_cpu
    return result


@benchmark("campaign.memory")
async def memory(ctx: Context) -> list[Figure]:
    """Peak RSS growth of a 1,000,000-recipient campaign (chunks of 2,000, fake elsewhere)."""
    large, small = ctx.scaled(1_000_000, 100_000), ctx.scaled(100_000, 10_000)
    big = await _campaign(large, CHUNK)
    little = await _campaign(small, CHUNK)
    default = await _campaign(large, DEFAULT_CHUNK)
    growth = big["growth_kib"] * MB
    per_recipient = (big["growth_kib"] - little["growth_kib"]) * 1024 / (large - small)
    return [
        Figure(
            f"peak RSS growth, {large:,}-recipient campaign (chunks of {CHUNK:,})",
            growth,
            "MB",
            target=f"≤ {TARGET_MB:g} MB",
            ok=growth <= TARGET_MB,
            peer="the process before the campaign",
            details={
                f"growth at {small:,}": f"{little['growth_kib'] * MB:.1f} MB",
                "bytes/recipient beyond": per_recipient,
                "after start-up": f"{big['baseline_kib'] * MB:.1f} MB",
                "peak": f"{big['peak_kib'] * MB:.1f} MB",
                f"{large:,} in s": big["seconds"],
                "recipients/s": large / big["seconds"],
                "ledger on disk": f"{big['ledger_bytes'] / 1e6:.1f} MB",
                "server CPU s": big["server_cpu"],
            },
        ),
        Figure(
            f"peak RSS growth, {large:,}-recipient campaign (chunks of {DEFAULT_CHUNK:,})",
            default["growth_kib"] * MB,
            "MB",
            details={
                f"{large:,} in s": default["seconds"],
                "recipients/s": large / default["seconds"],
            },
        ),
    ]
