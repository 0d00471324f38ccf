"""Helpers the benchmarks share: the fake server in a subprocess, CPU clocks, ratios.

Why a separate process for the fake: in the benchmark's own process the fake's
request handling (aiohttp's server side, the account logic, JSON encoding)
would run on the same event loop and core as the client and be added to both
sides of every ratio, pulling it towards 1 and hiding what the SDK costs.  In
its own process it runs on another core, the client's process time is the
client alone, and the server's CPU use can be read to show whether it was the
bottleneck (``server busy``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ISTANBUL = ZoneInfo("Europe/Istanbul")

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class FakeProcess:
    """A running ``_fake_server.py``: its URL and process id."""

    url: str
    pid: int
    orders: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (NaN off Linux)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        # Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the ")".
        return (int(fields[11]) + int(fields[12])) / _TICK


@contextlib.asynccontextmanager
async def fake_process(
    *,
    latency: float = 0.0,
    orders: int = 0,
    start: date | None = None,
    end: date | None = None,
    page_size: int = 30,
    legacy_types: bool = False,
    startup_timeout: float = 600.0,
) -> AsyncIterator[FakeProcess]:
    """Start the fake server in a child process; stop it (by closing its stdin) on exit."""
    args = [str(HERE / "_fake_server.py"), "--latency", str(latency), "--page-size", str(page_size)]
    if orders:
        assert start is not None
        assert end is not None
        args += ["--orders", str(orders), "--start", start.isoformat(), "--end", end.isoformat()]
    if legacy_types:
        args.append("--legacy-types")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), startup_timeout)
        if not line:
            raise RuntimeError(f"the fake server exited with status {await proc.wait()}")
        info = json.loads(line)
        yield FakeProcess(url=info["url"], pid=info["pid"], orders=info["orders"])
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()  # this child only, by its handle
            await proc.wait()


def year_range(days: int = 365) -> tuple[date, date]:
    """``days`` whole days ending yesterday in Istanbul (reports.list refuses the future)."""
    end = datetime.now(ISTANBUL).date() - timedelta(days=1)
    return end - timedelta(days=days - 1), end


class Clock:
    """Wall and process-CPU time of a block, plus the fake server's CPU over the same span."""

    def __init__(self, server: FakeProcess | None = None) -> None:
        self.server = server
        self.wall = self.cpu = self.server_cpu = float("nan")

    def __enter__(self) -> Clock:
        self._server0 = self.server.cpu_seconds() if self.server else float("nan")
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0
        if self.server is not None:
            self.server_cpu = self.server.cpu_seconds() - self._server0


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
