"""The README's Performance table is what ``benchmarks/results.json`` says, generated.

No timing is judged here: only that the published table is the committed run's,
that a smoke or partial run cannot be published, and that a miss shows as one.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_table", ROOT / "benchmarks/table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _results(**overrides: Any) -> dict[str, Any]:
    results: dict[str, Any] = {
        "date": "2026-12-01T12:00:00+00:00",
        "quick": False,
        "complete": True,
        "machine": {"machine": "x86_64", "cpu_count": 2, "python_implementation": "CPython"},
        "versions": {"python": "3.11.7", "aiohttp": "3.14.5", "orjson": None},
        "figures": [
            {
                "name": "overhead | c=1",
                "value": 1.0412,
                "unit": "×",
                "peer": "raw aiohttp",
                "target": "≤ 1.05",
                "ok": True,
            },
            {"name": "parse", "value": 2.31, "unit": "×", "target": "≤ 2.0", "ok": False},
            {"name": "detail only", "value": 7.0, "unit": "ms", "target": "", "ok": None},
        ],
    }
    results.update(overrides)
    return results


def test_readme_table_is_the_committed_results(table: ModuleType) -> None:
    results = json.loads((ROOT / "benchmarks/results.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table.replace_block(readme, table.render(results)) == readme, (
        "README.md's Performance table is stale: run python benchmarks/table.py"
    )


def test_rows_show_peer_target_and_a_miss(table: ModuleType) -> None:
    block = table.render(_results())
    assert "| overhead \\| c=1 | 1.04 × | raw aiohttp | ≤ 1.05 | ok |" in block
    assert "| parse | 2.31 × | - | ≤ 2.0 | **missed** |" in block
    assert "detail only" not in block  # neither a target nor a peer
    assert "1 of 2 targets met." in block
    assert "x86_64, 2 CPUs, CPython 3.11.7; aiohttp 3.14.5." in block  # orjson absent: not named


@pytest.mark.parametrize(
    "overrides", [{"quick": True}, {"complete": False}, {"complete": None}], ids=str
)
def test_a_smoke_or_partial_run_is_refused(table: ModuleType, overrides: dict[str, Any]) -> None:
    with pytest.raises(table.NotPublishable, match="nox -s bench"):
        table.render(_results(**overrides))


def test_check_reports_a_stale_readme_and_write_fixes_it(
    table: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(_results()), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{table.BEGIN}\nold\n{table.END}\n\nafter\n", encoding="utf-8")
    args = ["--results", str(results), "--readme", str(readme)]
    assert table.main([*args, "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert table.main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and text.endswith(f"{table.END}\n\nafter\n")
    assert table.main([*args, "--check"]) == 0


def test_no_markers_is_an_error_not_a_silent_no_op(table: ModuleType) -> None:
    with pytest.raises(ValueError, match="performance:begin"):
        table.replace_block("# README without the table\n", table.render(_results()))
