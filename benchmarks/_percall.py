"""Where a per-call difference goes: instructions per C function, SDK minus raw aiohttp.

    python benchmarks/_percall.py [--calls N] [--concurrency C] [--top K] [--side PEER]

A diagnostic beside ``client.overhead``, not a benchmark (``run.py`` does not
collect it).  It counts, under callgrind, the same ``_client_proc.py`` sides
the benchmark measures (``sdk`` and, by default, ``raw``: lean aiohttp) in runs
of N and 2N calls (``_callgrind.py``: start-up and imports cancel), prints
each side's instructions per call and their ratio, then the ``--top``
functions by how many instructions one SDK call spends there more (or less)
than one peer call (``callgrind_annotate`` self cost, (2N run − N run) / N).
Python 3.11 frames all show as ``_PyEval_EvalFrameDefault``, so this says
where in the interpreter and its C libraries the difference goes (dicts,
allocation, JSON, decimal), not which Python function.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Final

import _callgrind
from _client_proc import SIDES
from _common import fake_process

_ANNOTATED: Final = re.compile(r"^\s*([0-9,]+) \([^)]*\)\s+(\S.*?)(?: \[[^\]]*\])?$")


def self_costs(path: Path) -> dict[str, int]:
    """``callgrind_annotate`` self cost per function, recursion levels folded."""
    out = subprocess.run(
        ["callgrind_annotate", "--threshold=100", "--inclusive=no", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    costs: dict[str, int] = {}
    for line in out.splitlines():
        found = _ANNOTATED.match(line)
        if found is None or "PROGRAM TOTALS" in line:
            continue
        name = re.sub(r"'[0-9]+$", "", found.group(2)).rsplit("/", 1)[-1]
        costs[name] = costs.get(name, 0) + int(found.group(1).replace(",", ""))
    return costs


def per_call(base: dict[str, int], full: dict[str, int], calls: int) -> dict[str, float]:
    """Instructions per call by function, from the runs of N (``base``) and 2N calls."""
    return {k: (full.get(k, 0) - base.get(k, 0)) / calls for k in full.keys() | base.keys()}


async def _side(side: str, url: str, concurrency: int, calls: int, tmp: Path) -> dict[str, float]:
    files = {k: tmp / f"{side}.{k}" for k in (1, 2)}
    totals = [
        await _callgrind.count(side, url, concurrency, k * calls, keep=files[k]) for k in (1, 2)
    ]
    costs = per_call(self_costs(files[1]), self_costs(files[2]), calls)
    costs["(total)"] = _callgrind.per_call(totals[0], totals[1], calls)
    return costs


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-percall-") as name:
        async with fake_process() as fake:
            sdk = await _side("sdk", fake.url, args.concurrency, args.calls, Path(name))
            peer = await _side(args.side, fake.url, args.concurrency, args.calls, Path(name))
    print(
        f"instructions/call  sdk {sdk['(total)']:,.0f}  {args.side} {peer['(total)']:,.0f}"
        f"  ratio {sdk['(total)'] / peer['(total)']:.3f}"
    )
    diff = {k: sdk.get(k, 0.0) - peer.get(k, 0.0) for k in sdk.keys() | peer.keys()}
    diff.pop("(total)")
    for func, cost in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[: args.top]:
        print(f"{cost:+10.0f}  {func}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--side", choices=[s for s in SIDES if s != "sdk"], default="raw")
    args = parser.parse_args()
    if args.calls < 1 or args.concurrency < 1:
        parser.error("--calls and --concurrency must be at least 1")
    if not _callgrind.available():
        parser.error("valgrind is not installed")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
