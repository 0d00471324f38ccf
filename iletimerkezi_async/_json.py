"""Which JSON decoder reads the API's answers: orjson when installed, else the stdlib.

``pip install iletimerkezi-async[speedups]`` adds orjson, which decodes a
get-reports page in about a third of ``json.loads``'s time.  The SDK must
not behave differently because an optional package is present, so orjson's
result is used only where it is provably the stdlib's, and ``json.loads``
decides everything else (its result or its exception is the one seen):

* orjson refuses documents the stdlib reads: ``NaN``, ``Infinity``,
  ``1e400``, lone surrogates, a UTF-8 BOM, UTF-16/32 bodies, UTF-8-encoded
  surrogates, more than 1,024 levels of nesting.  Any orjson refusal goes
  to the stdlib, which reads it or raises its own error.
* orjson reads integers beyond 64 bits as floats, silently.  Such a literal
  has at least 19 digits in a row, so a body with a run of 19 digits
  anywhere (strings included: a false alarm only costs speed) is the
  stdlib's.
* The stdlib refuses (``RecursionError``) nesting deeper than the
  interpreter allows from the caller's stack (on 3.11 the recursion limit
  minus the stack), where orjson reads up to 1,024 levels.  orjson is made
  to refuse bodies nesting deeper than 64 levels, and the stdlib is asked,
  at this same stack depth, whether it reads 64 (see :func:`checked_path`).

Duplicate keys (the last wins, at the first one's position), ``-0``,
floats (both round correctly) and strings decode alike;
``tests/test_json.py`` checks both paths on the same inputs.  Loaded on first
use, so ``import iletimerkezi_async`` does not pay for orjson.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import getitem
from typing import Any, Final

__all__ = ["checked_path", "loads", "orjson_loads", "stdlib_loads"]

stdlib_loads: Final[Callable[[bytes], Any]] = json.loads
"""The reference: every decision and error is this function's."""

_DIGIT_RUN: Final = b"0" * 19
_DIGITS: Final = bytes(48 if 48 <= i <= 57 else 46 for i in range(256))
"""ASCII digits to ``0``, every other byte to ``.``: a digit run is a run of ``0``."""
_HEADROOM: Final = 64
"""Nesting orjson may read for the stdlib (which is asked whether it would, each time)."""


_COUNTED: Final = 32 * 1024
"""Bodies up to this size count their brackets instead of being wrapped."""
SMALL: Final = 2048
"""Bodies shorter than this go to the stdlib: an answer of a few hundred bytes
(get-balance, a send) decodes in a few microseconds either way, and the checks
that keep orjson's result the stdlib's would cost more than orjson saves."""


def _probe(depth: int) -> bool:
    """Whether ``json.loads`` decodes ``depth`` levels of nesting from this stack depth."""
    if depth == 0:
        return True
    try:
        stdlib_loads(b"[" * depth + b"]" * depth)
    except RecursionError:
        return False
    return True


def _deepest(decode: Callable[[bytes], Any], refused: type[Exception]) -> int | None:
    """The deepest nesting orjson reads (1,024 today), or None if it has no limit we can find."""
    low, high = 1, 1 << 16
    if _accepts(decode, refused, high):
        return None
    while high - low > 1:  # low is read, high is refused
        middle = (low + high) // 2
        low, high = (middle, high) if _accepts(decode, refused, middle) else (low, middle)
    return low


def _accepts(decode: Callable[[bytes], Any], refused: type[Exception], depth: int) -> bool:
    try:
        decode(b"[" * depth + b"]" * depth)
    except refused:
        return False
    return True


def checked_path(
    decode: Callable[[bytes], Any], refused: type[Exception], *, stdlib_below: int = SMALL
) -> Callable[[Any], Any] | None:
    """``decode``'s result where it is the stdlib's, else ``json.loads(raw)``.

    ``decode`` is orjson's ``loads`` (any decoder refusing with ``refused``
    and with a nesting limit; tests hand in a fake).  None when its limit
    cannot be found.  Bodies shorter than ``stdlib_below`` bytes go to the
    stdlib at once (tests pass 0 to run the checks on small documents).

    Nesting: a body with at most :data:`_HEADROOM` opening brackets cannot
    nest deeper than that count, which :func:`_probe` checks the stdlib
    reads from here.  Bigger bodies are read inside ``deepest - _HEADROOM``
    one-element lists, so orjson refuses them when they nest deeper than
    :data:`_HEADROOM`; each wrapping list must come back with one element (a
    body such as ``1,2`` or ``1],[2`` is not JSON, but would be inside
    brackets).  Wrapping costs a fixed ~1,000 lists (some 100 us), counting
    brackets a pass over the body: bodies up to :data:`_COUNTED` are counted,
    and the stdlib decodes those with more brackets (where wrapping would
    cost more than orjson saves); bigger ones are wrapped.
    """
    deepest = _deepest(decode, refused)
    if deepest is None or deepest <= 2 * _HEADROOM:
        return None
    wrap = deepest - _HEADROOM
    opening, closing = b"[" * wrap, b"]" * wrap

    def loads(raw: Any) -> Any:
        if type(raw) is not bytes or len(raw) < stdlib_below:
            return stdlib_loads(raw)
        if len(raw) <= _COUNTED:
            brackets = raw.count(b"[") + raw.count(b"{")
            if brackets > _HEADROOM:
                return stdlib_loads(raw)  # wrapping would cost more than orjson saves
            try:
                data = decode(raw)
            except refused:
                return stdlib_loads(raw)
            if _DIGIT_RUN not in raw.translate(_DIGITS) and _probe(brackets):
                return data
            return stdlib_loads(raw)
        try:
            data = decode(opening + raw + closing)
        except refused:
            return stdlib_loads(raw)
        # The outer lists each hold the next; only the innermost may be empty.
        levels = list(accumulate(repeat(0, wrap - 1), getitem, initial=data))
        if (
            len(levels[-1]) == 1
            and max(map(len, levels)) == 1
            and _DIGIT_RUN not in raw.translate(_DIGITS)
            and _probe(_HEADROOM)
        ):
            return levels[-1][0]
        return stdlib_loads(raw)

    return loads


_looked = False
_orjson: Callable[[Any], Any] | None = None


def orjson_loads() -> Callable[[Any], Any] | None:
    """The orjson path, or None without orjson; looked for once, on first use."""
    global _looked, _orjson
    if not _looked:
        try:
            import orjson  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            pass
        else:
            _orjson = checked_path(orjson.loads, orjson.JSONDecodeError)
        _looked = True
    return _orjson


def _first_loads(raw: Any) -> Any:
    """Look for orjson once, then decode with whichever :data:`loads` became."""
    global loads
    loads = orjson_loads() or stdlib_loads
    return loads(raw)


loads: Callable[[Any], Any] = _first_loads
"""The decoder ``_wire.decode`` calls: orjson's path when installed, else ``json.loads``."""
