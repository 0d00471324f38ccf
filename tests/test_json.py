"""The JSON decoder with and without orjson: the stdlib's results and errors either way.

``_json.checked_path`` wraps a fast decoder in the checks that keep its
answers the stdlib's; it is tested twice: around a fake decoder with
orjson's known differences (runs without orjson), and around orjson itself
(the ``tests`` session installs ``.[speedups]``; without orjson those tests
say so as skips).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iletimerkezi_async import _json, _wire
from iletimerkezi_async.errors import APIError, ResponseFormatError

Loads = Callable[[Any], Any]


def outcome(loads: Loads, raw: Any) -> tuple[Any, ...]:
    """A decoder's answer with types kept (1 vs 1.0 vs True, -0.0 vs 0.0), or its error."""
    try:
        value = loads(raw)
    except RecursionError:
        return ("RecursionError",)
    except (ValueError, TypeError) as exc:  # JSONDecodeError, UnicodeDecodeError
        return (type(exc).__name__, str(exc))
    return ("ok", typed(value))


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


class FakeRefused(ValueError):
    pass


def fake_orjson(raw: bytes) -> Any:
    """orjson's differences from the stdlib, on the stdlib.

    Integers beyond 64 bits come back as floats, nesting beyond 1,024 levels
    and NaN/Infinity literals are refused, as is anything else not UTF-8.
    """
    depth = deepest = 0
    for byte in raw:
        depth += byte in b"[{"
        depth -= byte in b"]}"
        deepest = max(deepest, depth)
    if deepest > 1024:
        raise FakeRefused("depth limit exceeded")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FakeRefused("not UTF-8") from None

    def big_int(digits: str) -> int | float:
        number = int(digits)
        return number if -(2**63) <= number < 2**64 else float(number)

    def refuse(constant: str) -> float:
        raise FakeRefused(constant)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 2000)  # orjson's nesting limit is its own, not Python's
    try:
        return json.loads(text, parse_int=big_int, parse_constant=refuse)
    except (ValueError, RecursionError) as exc:
        raise FakeRefused(str(exc)) from None
    finally:
        sys.setrecursionlimit(limit)


def orjson_path() -> Loads:
    """orjson behind the checks, small documents included (production sends those to the stdlib)."""
    orjson = pytest.importorskip(
        "orjson", reason="orjson missing: the tests session installs speedups"
    )
    path = _json.checked_path(orjson.loads, orjson.JSONDecodeError, stdlib_below=0)
    assert path is not None
    return path


def fast_path(which: str) -> Loads:
    if which == "orjson":
        return orjson_path()
    path = _json.checked_path(fake_orjson, FakeRefused, stdlib_below=0)
    assert path is not None
    return path


def test_small_bodies_skip_the_fast_decoder_large_ones_use_it() -> None:
    seen: list[int] = []

    def spy(raw: bytes) -> Any:
        seen.append(len(raw))
        return fake_orjson(raw)

    path = _json.checked_path(spy, FakeRefused)
    assert path is not None
    seen.clear()  # checked_path probed the decoder's nesting limit
    small = json.dumps({"response": {"status": {"code": 200}}}).encode()
    large = json.dumps({"x": "y" * _json.SMALL}).encode()
    assert path(small) == json.loads(small) and seen == []
    assert path(large) == json.loads(large) and seen == [len(large)]


@pytest.fixture(params=["fake", "orjson"])
def fast(request: pytest.FixtureRequest) -> Loads:
    return fast_path(request.param)


TRICKY = [
    b'{"a":1,"b":2,"a":3}',
    b"18446744073709551615",
    b"18446744073709551616",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b'{"id": 123456789012345678901234567890}',
    b'{"text": "1234567890123456789012"}',
    b"NaN",
    b"[Infinity, -Infinity]",
    b"1e400",
    b"1e-400",
    b"-0",
    b"-0.0",
    b"0.1",
    b"1E2",
    b"2.2250738585072011e-308",
    b"9007199254740993",
    b'"\\ud800"',
    b'{"\\udc00": 1}',
    b'"\\ud83d\\ude00"',
    b'"\\u0000\\/\\"\\\\"',
    b'\xef\xbb\xbf{"a": 1}',
    '{"a": "ş"}'.encode("utf-16"),
    b'"\xed\xa0\x80"',
    b'"\xff"',
    b'"\x01"',
    b'"\x7f"',
    b"1\x00",
    b"",
    b" ",
    b" \t\n\r[1] \t\n\r",
    b"\x0c1",
    b"1,2",
    b"1],[2",
    b"[1]]",
    b"[[1]",
    b'{"a":1},{"b":2}',
    b"[1,]",
    b"01",
    b"true",
    b"nulll",
    b"[" * 63 + b"]" * 63,
    b"[" * 64 + b"]" * 64,
    b"[" * 65 + b"]" * 65,
    b"[" * 1000 + b"]" * 1000,
    b"[" * 1025 + b"]" * 1025,
    b'{"a":' * 100 + b"1" + b"}" * 100,
    b"[" * 100_000,
    # Big enough to be wrapped rather than counted (see checked_path).
    b"[" + b'{"n": 1, "s": "x"},' * 3000 + b"0]",
    b"[" + b"1," * 20_000 + b"1],[2]",
    b"[" + b"1," * 20_000 + b"123456789012345678901]",
    b"[" + b"[" * 70 + b"1," * 20_000 + b"1" + b"]" * 71,
]


