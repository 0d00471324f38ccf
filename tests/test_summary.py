"""get-reports' fast paths agree with the general ones on every input, bad ones included.

``_summary.order_summary`` (the fast path) against ``general_order_summary``
(each field through its general parser, the code the fast path replaced).
"""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iletimerkezi_async import _summary
from iletimerkezi_async.clock import ISTANBUL
from iletimerkezi_async.models import OrderSummary


def outcome(parse: Any, *args: Any) -> tuple[Any, ...]:
    """A parser's answer with every field's type, or its exception and message."""
    try:
        value = parse(*args)
    except Exception as exc:
        return (type(exc), str(exc))
    if isinstance(value, OrderSummary):
        fields = attrs.astuple(value, recurse=False)
        return (type(value), fields, tuple(map(type, fields)), repr(value), hash(value))
    return (type(value), value)


def test_the_fast_path_is_the_hook_on_cpython() -> None:
    # Otherwise every test below compares the general path with itself.
    assert _summary.order_summary is not _summary.general_order_summary


TIMESTAMPS = [
    "2026-01-05 08:13:27",
    "2026-01-05T08:13:27",
    "2026-02-30 08:13:27",
    "2026-01-05 24:00:00",
    "2026-01-05 08:13:60",
    "0000-00-00 00:00:00",
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "2015-03-29 03:30:00",  # a DST gap in Istanbul, when it had DST
    "2015-11-08 03:30:00",  # and a fold
    " 2026-01-05 08:13:27",
    "2026-01-05 08:13:27 ",
    "2026-01-05 08:13:27.5",
    "2026-01-05X08:13:27",
    "2026-W01-1 08:13:27",
    "2026-01-05 081327.0",
    "20260105 08:13:27.5",
    "2026-01-05 08:13+03",
    "2026-01-05 08:1३:27",
    "2026-01-05",
    "",
    "2026-01-05 08:13:27+03:00",
]
wire_values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([113, 114, 115, -1, 0, 110, 10**18 - 1, 10**18])
    | st.floats(allow_nan=True)
    | st.sampled_from(["", " ", "114", " 114 ", "+5", "-5", "05", "5_0", "²", "٣", "１２"])
    | st.sampled_from(["1" * 18, "1" * 19, "0" * 25, "COMPLETED", "completed", "sending"])
    | st.sampled_from(TIMESTAMPS)
    | st.text(max_size=20)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
KEYS = ["id", "status", "total", "delivered", "undelivered", "waiting", "submitAt", "sendAt"]


VALID = [*TIMESTAMPS[:2], *TIMESTAMPS[5:10], "", "2026-01-05 08:13:27.5", " 2026-01-05 08:13:27"]


def typical(stamps: list[str] = TIMESTAMPS) -> st.SearchStrategy[dict[str, Any]]:
    """The API's shapes (``stamps`` for the timestamps)."""
    stamp = st.sampled_from(TIMESTAMPS[:2]) | st.sampled_from(stamps)
    count = st.integers(0, 500) | st.integers(0, 500).map(str)
    return st.fixed_dictionaries(
        {
            "id": st.integers(1, 10**12) | st.integers(1, 10**12).map(str),
            "status": st.sampled_from([113, 114, 115, "113", "114", "115"]),
            "total": count,
            "delivered": count,
            "undelivered": count,
            "waiting": count,
            "submitAt": stamp,
            "sendAt": stamp,
            "sender": st.sampled_from(["ACME", None]),
        }
    )


orders = (
    typical()
    | st.builds(
        lambda base, key, value: {**base, key: value},
        typical(),
        st.sampled_from([*KEYS, "sender"]),
        wire_values,
    )
    | st.builds(
        lambda base, key: {k: v for k, v in base.items() if k != key},
        typical(),
        st.sampled_from([*KEYS, "sender"]),
    )
    | st.dictionaries(st.sampled_from([*KEYS, "sender", "price"]), wire_values)
    | wire_values
)


@given(orders)
def test_fast_and_general_paths_agree(order: Any) -> None:
    assert outcome(_summary.order_summary, order) == outcome(_summary.general_order_summary, order)


