"""Helpers the benchmarks share: the fake server and clients in subprocesses, clocks, ratios.

Why a separate process for the fake: in the benchmark's own process the fake's
request handling (aiohttp's server side, the account logic, JSON encoding)
would run on the same event loop and core as the client and be added to both
sides of every ratio, pulling it towards 1 and hiding what the SDK costs.  In
its own process it runs on another core, the client's process time is the
client alone, and the server's CPU use can be read to show whether it was the
bottleneck (``server busy``).  The client benchmarks go one step further and
run every client in a process of its own too (:func:`client_process`), so each
is timed in a fresh interpreter with only its own imports on the heap.
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


def paired_median(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of the per-round ratios ``numerators[i] / denominators[i]``.

    Both sides of a round run back to back, so load that changes between rounds
    (other processes on the machine) hits both and cancels in the ratio; the
    median then drops the rounds where it changed mid-round.
    """
    if len(numerators) != len(denominators):
        raise ValueError("paired samples must have the same length")
    return median([a / b for a, b in zip(numerators, denominators, strict=True)])


def spread(numerators: Sequence[float], denominators: Sequence[float]) -> str:
    """The per-round ratios' quartiles, ``"p25–p75"``: how far one round can be off."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    if len(ratios) < 2:
        return "-"
    low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
    return f"{low:.3f}–{high:.3f}"


def alternate(sides: Sequence[str], round_: int) -> list[str]:
    """The order the sides run in round ``round_``: as given, then reversed (ABBA).

    Whichever runs first (or after a particular other) in one round runs last
    in the next, so a side's position cannot favour it on average.
    """
    return list(sides) if round_ % 2 == 0 else list(reversed(sides))


@dataclass
class Sample:
    """One run of ``calls`` calls in a client process: its wall and CPU, the server's CPU."""

    calls: int
    wall: float
    cpu: float
    server_cpu: float

    @property
    def cpu_per_call(self) -> float:
        return self.cpu / self.calls


class ClientProcess:
    """A ``_client_proc.py --serve`` child: one side, set up once, runs on request."""

    def __init__(self, proc: asyncio.subprocess.Process, side: str, ready: dict[str, object]):
        self._proc = proc
        self.side = side
        self.ready = ready

    async def run(self, calls: int, server: FakeProcess | None = None) -> Sample:
        """``calls`` calls, timed in the child; the server's CPU read around them here."""
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        server0 = server.cpu_seconds() if server else float("nan")
        self._proc.stdin.write(f"{calls}\n".encode())
        await self._proc.stdin.drain()
        line = await self._proc.stdout.readline()
        server_cpu = server.cpu_seconds() - server0 if server else float("nan")
        if not line:
            raise RuntimeError(
                f"the {self.side} client exited with status {await self._proc.wait()}"
            )
        answer = json.loads(line)
        return Sample(calls, answer["wall"], answer["cpu"], server_cpu)


@contextlib.asynccontextmanager
async def client_process(
    side: str, url: str, concurrency: int, *, warm: int = 0
) -> AsyncIterator[ClientProcess]:
    """Start a ``_client_proc.py`` child for ``side``; stop it (closing its stdin) on exit."""
    args = ["--side", side, "--url", url, "--concurrency", str(concurrency), "--serve"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "_client_proc.py"),
        *args,
        "--warm",
        str(warm),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError(f"the {side} client exited with status {await proc.wait()}")
        yield ClientProcess(proc, side, json.loads(line))
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()  # this child only, by its handle
            await proc.wait()
