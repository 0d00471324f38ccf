"""The client benchmarks' arithmetic and runner do what their figures claim.

The figures themselves (timings, instruction counts) are never asserted here:
only that the ratios are paired, that instructions per call cancel start-up,
and that every client side really makes the calls it is timed for and fails
when the answer is wrong.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from iletimerkezi_async.testing import FakeIletiMerkezi

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SIDES = ["sdk", "raw", "urllib"] + [
    s for s in ("httpx", "requests") if importlib.util.find_spec(s) is not None
]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Import ``benchmarks/<name>.py``; sys.path and sys.modules are restored after."""
    monkeypatch.setattr(sys, "path", list(sys.path))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def common(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("_common")


@pytest.fixture
def callgrind(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("_callgrind")


@pytest.fixture
def client_proc(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("_client_proc")


def test_instructions_per_call_cancels_what_every_run_pays_once(callgrind: ModuleType) -> None:
    startup, per_call, n = 1_933_110_756, 550_123, 300
    assert callgrind.per_call(startup + n * per_call, startup + 2 * n * per_call, n) == per_call


def test_instructions_per_call_refuses_nonsense(callgrind: ModuleType) -> None:
    with pytest.raises(ValueError, match="positive"):
        callgrind.per_call(10, 20, 0)
    with pytest.raises(ValueError, match="did not cost more"):
        callgrind.per_call(20, 20, 5)


def test_total_instructions_reads_the_summary_line(callgrind: ModuleType) -> None:
    out = "# callgrind format\nversion: 1\nevents: Ir\n\nfn=(1) main\n5 42\n\nsummary: 1238396468\n"
    assert callgrind.total_instructions(out) == 1_238_396_468
    assert callgrind.total_instructions("events: Ir\ntotals: 77\n") == 77
    with pytest.raises(ValueError, match="no summary"):
        callgrind.total_instructions("events: Ir\nfn=(1) main\n")


async def test_each_side_gets_its_own_runs_difference(
    callgrind: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    costs = {"sdk": (2_000_000, 550), "raw": (1_000_000, 490)}

    async def fake_count(side: str, url: str, concurrency: int, calls: int) -> int:
        startup, each = costs[side]
        return startup + concurrency + calls * each

    monkeypatch.setattr(callgrind, "count", fake_count)
    found = await callgrind.instructions_per_call(["sdk", "raw"], "http://x", 50, 300)
    assert found == {"sdk": 550, "raw": 490}


def test_paired_median_is_the_median_of_per_round_ratios(common: ModuleType) -> None:
    sdk = [1.0, 10.0, 2.0]
    raw = [1.0, 5.0, 4.0]
    # Per round 1.0, 2.0, 0.5: median 1.0.  The ratio of the medians would be 2/4.
    assert common.paired_median(sdk, raw) == 1.0
    with pytest.raises(ValueError, match="same length"):
        common.paired_median([1.0], [1.0, 2.0])


def test_spread_gives_the_quartiles_of_the_per_round_ratios(common: ModuleType) -> None:
    sdk = [1.0, 2.0, 3.0, 4.0, 5.0]
    raw = [1.0, 1.0, 1.0, 1.0, 1.0]
    assert common.spread(sdk, raw) == "2.000–4.000"
    assert common.spread([2.0, 8.0, 6.0], [2.0, 4.0, 2.0]) == "1.500–2.500"
    assert common.spread([1.0], [1.0]) == "-"


def test_sides_alternate_their_order_every_round(common: ModuleType) -> None:
    orders = [common.alternate(["sdk", "raw", "httpx"], r) for r in range(4)]
    assert orders == [
        ["sdk", "raw", "httpx"],
        ["httpx", "raw", "sdk"],
        ["sdk", "raw", "httpx"],
        ["httpx", "raw", "sdk"],
    ]


@pytest.mark.parametrize(("total", "workers"), [(2000, 50), (7, 3), (3, 50), (1, 1)])
def test_shares_cover_every_call_evenly(client_proc: ModuleType, total: int, workers: int) -> None:
    shares = client_proc.shares(total, workers)
    assert sum(shares) == total
    assert len(shares) == min(total, workers)
    assert max(shares) - min(shares) <= 1


async def _run_once(url: str, side: str, calls: int) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BENCHMARKS / "_client_proc.py"),
        *("--side", side, "--url", url, "--concurrency", "4", "--calls", str(calls)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await proc.wait()


@pytest.mark.parametrize("side", SIDES)
async def test_every_side_makes_exactly_the_calls_it_is_timed_for(
    side: str, common: ModuleType
) -> None:
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        async with common.client_process(side, fake.url, 4, warm=5) as proc:
            first = await proc.run(9)
            second = await proc.run(3)
        assert len(fake.sent_requests("get-balance")) == 5 + 9 + 3
    assert (first.calls, second.calls) == (9, 3)
    assert first.wall > 0 and first.cpu > 0


@pytest.mark.parametrize("side", SIDES)
async def test_a_side_fails_when_the_answer_is_an_error(side: str) -> None:
    async with FakeIletiMerkezi(api_key="another-key", rate_limit=None) as fake:
        assert await _run_once(fake.url, side, 2) != 0
        assert fake.sent_requests("get-balance")
    async with FakeIletiMerkezi(rate_limit=None) as fake:
        assert await _run_once(fake.url, side, 2) == 0


def test_latency_without_httpx_and_requests_names_them_and_writes_no_nan(
    load: Callable[[str], ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = load("run")
    runner.discover()
    bench = sys.modules["bench_client"]
    real = bench.find_spec
    monkeypatch.setattr(
        bench, "find_spec", lambda name: None if name in ("httpx", "requests") else real(name)
    )
    out = tmp_path / "results.json"
    assert runner.main(["client.latency", "--quick", "--output", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    figures = results["figures"]
    assert [f["name"].split(" / ")[1].split(" ")[0] for f in figures] == ["urllib", "raw"]
    assert all(math.isfinite(f["value"]) and f["value"] > 0 for f in figures)
    assert all(f["details"]["not installed, not measured"] == "httpx, requests" for f in figures)
