"""The lenient parsers' fast paths agree with the general code they skip.

The digit-string fast path of ``integer``/``opt_int`` against the regex it
skips, and ``parse_timestamp``'s wall-clock arithmetic against
``datetime.combine`` (what it did before).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iletimerkezi_async import _lenient as w
from iletimerkezi_async.clock import ISTANBUL


def outcome(parse: Any, *args: Any) -> tuple[Any, ...]:
    try:
        value = parse(*args)
    except Exception as exc:
        return (type(exc), str(exc))
    return (type(value), value)


_INT_RE = re.compile(r"[+-]?[0-9]{1,18}")


def integer_by_regex(value: str, where: str) -> int:
    """``_lenient.integer`` for strings before its digit fast path."""
    text = value.strip()
    if _INT_RE.fullmatch(text):
        return int(text)
    raise w.Bad(where, f"expected an integer, got {w.kind_of(value)}")


digit_strings = (
    st.text(alphabet="0123456789", max_size=22)
    | st.text(alphabet="0123456789 +-_²٣１", max_size=22)
    | st.text(max_size=22)
)


@given(digit_strings)
def test_integer_of_a_string_is_the_regex_path(value: str) -> None:
    assert outcome(w.integer, value, "n") == outcome(integer_by_regex, value, "n")


@given(digit_strings)
def test_opt_int_of_a_string_is_the_regex_path(value: str) -> None:
    expected = (int, 0) if value == "" else outcome(integer_by_regex, value, "n")
    assert outcome(w.opt_int, value, "n") == expected


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.none(),
    ).map(lambda moment: moment.replace(microsecond=0, fold=0))
)
def test_timestamp_arithmetic_is_combine(naive: datetime) -> None:
    text = naive.strftime("%Y-%m-%d %H:%M:%S") if naive.year >= 1000 else naive.isoformat(" ")
    parsed = w.parse_timestamp(text, "t")
    expected = datetime.combine(naive.date(), naive.time(), ISTANBUL)
    assert parsed == expected
    assert (repr(parsed), parsed.fold, parsed.utcoffset()) == (
        repr(expected),
        expected.fold,
        expected.utcoffset(),
    )
    assert parsed.tzinfo is ISTANBUL


SPELLINGS = [
    *(str(n) for n in range(1100)),
    *(f"{n:03d}" for n in range(100)),
    *(f" {n}" for n in (0, 7, 999)),
    *(f"+{n}" for n in (0, 7, 999)),
    "-0",
    "",
]


@pytest.mark.parametrize("value", SPELLINGS)
def test_small_count_table_reads_as_integer_does(value: str) -> None:
    expected = (int, 0) if value == "" else outcome(integer_by_regex, value, "n")
    assert outcome(w.opt_int, value, "n") == expected
    assert outcome(w.integer, value, "n") == outcome(integer_by_regex, value, "n")


def test_small_count_table_keys_are_canonical() -> None:
    assert all(key == str(value) for key, value in w.SMALL_COUNTS.items())
