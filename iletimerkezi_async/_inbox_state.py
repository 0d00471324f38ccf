"""What an inbox cursor token holds, and how inbound message ids are ordered.

The token is JSON: the highest committed numeric id and the ids committed
most recently (a bounded list), so de-duplication works by id even if ids
are not strictly increasing.  Read back from a store, every field is
checked: a token that is not ours is a :class:`CursorError`, never a guess.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from . import _validate
from .cursors import CursorError

if TYPE_CHECKING:
    from .models import InboundMessage

__all__ = ["DEFAULT_MEMORY", "CursorState", "order_key"]

_TOKEN_VERSION: Final = 1
_MAX_ID_DIGITS: Final = _validate.MAX_ID_DIGITS
DEFAULT_MEMORY: Final = 2000
"""Ids remembered in the cursor: twice the ~1000 messages one get-inbox answer holds."""


def _numeric(message_id: str) -> bool:
    """An id that counts as a number: 1 to 19 ASCII digits.

    ``str.isdigit()`` alone also takes ``"²"`` (``int()`` refuses it), ``"３"``
    (``int()`` reads 3) and thousands of digits (``int()`` refuses those too);
    such ids are kept and compared as text instead.
    """
    return message_id.isascii() and message_id.isdigit() and len(message_id) <= _MAX_ID_DIGITS


def _id_key(message_id: str) -> tuple[int, int, str]:
    """Numeric ids compare as numbers; any other id sorts after them, as text."""
    if _numeric(message_id):
        return (0, int(message_id), "")
    return (1, 0, message_id)


def order_key(message: InboundMessage) -> tuple[Any, ...]:
    return (message.received_at, _id_key(message.id))


class CursorState:
    """What the token holds: the committed ids (newest last, bounded) and the highest one."""

    def __init__(
        self, seen: Iterable[str] = (), last_id: int | None = None, memory: int = DEFAULT_MEMORY
    ) -> None:
        self.memory = memory
        self.seen: deque[str] = deque(seen, maxlen=memory)
        self._set = set(self.seen)
        self.last_id = last_id

    @classmethod
    def decode(cls, token: str, memory: int, where: object) -> CursorState:
        try:
            data = json.loads(token)
            if (
                not isinstance(data, dict)
                or type(data.get("v")) is not int
                or data["v"] != _TOKEN_VERSION
            ):
                raise ValueError("not a version-1 inbox cursor")
            seen = data["seen"]
            last = data.get("last_id")
            if not isinstance(seen, list) or not all(isinstance(s, str) for s in seen):
                raise ValueError("'seen' must be a list of id strings")
            if last is not None and not (isinstance(last, str) and _numeric(last)):
                raise ValueError(
                    f"'last_id' must be a string of 1 to {_MAX_ID_DIGITS} ASCII digits or null"
                )
        except (ValueError, KeyError, RecursionError) as exc:
            raise CursorError(f"unreadable inbox cursor in {where!r}: {exc}") from None
        return cls(seen, int(last) if last is not None else None, memory)

    def encode(self) -> str:
        last = None if self.last_id is None else str(self.last_id)
        return json.dumps(
            {"v": _TOKEN_VERSION, "last_id": last, "seen": list(self.seen)},
            separators=(",", ":"),
        )

    def horizon(self) -> int | None:
        """Numeric ids at or below this were committed and forgotten (memory is full)."""
        if len(self.seen) < self.memory:
            return None
        numeric = [int(s) for s in self.seen if _numeric(s)]
        return min(numeric) if numeric else None

    def is_new(self, message_id: str, horizon: int | None) -> bool:
        if message_id in self._set:
            return False
        return not (horizon is not None and _numeric(message_id) and int(message_id) <= horizon)

    def committed(self, message_ids: Iterable[str]) -> CursorState:
        """A copy with ``message_ids`` added; the original changes only once saved."""
        state = CursorState(self.seen, self.last_id, self.memory)
        for mid in message_ids:
            if mid in state._set:
                continue
            if len(state.seen) == state.memory:
                state._set.discard(state.seen[0])
            state.seen.append(mid)
            state._set.add(mid)
            if _numeric(mid) and (state.last_id is None or int(mid) > state.last_id):
                state.last_id = int(mid)
        return state
