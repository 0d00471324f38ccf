"""What ``import iletimerkezi_async`` costs on top of aiohttp, which it cannot avoid.

``import`` reports two figures, each from fresh interpreters with bytecode
caches for every module (see ``_environment``):

* the SDK's own import self-time: ``python -X importtime -c "import
  iletimerkezi_async"``, the sum of the self-times of the modules that
  ``import aiohttp`` alone does not import (the SDK's modules and what only
  they pull in, cattrs for one), median over the rounds.  Self-times are
  per module, so a busy machine inflates them but the sum never counts
  aiohttp or the interpreter's start-up.  The wall-clock ratio to
  ``python -c "import aiohttp"`` is kept as a detail (it moves with the load).
* the first call: ``import iletimerkezi_async`` (aiohttp already imported)
  plus the first parse of a get-balance answer and of a get-reports page,
  through the production path (``_wire.decode`` then ``_parse.structure``),
  timed inside one fresh interpreter.  Work the package defers to first use
  (the converter, cattrs, the generated structure functions) lands here, so
  laziness cannot hide cost: the steady-state parses are shown next to it.

Also checked: the optional parts (``testing``, ``cli``, ``webhooks``,
``contrib``) and cattrs are not imported by ``import iletimerkezi_async``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from _common import ROOT
from _registry import Context, Figure, benchmark

TARGET_MS = 40.0
OPTIONAL = ("testing", "cli", "webhooks", "contrib", "demo", "_demo")
DEFERRED = ("cattrs",)
"""Third-party packages a bare import must not load (the parse path loads them)."""

_CHECK = (
    "import sys, iletimerkezi_async; "
    "print(','.join(sorted(m for m in sys.modules "
    f"if m.startswith('iletimerkezi_async.') or m.split('.')[0] in {DEFERRED!r})))"
)

# The first call, in one fresh interpreter: the answers' bytes come on stdin
# (read before the clock starts), timings go to stdout as JSON.
_FIRST_CALL = """
import json, sys, time
import aiohttp
raw = json.loads(sys.stdin.read())
balance, reports = raw["balance"].encode(), raw["reports"].encode()
clock = time.perf_counter
t0 = clock()
import iletimerkezi_async
from iletimerkezi_async import _endpoints, _parse, _wire
t1 = clock()
def parse(endpoint, body):
    return _parse.structure(endpoint, _wire.decode(body, endpoint=endpoint.name, http_status=200))
