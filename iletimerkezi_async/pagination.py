"""``Paginator[T]``: one shape for every paginated endpoint, with resumable cursors.

A paginator walks *positions* (small tuples of ints such as ``(page,)`` or
``(window, page)``) through a :class:`PageSource`, which fetches the page at a
position and says where the next one is.  The paginator adds what every walk
needs and no source should repeat: item and page iteration, at-least-once
cursors, retry-in-place after a failure, and cancellation of background work.

Delivery is at least once, like the inbox poller: while the loop body handles
page *k* (or its items), :attr:`Paginator.cursor` points after page *k−1*; it
moves past page *k* when the loop asks for what comes next, and past the last
page once the walk has ended.  A crash therefore repeats at most one page and
never skips one.
"""

from __future__ import annotations

import abc
import base64
import binascii
import json
from collections import deque
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import attrs

from .errors import InvalidRequestError

if TYPE_CHECKING:
    from .models import Page

__all__ = [
    "CURSOR_VERSION",
    "Fetched",
    "PageSource",
    "Paginator",
    "Position",
    "decode_cursor",
    "encode_cursor",
]

T = TypeVar("T")

Position = tuple[int, ...]
"""Where a page is, in the source's own terms (``(page,)``, ``(window, page)``)."""

CURSOR_VERSION = 1
"""Bumped when the token layout changes; older tokens are then refused, never misread."""


class Fetched(NamedTuple, Generic[T]):
    """One page as a source hands it over: its items and the position after it.

    ``next`` is ``None`` when this page ends the walk.  An empty page that is
    not the last (a get-reports window's terminator) is skipped, never yielded.
    A NamedTuple: it never leaves the SDK, and an attrs class costs about
    0.5 ms of the package's import time against a tenth of that.
    """

    items: tuple[T, ...]
    next: Position | None
    number: int
    window: tuple[str, str] | None = None
    total: int | None = None


class PageSource(abc.ABC, Generic[T]):
    """Where a paginator's pages come from.

    ``kind`` and :meth:`scope` go into every cursor, so a token resumes only
    the walk it was taken from.  A source may keep per-walk state (seen ids,
    prefetch tasks), so a paginator owns exactly one source.
    """

    kind: str = "pages"
    first: Position = (1,)

    def scope(self) -> Mapping[str, Any]:
        """The arguments that define the walk (JSON scalars only)."""
        return {}

    def accepts(self, position: Position) -> bool:
        """Whether a decoded position can exist in this walk."""
        return len(position) == len(self.first) and all(p >= 1 for p in position)

    @abc.abstractmethod
    async def fetch(self, position: Position) -> Fetched[T]:
        """The page at ``position``; raising leaves the walk at that position."""

    def cancel(self) -> None:
        """Stop background work without waiting (used when the paginator is collected)."""

    async def aclose(self) -> None:
        """Stop background work and wait until it has stopped."""
        self.cancel()


def encode_cursor(kind: str, scope: Mapping[str, Any], position: Position | None) -> str:
    """An opaque, URL-safe token: base64 of compact JSON with version, kind, scope and position."""
    doc = {
        "v": CURSOR_VERSION,
        "k": kind,
        "s": dict(scope),
        "p": None if position is None else list(position),
    }
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return base64.urlsafe_b64encode(raw.encode("ascii")).rstrip(b"=").decode("ascii")


def decode_cursor(token: object, source: PageSource[Any]) -> Position | None:
    """The position ``token`` points at (``None``: the walk had ended), checked against ``source``.

    A token from another call, another version or another range is refused
    with ``InvalidRequestError('resume_from', ...)`` before any request.
    """
    field = "resume_from"
    if not isinstance(token, str) or not token:
        raise InvalidRequestError(field, "must be a cursor string taken from Paginator.cursor")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidRequestError(field, "is not a cursor issued by this SDK") from None
    if not isinstance(doc, dict) or doc.get("v") != CURSOR_VERSION:
        raise InvalidRequestError(field, "is not a cursor of this SDK version")
    if doc.get("k") != source.kind:
        raise InvalidRequestError(
            field, f"is a cursor of {doc.get('k')!r}; it cannot resume {source.kind!r}"
        )
    scope = json.loads(json.dumps(dict(source.scope())))
    if doc.get("s") != scope:
        raise InvalidRequestError(
            field, f"was taken from a walk with other arguments ({doc.get('s')!r}, not {scope!r})"
        )
    position = doc.get("p")
    if position is None:
        return None
    if (
        not isinstance(position, list)
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in position)
        or not source.accepts(tuple(position))
    ):
        raise InvalidRequestError(field, "points at a position that does not exist in this walk")
    return tuple(position)


