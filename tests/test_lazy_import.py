"""What ``import iletimerkezi_async`` defers is real, and nothing deferred is lost.

cattrs (with the converter and its hooks) and the model classes load on first
use, not with the package.  Each check that needs a fresh interpreter runs one
in a subprocess, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cattrs.cols import namedtuple_dict_structure_factory
from cattrs.gen import override

import iletimerkezi_async as im
from iletimerkezi_async import _answers, _convert, _lenient, _parse, models

ROOT = Path(__file__).resolve().parents[1]
DEFERRED = ("cattrs", "iletimerkezi_async.models", "iletimerkezi_async._structure")


def fresh(code: str) -> Any:
    """Run ``code`` in a new interpreter on this checkout; what it printed, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_package_import_leaves_cattrs_and_the_models_for_later() -> None:
    loaded = fresh(
        f"""
        import json, sys
        import iletimerkezi_async
        from iletimerkezi_async import _endpoints, _parse
        before = [m for m in {DEFERRED!r} if m in sys.modules]
        answer = {{"status": {{"code": 200}}, "balance": {{"amount": "10.5", "sms": 67}}}}
        balance = _parse.structure(_endpoints.GET_BALANCE, answer).balance
        after = [m for m in {DEFERRED!r} if m in sys.modules]
        print(json.dumps([before, after, str(balance.amount), balance.sms]))
        """
    )
    assert loaded == [[], list(DEFERRED), "10.5", 67]


def test_every_public_name_imports_from_a_fresh_package() -> None:
    names = fresh(
        """
        import json
        import iletimerkezi_async as im
        missing = []
        for name in im.__all__:
            try:
                exec(f"from iletimerkezi_async import {name}", {})
            except ImportError:
                missing.append(name)
        listed = sorted(set(im.__all__) - set(dir(im)))
        print(json.dumps([missing, listed, len(im.__all__)]))
        """
    )
    assert names == [[], [], len(im.__all__)]


def test_star_import_from_a_fresh_package_gives_every_name() -> None:
    assert (
        fresh(
            """
        import json
        from iletimerkezi_async import *
        import iletimerkezi_async as im
        print(json.dumps(sorted(n for n in im.__all__ if n not in globals())))
        """
        )
        == []
    )


def test_a_lazy_name_is_the_models_object_and_unknown_names_still_fail() -> None:
    for name in ("Balance", "Order", "Page", "OrderSummary", "DeliveryReport"):
        assert getattr(im, name) is getattr(models, name)
    assert im.OrderStatus is models.OrderStatus
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        im.Nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from iletimerkezi_async import Nope", {})


def test_the_enums_keep_their_models_identity() -> None:
    for enum_cls in (models.OrderStatus, models.MessageStatus, models.DeliveryStatus):
        assert enum_cls.__module__ == "iletimerkezi_async.models"
        member = next(iter(enum_cls))
        assert pickle.loads(pickle.dumps(member)) is member
    order = models.Order(id="1", recipients=2)
    assert pickle.loads(pickle.dumps(order)) == order


def test_the_converter_is_built_once_even_from_racing_threads() -> None:
    ids = fresh(
        """
        import json, threading
        from iletimerkezi_async import _convert
        got = []
        start = threading.Barrier(8)
        def take():
            start.wait()
            got.append(_convert.get_converter())
        threads = [threading.Thread(target=take) for _ in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        same = all(c is _convert.converter for c in got)
        print(json.dumps([len(got), same]))
        """
    )
    assert ids == [8, True]
    assert _convert.converter is _convert.get_converter()


def test_from_and_to_dict_build_the_converter_in_a_fresh_package() -> None:
    assert fresh(
        """
        import json
        import iletimerkezi_async as im
        balance = im.from_dict(im.Balance, {"amount": "1.50", "sms": 3})
        print(json.dumps(im.to_dict(balance)))
        """
    ) == {"amount": "1.50", "sms": 3}


# --------------------------------------------------------------------------- answers' functions


class _Both(NamedTuple):
    total: int
    numbers: tuple[str, ...] = ()


class _Optional(NamedTuple):
    orders: int = 0
    total: int = 0


def _numbers(value: Any, where: str) -> tuple[str, ...]:
    return _lenient.each(_lenient.as_list(value, where), lambda n: _lenient.text(n, ""), where)


FIELDS: dict[type[Any], dict[str, tuple[str, Any]]] = {
    _Both: {"total": ("count", _lenient.integer), "numbers": ("number", _numbers)},
    _Optional: {"orders": ("orders", _lenient.opt_int), "total": ("count", _lenient.opt_int)},
    _answers.SentOrder: {"id": ("id", _lenient.identifier)},
}
INPUTS: list[dict[str, Any]] = [
    {},
    {"count": 3},
    {"count": "x"},
    {"number": ["1"], "count": 2},
    {"number": [1], "count": "y"},  # both bad: which error wins is part of the contract
    {"number": "nope"},
    {"orders": "4", "count": None},
    {"orders": [], "count": 1},
    {"id": 7},
    {"id": None},
    {"id": "12", "extra": 1},
]


def _outcome(build: Any, o: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", build(o)
    except Exception as exc:  # the comparison is of the exceptions themselves
        return type(exc).__name__, str(exc)


def _bound(key: str, how: Any) -> Any:
    return override(rename=key, struct_hook=lambda value, _type: how(value, key))


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda c: c.__name__)
def test_answer_functions_match_what_cattrs_would_generate(cls: type[Any]) -> None:
    """The hand-built NamedTuple function against cattrs' own generated one."""
    fields = FIELDS[cls]
    ours = _parse.wire_function(cls, **fields)
    overrides = {n: _bound(key, how) for n, (key, how) in fields.items()}
    generated = namedtuple_dict_structure_factory(cls, _convert.converter, False, **overrides)  # type: ignore[arg-type]
    for o in INPUTS:
        assert _outcome(ours, o) == _outcome(lambda o: generated(o, cls), o), o


def test_answer_functions_refuse_an_unbound_field() -> None:
    partial = _parse.wire_function(_Both, total=("count", _lenient.integer))
    with pytest.raises(TypeError, match="bind every field"):
        partial({"count": 1})