@pytest.mark.parametrize("raw", TRICKY, ids=[repr(raw[:24]) for raw in TRICKY])
def test_fast_path_answers_as_the_stdlib(fast: Loads, raw: bytes) -> None:
    assert outcome(fast, raw) == outcome(json.loads, raw)


def test_stdlib_path_is_json_loads() -> None:
    assert _json.stdlib_loads is json.loads


def test_fake_decoder_really_differs() -> None:
    # The fake must show the differences the checks exist for, or it tests nothing.
    assert outcome(fake_orjson, b"18446744073709551616") == outcome(
        json.loads, b"18446744073709551616.0"
    )
    assert fake_orjson(b"[" * 1000 + b"]" * 1000)
    assert outcome(json.loads, b"[" * 1000 + b"]" * 1000) == ("RecursionError",)


def test_orjson_differs_where_the_checks_say() -> None:
    orjson = pytest.importorskip("orjson", reason="the tests session installs speedups")
    assert type(orjson.loads(b"18446744073709551616")) is float
    assert orjson.loads(b"[" * 1000 + b"]" * 1000)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b"NaN")


def test_big_integers_keep_their_value(fast: Loads) -> None:
    body = b'{"response": {"id": 123456789012345678901}}'
    assert fast(body)["response"]["id"] == 123456789012345678901


def test_nesting_refused_by_the_stdlib_at_this_stack_depth_is_refused(fast: Loads) -> None:
    body = b"[" * 30 + b"]" * 30

    def at_depth(frames: int, loads: Loads) -> tuple[Any, ...]:
        return outcome(lambda raw: deeper(frames, loads, raw), body)

    def deeper(frames: int, loads: Loads, raw: bytes) -> Any:
        # The answer is typed (walked) back at the shallow end, not down here.
        return deeper(frames - 1, loads, raw) if frames else loads(raw)

    # Find the stack depth where the stdlib stops reading 30 levels, then
    # check the fast path a few frames either side of it.
    frames = 0
    while at_depth(frames, json.loads)[0] == "ok":
        frames += 10
    assert at_depth(frames, fast) == ("RecursionError",)
    assert at_depth(frames - 60, fast) == outcome(json.loads, body)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=30,
)


@pytest.mark.parametrize("which", ["fake", "orjson"])
@given(value=documents, ascii_only=st.booleans())
def test_any_json_document_decodes_as_the_stdlib_does(
    which: str, value: Any, ascii_only: bool
) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert outcome(fast_path(which), raw) == outcome(json.loads, raw)


@pytest.mark.parametrize("which", ["fake", "orjson"])
@given(raw=st.binary(max_size=64) | st.text(max_size=32).map(str.encode))
def test_any_bytes_decode_or_fail_as_the_stdlib_does(which: str, raw: bytes) -> None:
    assert outcome(fast_path(which), raw) == outcome(json.loads, raw)


@given(
    number=st.floats(allow_nan=False, allow_infinity=False),
    form=st.sampled_from(["{!r}", "{:.17e}", "{:.25g}"]),
)
def test_floats_round_as_the_stdlib_does(number: float, form: str) -> None:
    raw = form.format(number).encode()
    assert outcome(orjson_path(), raw) == outcome(json.loads, raw)


@pytest.mark.parametrize("which", ["fake", "orjson"])
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"response":{"status":{"code":200,"message":"ok"}}}', 200),
        (b'{"response":{"status":{"code":"401","message":"no"}}}', 200),
        (b'{"response":{"status":{"code":99999999999999999999}}}', 200),
        (b"<html>502 Bad Gateway</html>", 502),
        (b"not json", 200),
        (b"", 200),
        (b"[" * 100_000, 200),
        (b'{"response":{"status":{"code":NaN}}}', 200),
        (b'{"response":{"status":{"code":200},"n":1e400}}', 200),
    ],
)
def test_decode_is_the_same_with_every_decoder(
    monkeypatch: pytest.MonkeyPatch, which: str, raw: bytes, status: int
) -> None:
    def decoded(loads: Loads) -> tuple[Any, ...]:
        monkeypatch.setattr(_json, "loads", loads)
        try:
            response = _wire.decode(raw, endpoint="get-reports", http_status=status)
        except (APIError, ResponseFormatError) as exc:
            return (type(exc), str(exc), getattr(exc, "code", None))
        return ("ok", typed(response))

    expected = decoded(json.loads)
    assert expected[0] != "ok" or "response" in json.loads(raw)
    assert decoded(fast_path(which)) == expected
