"""Per-call client CPU of ``account.balance()``: the SDK, lean raw aiohttp, the official SDK.

    python benchmarks/_percall.py --side sdk|raw|official --calls N --concurrency C [--url URL]
    python benchmarks/_percall.py --callgrind --side sdk --calls N --concurrency C
    python benchmarks/_percall.py --callgrind --side both --calls N --concurrency C [--rounds R]
    python benchmarks/_percall.py --compare --calls N --concurrency C [--rounds R]
    python benchmarks/_percall.py --diff SDK_KEEP RAW_KEEP --calls N [--top K]

Not a benchmark module (``run.py`` does not collect it): a helper that
benchmarks and people call.  Why each piece:

* The fake runs in another process (``_common.fake_process``), so the
  client's process time and instruction count are the client alone.
* The client process makes ``--warmup`` calls (default N: connections open,
  caches and lazily generated code hot), then N measured calls at concurrency
  C, and prints one JSON line: process-CPU and wall time of the measured calls.
* ``--callgrind`` runs that client process twice under valgrind: once with
  the warm-up only and once with the warm-up and N calls.  The difference of
  the two "Collected" totals divided by N is the instructions of one warm
  call: start-up, imports and warm-up cancel.  ``PYTHONHASHSEED`` is fixed so
  both runs lay out their dicts alike.
* ``--diff`` reads the files two ``--callgrind --keep`` runs left and prints,
  per C function, the instructions one SDK call spends there minus one raw
  call's (``callgrind_annotate`` self cost, full minus base over N).  Python
  3.11 frames are all ``_PyEval_EvalFrameDefault`` to callgrind, so this shows
  where in the interpreter and its C libraries the difference goes (dicts,
  allocation, JSON, decimal), not which Python function.
* ``--compare`` measures SDK and raw back to back, alternating which goes
  first, and reports the median of the per-round CPU ratios (the machine is
  shared: load that changes between rounds cancels in a paired ratio).

The sides:

* ``sdk``: ``Client(...).account.balance()``, default retry, no limiter.
* ``raw``: the lean aiohttp client a careful engineer would write: one
  ``ClientSession`` with the headers as its defaults, the URL and the
  constant body encoded once,
  ``session.post``, ``await resp.read()``, ``json.loads``, the body's
  ``status.code`` checked.  The SDK's floor.
* ``official``: the request pattern of the official ``iletimerkezi`` Python
  SDK (github.com/iletimerkezi/iletimerkezi-python, ``http/urllib_client.py``):
  synchronous ``urllib.request.urlopen`` of a fresh ``Request``, a new
  connection per call, ``json.dumps`` of a payload dict built per call,
  ``json.loads`` of the decoded body, the balance read from the dict.  Only
  the standard library; concurrency C means C threads.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

KEY: Final = "test-key"
HASH: Final = "test-hash"
PATH: Final = "/v1/get-balance/json"
SIDES: Final = ("sdk", "raw", "official")

# What the raw side sends: the SDK's own headers and body bytes, so both sides
# put the same request on the wire.
_RAW_BODY: Final = {"request": {"authentication": {"key": KEY, "hash": HASH}}}
_dumps: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


async def _workers(call: Callable[[], Awaitable[object]], total: int, concurrency: int) -> None:
    """``total`` calls spread over ``concurrency`` tasks, each awaiting its calls in turn."""
    per_worker, extra = divmod(total, concurrency)

    async def worker(n: int) -> None:
        for _ in range(n):
            await call()

    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))


async def _run_sdk(url: str, warmup: int, calls: int, concurrency: int) -> tuple[float, float]:
    import iletimerkezi_async as im

    async with im.Client(KEY, HASH, base_url=url, send_limiter=None) as client:
        balance = client.account.balance

        async def call() -> object:
            return await balance()

        return await _timed(call, warmup, calls, concurrency)


async def _run_raw(url: str, warmup: int, calls: int, concurrency: int) -> tuple[float, float]:
    import aiohttp

    from iletimerkezi_async._transport import USER_AGENT

    endpoint = url.rstrip("/") + PATH
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    body = _dumps(_RAW_BODY).encode()  # constant, as the SDK's (see _client_proc._raw)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def call() -> object:
            async with session.post(endpoint, data=body) as r:
                answer = json.loads(await r.read())
            if answer["response"]["status"]["code"] != 200:
                raise RuntimeError("the fake refused get-balance")
            return answer["response"]["balance"]

        return await _timed(call, warmup, calls, concurrency)


async def _timed(
    call: Callable[[], Awaitable[object]], warmup: int, calls: int, concurrency: int
) -> tuple[float, float]:
    """Warm up, then (process CPU seconds, wall seconds) of ``calls`` calls."""
    if warmup:
        await _workers(call, warmup, concurrency)
    cpu, wall = time.process_time(), time.perf_counter()
    if calls:
        await _workers(call, calls, concurrency)
    return time.process_time() - cpu, time.perf_counter() - wall


def _official_call(endpoint: str, key: str, hash_: str) -> object:
    """One balance call the way the official SDK makes it (a new connection each time)."""
    payload = {"request": {"authentication": {"key": key, "hash": hash_}}}
    data = json.dumps(payload)
    request = urllib.request.Request(
        endpoint,
        data=data.encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        status = response.status
        body = json.loads(response.read().decode("utf-8"))
    answer = body.get("response", {})
    if answer.get("status", {}).get("code") != 200:
        raise RuntimeError(f"the fake refused get-balance (HTTP {status})")
    balance = answer.get("balance", {})
    return balance.get("amount", "0"), balance.get("sms", "0")


def _run_official(url: str, warmup: int, calls: int, concurrency: int) -> tuple[float, float]:
    endpoint = url.rstrip("/") + PATH

    def batch(n: int) -> None:
        if concurrency == 1:
            for _ in range(n):
                _official_call(endpoint, KEY, HASH)
            return
        with ThreadPoolExecutor(concurrency) as pool:
            for _ in pool.map(lambda _: _official_call(endpoint, KEY, HASH), range(n)):
                pass

    batch(warmup)
    cpu, wall = time.process_time(), time.perf_counter()
    batch(calls)
    return time.process_time() - cpu, time.perf_counter() - wall


def run_client(side: str, url: str, warmup: int, calls: int, concurrency: int) -> dict[str, Any]:
    """In this process: the measured calls' CPU and wall time, per call in µs too."""
    if side == "official":
        cpu, wall = _run_official(url, warmup, calls, concurrency)
    else:
        run = _run_sdk if side == "sdk" else _run_raw
        cpu, wall = asyncio.run(run(url, warmup, calls, concurrency))
    per = 1e6 / calls if calls else float("nan")
    return {
        "side": side,
        "calls": calls,
        "warmup": warmup,
        "concurrency": concurrency,
        "cpu_s": cpu,
        "wall_s": wall,
        "cpu_us_per_call": cpu * per,
        "wall_us_per_call": wall * per,
    }


