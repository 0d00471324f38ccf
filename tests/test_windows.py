"""Pure parts of pagination: the 10-day window splitter and cursor tokens."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import iletimerkezi_async as im
from iletimerkezi_async.pagination import (
    Fetched,
    PageSource,
    Position,
    decode_cursor,
    encode_cursor,
)
from iletimerkezi_async.resources._reports_list import WINDOW_DAYS, split

# Machines under load must not turn a timing hiccup into a failure.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.dates(min_value=date(1900, 1, 1), max_value=date.max)


@relaxed
@given(dates, st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=40))
def test_windows_cover_the_range_exactly_without_overlap(start: date, span: int, days: int) -> None:
    end = min(start + timedelta(days=min(span, (date.max - start).days)), date.max)
    windows = split(start, end, days)
    assert windows[0][0] == start
    assert windows[-1][1] == end
    for first, last in windows:
        assert first <= last
        assert (last - first).days + 1 <= days
    for (_, prev_last), (next_first, _) in itertools.pairwise(windows):
        assert next_first == prev_last + timedelta(days=1)
    # Only the last window may be short: no needless extra requests.
    assert all((last - first).days + 1 == days for first, last in windows[:-1])
    assert sum((last - first).days + 1 for first, last in windows) == (end - start).days + 1


def test_windows_follow_the_reference_example() -> None:
    assert split(date(2026, 4, 1), date(2026, 4, 20)) == [
        (date(2026, 4, 1), date(2026, 4, 10)),
        (date(2026, 4, 11), date(2026, 4, 20)),
    ]
    assert split(date(2026, 4, 1), date(2026, 4, 1)) == [(date(2026, 4, 1), date(2026, 4, 1))]
    assert WINDOW_DAYS == 10


def test_split_refuses_reversed_ranges() -> None:
    with pytest.raises(ValueError, match="after"):
        split(date(2026, 4, 2), date(2026, 4, 1))


class _Source(PageSource[int]):
    def __init__(self, kind: str, scope: Mapping[str, Any], width: int) -> None:
        self.kind = kind
        self._scope = scope
        self.first = (1,) * width

    def scope(self) -> Mapping[str, Any]:
        return self._scope

    async def fetch(self, position: Position) -> Fetched[int]:
        return Fetched(items=(), next=None, number=position[-1])


kinds = st.sampled_from(["reports.list", "reports.messages", "blacklist.list"])
scopes = st.dictionaries(
    st.sampled_from(["start", "end", "order", "size"]),
    st.one_of(st.none(), st.integers(min_value=1, max_value=10**6), st.text(max_size=12)),
)


@relaxed
@given(
    kinds,
    scopes,
    st.one_of(
        st.none(), st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=2)
    ),
)
def test_cursor_round_trips(kind: str, scope: dict[str, Any], position: list[int] | None) -> None:
    source = _Source(kind, scope, 2)
    token = encode_cursor(kind, scope, None if position is None else tuple(position))
    assert token.isascii()
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(token, source) == (None if position is None else tuple(position))


@relaxed
@given(kinds, kinds, scopes, scopes)
def test_cursor_of_another_walk_is_refused(
    kind: str, other_kind: str, scope: dict[str, Any], other_scope: dict[str, Any]
) -> None:
    token = encode_cursor(kind, scope, (1, 2))
    target = _Source(other_kind, other_scope, 2)
    if kind == other_kind and scope == other_scope:
        assert decode_cursor(token, target) == (1, 2)
    else:
        with pytest.raises(im.InvalidRequestError) as info:
            decode_cursor(token, target)
        assert info.value.field == "resume_from"


def _raw_token(doc: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a cursor",
        "%%%",
        "é",
        _raw_token([1, 2]),
        _raw_token({"v": 99, "k": "x", "s": {}, "p": [1]}),
        _raw_token({"v": 1, "k": "x", "s": {}, "p": [0]}),
        _raw_token({"v": 1, "k": "x", "s": {}, "p": [1, 2]}),
        _raw_token({"v": 1, "k": "x", "s": {}, "p": [True]}),
        _raw_token({"v": 1, "k": "x", "s": {}, "p": "1"}),
        12,
    ],
)
def test_malformed_cursors_are_refused(token: Any) -> None:
    with pytest.raises(im.InvalidRequestError) as info:
        decode_cursor(token, _Source("x", {}, 1))
    assert info.value.field == "resume_from"
