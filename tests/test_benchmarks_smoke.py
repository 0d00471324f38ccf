"""The benchmark suite still runs: its modules import and one cheap benchmark gives numbers.

Only that the figures are finite is checked, never their values: timings belong
to ``nox -s bench`` (benchmarks/README.md), not to the test suite.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
EXPECTED = {
    "client.overhead",
    "client.latency",
    "parse.reports",
    "sends.fidelity",
    "reports.windows",
    "reports.memory",
    "import",
    "campaign.memory",
}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``benchmarks/run.py`` with every ``bench_*`` module imported; sys.path restored after."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # run.py prepends benchmarks/ to it
    spec = importlib.util.spec_from_file_location("benchmarks_run", BENCHMARKS / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.discover()
    return module


def test_every_benchmark_is_registered(runner: ModuleType) -> None:
    missing = EXPECTED - set(sys.modules["_registry"].REGISTRY)
    assert not missing


def test_quick_parse_benchmark_writes_finite_figures(runner: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert runner.main(["parse.reports", "--quick", "--output", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert results["failed"] == []
    figures = results["figures"]
    assert figures
    assert all(f["benchmark"] == "parse.reports" for f in figures)
    assert all(math.isfinite(f["value"]) and f["value"] > 0 for f in figures)