# --------------------------------------------------------------------------- other processes


def _client_args(side: str, url: str, warmup: int, calls: int, concurrency: int) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--side",
        side,
        "--url",
        url,
        "--warmup",
        str(warmup),
        "--calls",
        str(calls),
        "--concurrency",
        str(concurrency),
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def client_process(
    side: str, url: str, warmup: int, calls: int, concurrency: int
) -> dict[str, Any]:
    """:func:`run_client` in a fresh interpreter (nothing of the other side loaded)."""
    out = subprocess.run(
        _client_args(side, url, warmup, calls, concurrency),
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


_COLLECTED: Final = re.compile(r"Collected\s*:\s*([0-9]+)")


def _callgrind_total(args: list[str], out_file: str) -> int:
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=_env())
    found = _COLLECTED.findall(done.stderr)
    if not found:
        raise RuntimeError(f"no 'Collected' total in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found[-1])


def instructions_per_call(
    side: str, url: str, calls: int, concurrency: int, *, keep: str | None = None
) -> dict[str, Any]:
    """(callgrind total of N warm-up + N calls − total of the N warm-up alone) / N.

    ``keep``: a path prefix to keep both callgrind files (``PREFIX.base``,
    ``PREFIX.full``) for ``callgrind_annotate``; else they go to /dev/null.
    """
    base = _callgrind_total(
        _client_args(side, url, calls, 0, concurrency), f"{keep}.base" if keep else "/dev/null"
    )
    full = _callgrind_total(
        _client_args(side, url, calls, calls, concurrency), f"{keep}.full" if keep else "/dev/null"
    )
    return {
        "side": side,
        "calls": calls,
        "concurrency": concurrency,
        "instructions_base": base,
        "instructions_full": full,
        "instructions_per_call": (full - base) / calls,
    }


def paired_instructions(url: str, calls: int, concurrency: int, rounds: int) -> dict[str, Any]:
    """SDK and raw instructions per call, ``rounds`` pairs, order alternating; medians.

    Deterministic but for the event loop: how many loop turns a call takes
    depends on when the server's answer lands, which load on the machine
    shifts between runs by a percent or two, so a figure is the median of
    rounds and the ratio the median of the rounds' own ratios.
    """
    pairs: list[tuple[float, float]] = []
    for r in range(rounds):
        order = ("sdk", "raw") if r % 2 == 0 else ("raw", "sdk")
        got = {s: instructions_per_call(s, url, calls, concurrency) for s in order}
        pairs.append((got["sdk"]["instructions_per_call"], got["raw"]["instructions_per_call"]))
    return {
        "calls": calls,
        "concurrency": concurrency,
        "rounds": rounds,
        "sdk_instructions_per_call": statistics.median(s for s, _ in pairs),
        "raw_instructions_per_call": statistics.median(r for _, r in pairs),
        "instructions_ratio": statistics.median(s / r for s, r in pairs),
        "pairs": pairs,
    }


def paired_cpu(
    url: str, calls: int, concurrency: int, rounds: int, warmup: int | None = None
) -> dict[str, Any]:
    """SDK and raw CPU µs/call, ``rounds`` pairs in fresh processes, order alternating."""
    warm = calls if warmup is None else warmup
    pairs: list[tuple[float, float]] = []
    for r in range(rounds):
        order = ("sdk", "raw") if r % 2 == 0 else ("raw", "sdk")
        got = {s: client_process(s, url, warm, calls, concurrency) for s in order}
        pairs.append((got["sdk"]["cpu_us_per_call"], got["raw"]["cpu_us_per_call"]))
    return {
        "calls": calls,
        "concurrency": concurrency,
        "rounds": rounds,
        "sdk_cpu_us_per_call": statistics.median(s for s, _ in pairs),
        "raw_cpu_us_per_call": statistics.median(r for _, r in pairs),
        "cpu_ratio": statistics.median(s / r for s, r in pairs),
    }


_ANNOTATED: Final = re.compile(r"^\s*([0-9,]+) \([^)]*\)\s+(\S.*?)(?: \[[^\]]*\])?$")


def _self_costs(path: str) -> dict[str, int]:
    """``callgrind_annotate`` self cost per function, recursion levels folded."""
    out = subprocess.run(
        ["callgrind_annotate", "--threshold=100", "--inclusive=no", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    costs: dict[str, int] = {}
    for line in out.splitlines():
        found = _ANNOTATED.match(line)
        if found is None or "PROGRAM TOTALS" in line:
            continue
        where = re.sub(r"'[0-9]+$", "", found.group(2))
        name = where.rsplit("/", 1)[-1]
        costs[name] = costs.get(name, 0) + int(found.group(1).replace(",", ""))
    return costs


def per_call_costs(keep: str, calls: int) -> dict[str, float]:
    """Instructions per call by function: (``KEEP.full`` − ``KEEP.base``) / N."""
    full, base = _self_costs(f"{keep}.full"), _self_costs(f"{keep}.base")
    return {k: (full.get(k, 0) - base.get(k, 0)) / calls for k in full.keys() | base.keys()}


def cost_diff(sdk_keep: str, raw_keep: str, calls: int, top: int) -> list[tuple[str, float]]:
    """The ``top`` functions by |SDK − raw| instructions per call, largest first."""
    sdk, raw = per_call_costs(sdk_keep, calls), per_call_costs(raw_keep, calls)
    diff = {k: sdk.get(k, 0.0) - raw.get(k, 0.0) for k in sdk.keys() | raw.keys()}
    return sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]


async def _with_fake(job: Callable[[str], Any]) -> Any:
    from _common import fake_process

    async with fake_process() as fake:
        return await asyncio.to_thread(job, fake.url)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--side", choices=(*SIDES, "both"), default="sdk", help="both: paired SDK and raw"
    )
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=None, help="default: --calls")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--url", default=None, help="a running fake; default: start one")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--callgrind", action="store_true", help="instructions per call")
    mode.add_argument("--compare", action="store_true", help="paired SDK/raw CPU ratio")
    parser.add_argument("--rounds", type=int, default=None, help="pairs (--compare: 6, both: 3)")
    parser.add_argument("--keep", default=None, help="--callgrind: keep files as KEEP.base/.full")
    mode.add_argument("--diff", nargs=2, metavar=("SDK_KEEP", "RAW_KEEP"), help="per function")
    parser.add_argument("--top", type=int, default=30, help="--diff: how many functions")
    args = parser.parse_args()
    if args.concurrency < 1 or args.calls < 0:
        parser.error("--concurrency must be ≥ 1 and --calls ≥ 0")
    if args.callgrind and args.calls < 1:
        parser.error("--callgrind needs --calls ≥ 1")
    if args.side == "both" and not args.callgrind:
        parser.error("--side both is for --callgrind (--compare pairs SDK and raw already)")
    return args


def main() -> None:
    args = _parse()
    warmup = args.calls if args.warmup is None else args.warmup
    if args.diff:
        for name, cost in cost_diff(*args.diff, args.calls, args.top):
            print(f"{cost:+10.0f}  {name}")
        return

    def job(url: str) -> Any:
        if args.callgrind and args.side == "both":
            return paired_instructions(url, args.calls, args.concurrency, args.rounds or 3)
        if args.callgrind:
            return instructions_per_call(
                args.side, url, args.calls, args.concurrency, keep=args.keep
            )
        if args.compare:
            return paired_cpu(url, args.calls, args.concurrency, args.rounds or 6, warmup)
        return run_client(args.side, url, warmup, args.calls, args.concurrency)

    result = job(args.url) if args.url is not None else asyncio.run(_with_fake(job))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
