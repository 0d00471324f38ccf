"""What ``import iletimerkezi_async`` costs on top of aiohttp, which it cannot avoid.

``import``: wall time of ``python -c "import iletimerkezi_async"`` against
``python -c "import aiohttp"``, fresh interpreters run alternately, the ratio of
the medians (``python -c pass`` shown for the interpreter's own start-up),
with bytecode caches for both (see ``_environment``).
Also checked: the optional parts (``testing``, ``cli``, ``webhooks``,
``contrib``) are not imported by the package itself.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time

from _common import ROOT
from _registry import Context, Figure, benchmark

TARGET = 1.3
OPTIONAL = ("testing", "cli", "webhooks", "contrib", "demo", "_demo")

_CHECK = (
    "import sys, iletimerkezi_async; "
    "print(','.join(sorted(m for m in sys.modules if m.startswith('iletimerkezi_async.'))))"
)


def _environment(pycache: str) -> dict[str, str]:
    """Bytecode caching on, into a private directory, for every module alike.

    An installed package has its ``.pyc`` files; a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` (as here) has none for the SDK while
    site-packages has them for aiohttp, so the SDK would be compiled from
    source on every start.  ``PYTHONPYCACHEPREFIX`` puts every cache, aiohttp's
    too, under one temporary directory, filled by the warm-up runs, and leaves
    the checkout untouched.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


async def _run(env: dict[str, str], *args: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
        env=env,
    )
    out, _ = await proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{args} exited with status {proc.returncode}")
    return wall, out


@benchmark("import")
async def import_time(ctx: Context) -> list[Figure]:
    """python -c 'import iletimerkezi_async' / python -c 'import aiohttp', medians."""
    rounds = ctx.scaled(20, 5)
    commands = {
        "sdk": "import iletimerkezi_async",
        "aiohttp": "import aiohttp",
        "pass": "pass",
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        env = _environment(pycache)
        for code in commands.values():  # fill the bytecode caches and the OS file cache
            await _run(env, "-c", code)
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                wall, _ = await _run(env, "-c", commands[name])
                walls[name].append(wall)
        _, out = await _run(env, "-c", _CHECK)
    loaded = [m for m in out.decode().strip().split(",") if m]
    optional = sorted(
        m for m in loaded if m.removeprefix("iletimerkezi_async.").split(".")[0] in OPTIONAL
    )
    sdk, aio, bare = (statistics.median(walls[n]) for n in names)
    ratio = sdk / aio
    return [
        Figure(
            "import iletimerkezi_async / import aiohttp",
            ratio,
            "×",
            target=f"≤ {TARGET}",
            ok=ratio <= TARGET and not optional,
            details={
                "SDK ms": sdk * 1000,
                "aiohttp ms": aio * 1000,
                "python -c pass ms": bare * 1000,
                "SDK's own ms": (sdk - aio) * 1000,
                "optional parts imported": ", ".join(optional) or "none",
                "package modules": len(loaded),
                "n": rounds,
            },
        )
    ]
