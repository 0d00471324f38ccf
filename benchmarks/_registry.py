"""The benchmark registry: what a benchmark is, what it reports, how it is found.

A benchmark is an async function registered with :func:`benchmark`; it gets a
:class:`Context` and returns the :class:`Figure` s it measured.  ``run.py``
imports every ``bench_*.py`` next to it, so adding a benchmark is adding a
module (or a function to one):

    from _registry import Context, Figure, benchmark

    @benchmark("sends.throughput", needs={"redis"})
    async def sends_throughput(ctx: Context) -> list[Figure]:
        ...
        return [Figure("sends per second", value, "/s", target="≥ 95", ok=value >= 95)]

Figures are measured in one run and compared within it (ratios, differences):
never a timed assertion inside the test suite.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "REGISTRY",
    "Benchmark",
    "Context",
    "Figure",
    "benchmark",
    "summary",
]


@dataclass
class Figure:
    """One measured number.

    ``ok`` is the verdict against ``target`` (``None``: informational, no
    target); ``details`` are secondary numbers shown next to the value and kept
    in the JSON (percentiles, counts, the inputs of a ratio).  ``peer`` names
    what a ratio is taken against (``"raw aiohttp"``, ``"json.loads"``): the
    README's Performance table shows every figure beside it.
    """

    name: str
    value: float
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    details: dict[str, float | int | str] = field(default_factory=dict)
    benchmark: str = ""
    peer: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "peer": self.peer,
            "target": self.target,
            "ok": self.ok,
            "details": self.details,
        }


@dataclass
class Context:
    """What a benchmark may use: a Redis URL (when it ``needs`` redis) and the scale."""

    redis_url: str | None = None
    quick: bool = False

    def scaled(self, full: int, quick: int) -> int:
        """An iteration count: ``full`` normally, ``quick`` with ``--quick``."""
        return quick if self.quick else full


BenchFunc = Callable[[Context], Awaitable[Sequence[Figure]]]


@dataclass
class Benchmark:
    name: str
    func: BenchFunc
    needs: frozenset[str]
    description: str


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, needs: Iterable[str] = (), description: str | None = None
) -> Callable[[BenchFunc], BenchFunc]:
    """Register ``func`` under ``name``; ``needs`` names resources (``"redis"``)."""

    def register(func: BenchFunc) -> BenchFunc:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        first_line = next(iter((func.__doc__ or "").strip().splitlines()), "")
        REGISTRY[name] = Benchmark(name, func, frozenset(needs), description or first_line)
        return func

    return register


def summary(samples_ns: Sequence[int]) -> dict[str, float]:
    """Mean, p50 and p99 (microseconds) and the count of latency samples in ns."""
    if not samples_ns:
        return {"mean": math.nan, "p50": math.nan, "p99": math.nan, "n": 0}
    us = sorted(s / 1000 for s in samples_ns)

    def pct(p: float) -> float:
        return us[min(len(us) - 1, max(0, math.ceil(p / 100 * len(us)) - 1))]

    return {"mean": statistics.fmean(us), "p50": pct(50), "p99": pct(99), "n": len(us)}