class Paginator(Generic[T]):
    """An async iterable of items that walks pages lazily and can be resumed.

    ``async for item in p`` yields items; ``async for page in p.pages()``
    yields :class:`~iletimerkezi_async.Page` objects; both share one position,
    so they can be mixed.  ``p.cursor`` is the token to store; pass it back as
    ``resume_from=`` to the same call to continue there.

    When a page fails after the transport's retries, the error propagates and
    the paginator stays at that page: iterating again (or resuming from
    ``cursor``) fetches it again, never the walk from its start.  No response
    is held open while the loop body runs.  ``aclose()`` (or leaving an
    ``async with`` block) cancels prefetching; iteration then ends.
    """

    def __init__(self, source: PageSource[T], *, resume_from: str | None = None) -> None:
        self._source = source
        self._next: Position | None
        self._cursor: str | None
        if resume_from is None:
            self._next = source.first
            self._cursor = None
        else:
            self._next = decode_cursor(resume_from, source)
            self._cursor = self._token(self._next)
        self._current: Page[T] | None = None
        self._items: deque[T] = deque()
        self._busy = False
        self._closed = False

    @property
    def cursor(self) -> str | None:
        """The token for the position after the last fully consumed page.

        ``None`` before the first page of a fresh walk (a resumed walk starts
        at its ``resume_from``).  Once the walk has ended, resuming from it
        yields nothing.
        """
        return self._cursor

    @property
    def done(self) -> bool:
        """True once the last page has been handed out (or the paginator was closed)."""
        return self._closed or (self._next is None and not self._items)

    def _token(self, position: Position | None) -> str:
        return encode_cursor(self._source.kind, self._source.scope(), position)

    async def _advance(self) -> Page[T] | None:
        """Commit the page being handled, then fetch the next non-empty page (None: ended)."""
        if self._busy:
            raise RuntimeError("this Paginator is already fetching a page in another task")
        if self._current is not None:
            self._cursor = self._current.cursor
            self._current = None
            self._items.clear()
        self._busy = True
        try:
            while self._next is not None and not self._closed:
                fetched = await self._source.fetch(self._next)
                self._next = fetched.next
                token = self._token(fetched.next)
                if not fetched.items:
                    # Nothing for the loop to handle: consumed as soon as it arrives.
                    self._cursor = token
                    continue
                from .models import Page  # not at package import (see models)

                self._current = Page(
                    items=fetched.items,
                    number=fetched.number,
                    cursor=token,
                    window=fetched.window,
                    total=fetched.total,
                )
                return self._current
            return None
        finally:
            self._busy = False

    def __aiter__(self) -> Paginator[T]:
        return self

    async def __anext__(self) -> T:
        if self._items and not self._closed:
            return self._items.popleft()
        page = await self._advance()
        if page is None:
            raise StopAsyncIteration
        self._items.extend(page.items)
        return self._items.popleft()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Page by page; a page partly consumed by item iteration yields only its rest."""
        if self._current is not None and self._items and not self._closed:
            rest = attrs.evolve(self._current, items=tuple(self._items))
            self._items.clear()
            yield rest
        while True:
            page = await self._advance()
            if page is None:
                return
            yield page

    async def aclose(self) -> None:
        """Cancel prefetching and end iteration; ``cursor`` stays valid for resuming later."""
        self._closed = True
        self._current = None  # a page left unfinished is not consumed: the cursor stays before it
        self._items.clear()
        await self._source.aclose()

    async def __aenter__(self) -> Paginator[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # An abandoned paginator (``break`` without aclose) must not leave tasks running.
        source = getattr(self, "_source", None)
        if source is not None:
            source.cancel()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "done" if self.done else "open"
        return f"<Paginator {self._source.kind} {state} cursor={self._cursor!r}>"
