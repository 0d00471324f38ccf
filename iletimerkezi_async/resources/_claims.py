"""The order ids this client already accounts for, so ``resolve`` never hands one out twice.

Two identical sends in the same seconds look the same in get-reports.  When
one of them returned its id and the other's outcome is unknown, the returned
order must not be taken for the unknown one; when two unknown sends resolve,
each must get its own order.  Only ids are kept (no number, no text), the
newest :data:`MAX_CLAIMS` of them, shared by a client and its ``with_options``
views.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

__all__ = ["MAX_CLAIMS", "Claims"]

MAX_CLAIMS: Final = 10_000
"""Order ids remembered (about 1.5 MB); older ones are forgotten first."""

SENT: Final = ""
"""The owner of an id that a send returned: no pending send may take it."""


class Claims:
    """Order id → who accounts for it: a send (:data:`SENT`) or a resolved pending send."""

    __slots__ = ("_owners", "_size")

    def __init__(self, size: int = MAX_CLAIMS) -> None:
        self._owners: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def sent(self, order_id: str) -> None:
        """A send returned ``order_id``."""
        self._put(order_id, SENT)

    def resolved(self, order_id: str, owner: str) -> None:
        """``resolve`` gave ``order_id`` to the pending send identified by ``owner``."""
        self._put(order_id, owner)

    def with_sent(self, order_ids: list[str]) -> Claims:
        """A copy that also counts ``order_ids`` as sent (for one resolve; this one unchanged).

        What the copy's resolve hands out is recorded here too, so the
        client still remembers it.
        """
        return _Overlay(self, order_ids)

    def taken(self, order_id: str, owner: str) -> bool:
        """Whether ``order_id`` belongs to something other than ``owner``."""
        held = self._owners.get(order_id)
        return held is not None and held != owner

    def _put(self, order_id: str, owner: str) -> None:
        self._owners[order_id] = owner
        self._owners.move_to_end(order_id)
        if len(self._owners) > self._size:
            self._owners.popitem(last=False)

    def __len__(self) -> int:
        return len(self._owners)

    def __repr__(self) -> str:
        return f"<Claims of {len(self)} order ids>"


class _Overlay(Claims):
    """Claims plus ids that are taken for one call only; resolutions go to the base."""

    __slots__ = ("_base", "_extra")

    def __init__(self, base: Claims, extra: list[str]) -> None:
        super().__init__(0)
        self._base = base
        self._extra = frozenset(extra)

    def resolved(self, order_id: str, owner: str) -> None:
        self._base.resolved(order_id, owner)

    def sent(self, order_id: str) -> None:
        self._base.sent(order_id)

    def taken(self, order_id: str, owner: str) -> bool:
        return order_id in self._extra or self._base.taken(order_id, owner)
