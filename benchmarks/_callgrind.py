"""Instructions per call of a ``_client_proc.py`` side, counted by valgrind's callgrind.

Why instructions: on a shared two-core machine CPU time moves with whatever
else runs (caches, frequency, the other core's load); the count of executed
instructions does not, so it says whether the SDK does more work than the
baseline without the noise.  It does not say how long that work takes (cache
misses, branch mispredictions are not in it), which is why it is a detail next
to the CPU-time ratio, not the figure itself.

Why two runs: a run's total includes the interpreter's start-up, the imports
and the first call's one-time costs (connections opened, lazy imports), which
are the same whatever the call count.  A run of ``2N`` calls minus a run of
``N`` calls is the cost of ``N`` calls in steady state:

    per call = (total(2N) - total(N)) / N

``PYTHONHASHSEED=0`` keeps set and dict orders (and so the work) the same in
both runs.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent

_TOTAL = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def available() -> bool:
    return shutil.which("valgrind") is not None


def total_instructions(callgrind_out: str) -> int:
    """The instruction count (event ``Ir``, callgrind's default) in a callgrind.out file."""
    found = _TOTAL.search(callgrind_out)
    if found is None:
        raise ValueError("no summary: or totals: line in the callgrind output")
    return int(found.group(1))


def per_call(total_n: int, total_2n: int, n: int) -> float:
    """Instructions of one call in steady state, from runs of ``n`` and ``2n`` calls."""
    if n <= 0:
        raise ValueError("n must be positive")
    if total_2n <= total_n:
        raise ValueError(f"the 2n-call run ({total_2n}) did not cost more than the n-call one")
    return (total_2n - total_n) / n


async def count(
    side: str, url: str, concurrency: int, calls: int, *, keep: Path | None = None
) -> int:
    """Instructions executed by one ``_client_proc.py --calls`` process under callgrind.

    ``keep``: where to copy the callgrind.out file, for ``callgrind_annotate``
    (``_percall.py`` reads it per function).
    """
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        proc = await asyncio.create_subprocess_exec(
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(HERE / "_client_proc.py"),
            "--side",
            side,
            "--url",
            url,
            "--concurrency",
            str(concurrency),
            "--calls",
            str(calls),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        _, err = await proc.communicate()
        if proc.returncode != 0:
            tail = err.decode(errors="replace")[-2000:]
            raise RuntimeError(f"callgrind run of {side} failed ({proc.returncode}): {tail}")
        if keep is not None:
            shutil.copyfile(out, keep)
        return total_instructions(out.read_text(encoding="utf-8", errors="replace"))


async def instructions_per_call(
    sides: Sequence[str], url: str, concurrency: int, n: int, *, parallel: int = 2
) -> dict[str, float]:
    """Each side's instructions per call (runs of ``n`` and ``2n`` calls), ``parallel`` at once.

    Running them side by side changes how long they take, not what they count.
    """
    gate = asyncio.Semaphore(parallel)

    async def one(side: str, calls: int) -> int:
        async with gate:
            return await count(side, url, concurrency, calls)

    totals = await asyncio.gather(*(one(side, k * n) for side in sides for k in (1, 2)))
    return {side: per_call(totals[2 * i], totals[2 * i + 1], n) for i, side in enumerate(sides)}