@given(typical(VALID))
def test_fast_path_summaries_are_attrs_summaries(order: dict[str, Any]) -> None:
    fast = _summary.order_summary(order)
    real = OrderSummary(**attrs.asdict(_summary.general_order_summary(order), recurse=False))
    assert type(fast) is OrderSummary
    assert fast == real
    assert hash(fast) == hash(real)
    assert repr(fast) == repr(real)
    assert attrs.evolve(fast, total=7) == attrs.evolve(real, total=7)
    assert weakref.ref(fast)() is fast
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.total = 1  # type: ignore[misc]


BASE: dict[str, Any] = {
    "id": 312988299,
    "status": 114,
    "total": 5,
    "delivered": 4,
    "undelivered": 1,
    "waiting": 0,
    "submitAt": "2026-01-05 08:13:27",
    "sendAt": "2026-01-05 08:13:27",
    "sender": "ACME",
}
ODD: list[Any] = [
    *TIMESTAMPS,
    None,
    True,
    False,
    0,
    -1,
    114,
    114.0,
    5.5,
    float("nan"),
    10**18,
    -(10**18),
    10**30,
    "",
    " ",
    " 7 ",
    "7",
    "+7",
    "-7",
    "07",
    "7_0",
    "²",
    "٣",
    "１２",
    "1" * 18,
    "1" * 19,
    "114",
    " 114",
    "COMPLETED",
    "completed",
    "-1",
    [],
    {},
    [1],
    {"0": 1},
]


@pytest.mark.parametrize("key", [*KEYS, "sender"])
@pytest.mark.parametrize("value", ODD, ids=repr)
def test_each_field_with_each_odd_value_agrees(key: str, value: Any) -> None:
    for order in ({**BASE, key: value}, {**BASE, "sendAt": "2026-01-05 10:00:00", key: value}):
        assert outcome(_summary.order_summary, order) == outcome(
            _summary.general_order_summary, order
        )
    missing = {k: v for k, v in BASE.items() if k != key}
    assert outcome(_summary.order_summary, missing) == outcome(
        _summary.general_order_summary, missing
    )


def test_timestamps_are_aware_istanbul_times() -> None:
    order = {"id": 1, "status": 114, "submitAt": "2026-01-05 08:13:27", "sendAt": None}
    summary = _summary.order_summary(order)
    assert summary.submitted_at == datetime(2026, 1, 5, 8, 13, 27, tzinfo=ISTANBUL)
    assert summary.submitted_at is not None and summary.submitted_at.tzinfo is ISTANBUL
    assert summary.send_at is None


def test_a_subclassed_mapping_takes_the_general_path() -> None:
    class Wire(dict[str, Any]):
        pass

    order = Wire(id=1, status=114)
    assert outcome(_summary.order_summary, order) == outcome(_summary.general_order_summary, order)


@given(
    st.datetimes(
        min_value=datetime(1000, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.none(),
    ).map(lambda moment: moment.replace(microsecond=0, fold=0))
)
def test_fast_path_timestamps_are_the_general_ones(naive: datetime) -> None:
    text = naive.strftime("%Y-%m-%d %H:%M:%S")
    for sent in (text, naive.isoformat()):  # sendAt == submitAt, and not
        order = {"id": 1, "status": 114, "submitAt": text, "sendAt": sent}
        assert outcome(_summary.order_summary, order) == outcome(
            _summary.general_order_summary, order
        )


@pytest.mark.parametrize(
    "counts",
    [
        ("5", "4", "1", "0"),
        ("999", "0", "999", "0"),
        ("1000", "4", "1", "0"),
        ("007", "4", "1", "0"),
        (" 5", "4", "1", "0"),
        ("5", "4", "1", ""),
        ("5", "4", "x", "y"),
        ("5", "²", "1", "0"),
        ("5", 4, "1", "0"),
    ],
)
def test_legacy_string_counters_agree(counts: tuple[Any, ...]) -> None:
    order = {
        **BASE,
        **dict(zip(("total", "delivered", "undelivered", "waiting"), counts, strict=True)),
    }
    assert outcome(_summary.order_summary, order) == outcome(_summary.general_order_summary, order)
