"""One HTTP client in its own process, making get-balance calls for a benchmark.

    python benchmarks/_client_proc.py --side SIDE --url BASE_URL --concurrency C --calls N
    python benchmarks/_client_proc.py --side SIDE --url BASE_URL --concurrency C --serve

``SIDE`` is ``sdk`` (``client.account.balance()``), ``raw`` (lean aiohttp, as a
good engineer writes it without the SDK), ``httpx`` (``httpx.AsyncClient``),
``urllib`` (``urllib.request``, a new connection per call) or ``requests``
(``requests.post(url, json=...)`` without a Session: the official synchronous
SDK's pattern).  The async sides run ``C`` tasks on one loop, the synchronous
ones ``C`` threads; either way the calls are shared out evenly.

Why a process per side: each is measured alone, in a fresh interpreter that
imports only what that side needs (the raw side never imports the SDK), and
``time.process_time`` is that client's CPU and nothing else's.

``--calls N`` makes N calls and prints one JSON line ``{"wall": s, "cpu": s}``
(what ``_callgrind.py`` runs under valgrind).  ``--serve`` sets up, makes
``--warm`` calls (connections open, caches hot), prints ``{"ready": ...}``, then
for every line ``N`` read from standard input makes N calls and prints their
``{"wall": s, "cpu": s}``, until standard input closes.  Everything that is not
the calls themselves (reading the command, ``gc.collect()``) is outside the
clocks.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import sys
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.util import find_spec
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KEY = "test-key"
HASH = "test-hash"
PATH = "/v1/get-balance/json"
SIDES = ("sdk", "raw", "httpx", "urllib", "requests")
ASYNC_SIDES = frozenset({"sdk", "raw", "httpx"})

# Built once, as a careful engineer would: json.dumps with any non-default option
# builds a new JSONEncoder on every call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _headers(client: str, version: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": f"{client}/{version} python/{platform.python_version()}",
    }


def _body() -> dict[str, Any]:
    return {"request": {"authentication": {"key": KEY, "hash": HASH}}}


def _check(answer: Any) -> None:
    # Not assert: it would vanish under python -O and the side would do less work.
    if answer["response"]["status"]["code"] != 200:
        raise RuntimeError(f"unexpected answer {answer!r}")


Call = Callable[[], Awaitable[None]]


async def _sdk(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import iletimerkezi_async as im

    client = im.Client(KEY, HASH, base_url=base_url, send_limiter=None)
    await client.__aenter__()
    account = client.account

    async def call() -> None:
        await account.balance()  # checks the answer's code itself, and raises

    async def close() -> None:
        await client.__aexit__(None, None, None)

    return call, close


async def _raw(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import aiohttp

    # As lean as the SDK itself: headers as the session's defaults (per-request
    # headers are merged in Python on every call) and get-balance's constant
    # body encoded once (the SDK encodes the credentials once per client).
    session = aiohttp.ClientSession(headers=_headers("raw", aiohttp.__version__))
    url = base_url + PATH
    data = _encode(_body()).encode()

    async def call() -> None:
        async with session.post(url, data=data) as resp:
            answer = json.loads(await resp.read())
        _check(answer)

    return call, session.close


async def _httpx(base_url: str, concurrency: int) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import httpx

    # Its defaults, as most code has them.  Keeping all 50 connections alive
    # (max_keepalive_connections=None) was measured slower at concurrency 50, not
    # faster: its pool re-checks every connection per request (encode/httpx#3215).
    client = httpx.AsyncClient()
    url = base_url + PATH
    headers = _headers("httpx", httpx.__version__)

    async def call() -> None:
        resp = await client.post(url, content=_encode(_body()).encode(), headers=headers)
        _check(json.loads(resp.content))

    return call, client.aclose


def _urllib(base_url: str) -> Callable[[], None]:
    url = base_url + PATH
    headers = _headers("urllib", platform.python_version())

    def call() -> None:
        request = urllib.request.Request(
            url, data=_encode(_body()).encode(), headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            _check(json.loads(resp.read()))

    return call


def _requests(base_url: str) -> Callable[[], None]:
    import requests

    url = base_url + PATH

    def call() -> None:
        resp = requests.post(url, json=_body(), timeout=30)
        _check(resp.json())

    return call


def shares(total: int, concurrency: int) -> list[int]:
    """``total`` calls shared out over ``concurrency`` workers, the first ones one more."""
    per_worker, extra = divmod(total, concurrency)
    return [per_worker + (i < extra) for i in range(concurrency) if per_worker + (i < extra)]


class Runner:
    """A side set up once; :meth:`run` makes calls and returns (wall s, CPU s)."""

    def __init__(self, side: str, base_url: str, concurrency: int) -> None:
        self.side = side
        self.concurrency = concurrency
        self._loop: asyncio.Runner | None = None
        self._pool: ThreadPoolExecutor | None = None
        if side in ASYNC_SIDES:
            self._loop = asyncio.Runner()
            setup = {"sdk": _sdk, "raw": _raw, "httpx": _httpx}[side]
            self._acall, self._aclose = self._loop.run(setup(base_url, concurrency))
        else:
            self._call = (_urllib if side == "urllib" else _requests)(base_url)
            # Threads made once, as an application's pool would be, not per run.
            self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix=side)
            list(self._pool.map(lambda _: None, range(concurrency)))

    async def _gather(self, total: int) -> None:
        call = self._acall

        async def worker(n: int) -> None:
            for _ in range(n):
                await call()

        await asyncio.gather(*(worker(n) for n in shares(total, self.concurrency)))

    def _threads(self, total: int) -> None:
        call = self._call

        def worker(n: int) -> None:
            for _ in range(n):
                call()

        assert self._pool is not None
        for future in [self._pool.submit(worker, n) for n in shares(total, self.concurrency)]:
            future.result()

    def run(self, total: int) -> tuple[float, float]:
        gc.collect()
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        if self._loop is not None:
            self._loop.run(self._gather(total))
        else:
            self._threads(total)
        wall = time.perf_counter() - wall0
        return wall, time.process_time() - cpu0

    def close(self) -> None:
        if self._loop is not None:
            aclose = self._aclose

            async def close() -> None:
                await aclose()

            self._loop.run(close())
            self._loop.close()
        if self._pool is not None:
            self._pool.shutdown()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=SIDES, required=True)
    parser.add_argument("--url", required=True, help="the fake's base URL")
    parser.add_argument("--concurrency", type=int, default=1)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--calls", type=int)
    mode.add_argument("--serve", action="store_true")
    parser.add_argument("--warm", type=int, default=0, help="calls before the first run")
    args = parser.parse_args(argv)
    runner = Runner(args.side, args.url.rstrip("/"), args.concurrency)
    try:
        if args.warm:
            runner.run(args.warm)
        if not args.serve:
            wall, cpu = runner.run(args.calls)
            _emit({"wall": wall, "cpu": cpu})
            return
        _emit(
            {
                "ready": True,
                "threads": threading.active_count(),
                "otel installed": find_spec("opentelemetry") is not None,
            }
        )
        for line in sys.stdin:
            wall, cpu = runner.run(int(line))
            _emit({"wall": wall, "cpu": cpu})
    finally:
        runner.close()


if __name__ == "__main__":
    main()
