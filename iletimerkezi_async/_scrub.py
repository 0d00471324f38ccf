"""Cleaning server-supplied text before it reaches an exception or a log line.

A server or proxy that echoes the request in ``status.message`` would put the
credentials, the recipients' numbers and the message text into ``str(exc)``,
the INFO retry log and every traceback.  :func:`scrub` replaces every string
of the request (and the key and hash) with ``***``, as sent and as a JSON
encoder with ASCII escapes would echo it, then masks any other run of seven
or more digits like a phone number.  Pure functions: the transport binds the
request; nothing here knows an endpoint's fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from .phone import mask_number

__all__ = ["scrub"]

_HIDDEN: Final = "***"
_MIN_SECRET: Final = 4
"""Shorter strings of a request ("0", "1", "ACME"?) are flags and codes, and
replacing them would shred the message; numbers are masked by the digit rule."""
_DIGITS: Final = re.compile(r"\+?[0-9][0-9 ()-]{5,}[0-9]")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _forms(secret: str) -> Iterator[str]:
    yield secret
    yield json.dumps(secret)[1:-1]  # as an echoing JSON encoder escapes it
    yield json.dumps(secret, ensure_ascii=False)[1:-1]


def scrub(secrets: Iterable[str], request: Mapping[str, Any], text: str) -> str:
    """``text`` without ``secrets``, without any string of ``request``, numbers masked."""
    hidden = {
        form
        for secret in (*secrets, *_strings(request))
        if len(secret.strip()) >= _MIN_SECRET
        for form in _forms(secret)
    }
    for secret in sorted(hidden, key=len, reverse=True):
        text = text.replace(secret, _HIDDEN)
    return _DIGITS.sub(lambda m: mask_number(m.group()), text)