b = parse(_endpoints.GET_BALANCE, balance)
t2 = clock()
r = parse(_endpoints.GET_REPORTS, reports)
t3 = clock()
parse(_endpoints.GET_BALANCE, balance)
t4 = clock()
parse(_endpoints.GET_REPORTS, reports)
t5 = clock()
assert b.balance.sms == 67 and len(r.orders) == raw["orders"]
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]))
"""
_PAGE = 100
"""Orders in the get-reports page of the first call (one page of a modest account)."""


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


async def _run(
    env: dict[str, str], *args: str, stdin: bytes | None = None
) -> tuple[float, bytes, bytes]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else None,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
        env=env,
    )
    out, err = await proc.communicate(stdin)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{args} exited with status {proc.returncode}: {err.decode()[-500:]}")
    return wall, out, err


def self_times(importtime: bytes) -> dict[str, int]:
    """``-X importtime`` output (stderr) as module → self-time in microseconds."""
    times: dict[str, int] = {}
    for line in importtime.decode().splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|", 2)
        times[name.strip()] = int(self_us)
    return times


def _answers() -> bytes:
    """A get-balance answer and a get-reports page, as the wire sends them."""
    orders: list[dict[str, Any]] = [
        {
            "id": 312_988_299 + i,
            "status": (114, 115, 113)[i % 3],
            "total": 1 + i % 50,
            "delivered": 1 + i % 50,
            "undelivered": 0,
            "waiting": 0,
            "submitAt": f"2026-04-29 {8 + i // 3600 % 12:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
            "sendAt": f"2026-04-29 {8 + i // 3600 % 12:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
            "sender": "eMarka Test",
        }
        for i in range(_PAGE)
    ]
    ok = {"code": 200, "message": "İşlem başarılı"}
    balance = {"response": {"status": ok, "balance": {"amount": 10.584, "sms": 67}}}
    reports = {"response": {"status": ok, "count": _PAGE, "orders": orders}}
    return json.dumps(
        {"balance": json.dumps(balance), "reports": json.dumps(reports), "orders": _PAGE}
    ).encode()


@benchmark("import")
async def import_time(ctx: Context) -> list[Figure]:
    """The SDK's own import self-time (median), and import plus the first parses."""
    rounds = ctx.scaled(20, 5)
    commands = {
        "sdk": "import iletimerkezi_async",
        "aiohttp": "import aiohttp",
        "pass": "pass",
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    own: list[float] = []
    heaviest: dict[str, list[int]] = {}
    first: list[list[float]] = []
    names = list(commands)
    answers = _answers()
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        env = _environment(pycache)
        for code in commands.values():  # fill the bytecode caches and the OS file cache
            await _run(env, "-c", code)
        await _run(env, "-c", _FIRST_CALL, stdin=answers)
        _, _, err = await _run(env, "-X", "importtime", "-c", "import aiohttp")
        aiohttp_modules = set(self_times(err))
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                wall, _, _ = await _run(env, "-c", commands[name])
                walls[name].append(wall)
            _, _, err = await _run(env, "-X", "importtime", "-c", commands["sdk"])
            mine = {m: us for m, us in self_times(err).items() if m not in aiohttp_modules}
            own.append(sum(mine.values()) / 1000)
            for m, us in mine.items():
                heaviest.setdefault(m, []).append(us)
            _, out, _ = await _run(env, "-c", _FIRST_CALL, stdin=answers)
            first.append(json.loads(out))
        _, out, _ = await _run(env, "-c", _CHECK)
    loaded = [m for m in out.decode().strip().split(",") if m]
    optional = sorted(
        m for m in loaded if m.removeprefix("iletimerkezi_async.").split(".")[0] in OPTIONAL
    )
    deferred = sorted(m for m in loaded if m.split(".")[0] in DEFERRED)
    package = [m for m in loaded if m.startswith("iletimerkezi_async.")]
    sdk, aio, bare = (statistics.median(walls[n]) for n in names)
    self_ms = statistics.median(own)
    top = sorted(heaviest.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
    imp, bal, rep, bal2, rep2 = (statistics.median(f[i] for f in first) * 1000 for i in range(5))
    total = imp + bal + rep
    return [
        Figure(
            "SDK's own import self-time",
            self_ms,
            "ms",
            target=f"< {TARGET_MS:g}",
            ok=self_ms < TARGET_MS and not optional and not deferred,
            peer="what import aiohttp alone imports, excluded",
            details={
                "min ms": min(own),
                "max ms": max(own),
                "heaviest": ", ".join(
                    f"{m.removeprefix('iletimerkezi_async.')} {statistics.median(us) / 1000:.1f}"
                    for m, us in top
                ),
                "import iletimerkezi_async / import aiohttp": sdk / aio,
                "SDK wall ms": sdk * 1000,
                "aiohttp wall ms": aio * 1000,
                "python -c pass ms": bare * 1000,
                "optional parts imported": ", ".join(optional) or "none",
                "deferred imported": ", ".join(deferred) or "none",
                "package modules": len(package),
                "n": rounds,
            },
        ),
        Figure(
            "first call: import + first balance and reports parse",
            total,
            "ms",
            details={
                "import ms": imp,
                "first balance parse ms": bal,
                f"first reports parse ({_PAGE} orders) ms": rep,
                "steady balance parse ms": bal2,
                "steady reports parse ms": rep2,
                "deferred to the first parses ms": (bal - bal2) + (rep - rep2),
                "n": rounds,
            },
        ),
    ]
