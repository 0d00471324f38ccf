"""Run the registered benchmarks, print a table and write ``benchmarks/results.json``.

    python benchmarks/run.py                    # everything (nox -s bench does this)
    python benchmarks/run.py --list
    python benchmarks/run.py limiter --quick    # names starting with "limiter", fewer iterations
    python benchmarks/run.py --redis-url redis://127.0.0.1:6379/15

Benchmarks that need Redis get ``--redis-url`` (or ``$BENCH_REDIS_URL``); without
one a throwaway ``redis-server`` is started on a free loopback port (see
``tests/_redis.py``), and without ``redis-server`` those benchmarks are skipped.
The exit status is 0 unless a benchmark crashed, or ``--strict`` and a figure
missed its target.  See ``_registry.py`` to add a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from _registry import REGISTRY, Benchmark, Context, Figure  # noqa: E402
from table import fmt as _fmt  # noqa: E402

RESULTS = HERE / "results.json"
"""A complete run's figures: what the README's Performance table is made from."""
PARTIAL = HERE / "results.partial.json"
"""Where a run of some benchmarks, or a ``--quick`` one, goes by default (not committed),
so that it never overwrites the complete run's figures."""
OPTIONAL_VERSIONS = ("cattrs", "attrs", "orjson", "httpx", "requests")


def discover() -> None:
    for path in sorted(HERE.glob("bench_*.py")):
        importlib.import_module(path.stem)


def _version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (None when it is not installed)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


async def _redis_server_version(url: str) -> str | None:
    try:
        from redis.asyncio import Redis
    except ImportError:
        return None
    client = Redis.from_url(url)
    try:
        info = await client.info("server")
        return str(info.get("redis_version"))
    except Exception:
        return None
    finally:
        await client.aclose()


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python_implementation": platform.python_implementation(),
    }


@contextlib.contextmanager
def redis_for(
    selected: list[Benchmark], url: str | None
) -> Iterator[tuple[str | None, str | None]]:
    """(url, why not) for the run: the given one, a throwaway server, or none."""
    if url or not any("redis" in b.needs for b in selected):
        yield url, None
        return
    from tests._redis import INSTALL_HINT, RedisServer

    if RedisServer.find() is None:
        yield None, INSTALL_HINT
        return
    with RedisServer() as server:
        yield server.url, None


async def run_one(bench: Benchmark, ctx: Context) -> tuple[list[Figure], str | None, float]:
    started = time.perf_counter()
    try:
        figures = list(await bench.func(ctx))
    except Exception:
        return [], traceback.format_exc(), time.perf_counter() - started
    for figure in figures:
        figure.benchmark = bench.name
    return figures, None, time.perf_counter() - started


def _value_cell(figure: Figure) -> str:
    text = f"{_fmt(figure.value)} {figure.unit}".strip()
    extra = [
        f"{k} {_fmt(v) if isinstance(v, float) else v}"
        for k, v in figure.details.items()
        if k != "n"
    ]
    return text + (f"  ({' · '.join(extra)})" if extra else "")


def _verdict(figure: Figure) -> str:
    return {True: "ok", False: "MISSED", None: "-"}[figure.ok]


def print_table(figures: list[Figure], skipped: dict[str, str], failed: dict[str, str]) -> None:
    rows = [(f.name, _value_cell(f), f.target or "-", _verdict(f)) for f in figures]
    if not rows:
        print("no figures")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        lines = [("figure", "value", "target", "verdict"), *rows]
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        for row in lines if rows else []:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    else:
        table = Table(title="iletimerkezi-async benchmarks")
        for column in ("figure", "value", "target", "verdict"):
            table.add_column(column, overflow="fold")
        for row in rows:
            style = {"ok": "green", "MISSED": "red"}.get(row[3])
            table.add_row(*row, style=style)
        console = Console()
        if not console.is_terminal:
            console = Console(width=140)  # a log, not a screen: no wrapping at 80
        if rows:
            console.print(table)
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    for name, trace in failed.items():
        print(f"FAILED {name}:\n{trace}", file=sys.stderr)


async def main_async(args: argparse.Namespace) -> tuple[int, dict[str, Any] | None]:
    discover()
    selected = [
        b
        for name, b in REGISTRY.items()
        if not args.names or any(name.startswith(prefix) for prefix in args.names)
    ]
    if args.list:
        for b in REGISTRY.values():
            needs = f" [needs {', '.join(sorted(b.needs))}]" if b.needs else ""
            print(f"{b.name}{needs}: {b.description}")
        return 0, None
    if not selected:
        print(f"no benchmark matches {args.names}; try --list", file=sys.stderr)
        return 2, None

    figures: list[Figure] = []
    skipped: dict[str, str] = {}
    failed: dict[str, str] = {}
    durations: dict[str, float] = {}
    with redis_for(selected, args.redis_url) as (redis_url, no_redis):
        ctx = Context(redis_url=redis_url, quick=args.quick)
        redis_version = await _redis_server_version(redis_url) if redis_url else None
        for bench in selected:
            if "redis" in bench.needs and redis_url is None:
                skipped[bench.name] = no_redis or "no Redis"
                continue
            print(f"running {bench.name}…", file=sys.stderr, flush=True)
            got, error, took = await run_one(bench, ctx)
            durations[bench.name] = round(took, 3)
            figures.extend(got)
            if error is not None:
                failed[bench.name] = error

    print_table(figures, skipped, failed)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "versions": {
            "python": platform.python_version(),
            "iletimerkezi_async": _version("iletimerkezi-async"),
            "aiohttp": _version("aiohttp"),
            "redis_py": _version("redis"),
            "redis_server": redis_version,
            **{name: _version(name) for name in OPTIONAL_VERSIONS},
        },
        "benchmarks": [b.name for b in selected],
        "complete": not args.quick and len(selected) == len(REGISTRY) and not skipped,
        "durations_s": durations,
        "skipped": skipped,
        "failed": sorted(failed),
        "figures": [f.as_json() for f in figures],
    }
    if failed:
        return 1, results
    if args.strict and any(f.ok is False for f in figures):
        return 3, results
    return 0, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only benchmarks whose name starts so")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--strict", action="store_true", help="exit 3 when a target is missed")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument(
        "--output",
        help=f"JSON file to write (default: {RESULTS.name} if complete, else {PARTIAL.name})",
    )
    args = parser.parse_args(argv)
    code, results = asyncio.run(main_async(args))
    if results is not None:
        default = RESULTS if results["complete"] else PARTIAL
        out = Path(args.output) if args.output else default
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
