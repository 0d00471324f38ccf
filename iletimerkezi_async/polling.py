"""``inbox.poll()``: new inbound messages, once each per cursor store, with backoff.

get-inbox has no cursor and no date filter: every call answers the newest
(up to ~1000) messages.  The poller therefore keeps its own position in a
:class:`~iletimerkezi_async.cursors.CursorStore` as a JSON token: the highest
committed numeric id and the ids committed most recently (a bounded list), so
de-duplication works by id even if ids are not strictly increasing.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable
from os import PathLike
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from . import _validate
from ._inbox_state import DEFAULT_MEMORY, CursorState, order_key
from ._log import get_logger
from .clock import SYSTEM_CLOCK, Clock
from .cursors import CursorStore, LeaseLostError, MemoryCursor, SharedCursorStore
from .errors import (
    InvalidRequestError,
    RateLimitError,
    ResponseFormatError,
    ServiceUnavailableError,
    TransportError,
)

if TYPE_CHECKING:
    from .models import InboundMessage, Inbox

__all__ = ["MAX_UNREADABLE", "TRANSIENT_ERRORS", "InboxPoller"]

log = get_logger("iletimerkezi_async.inbox")

TRANSIENT_ERRORS: Final = (
    TransportError,
    ServiceUnavailableError,
    RateLimitError,
    ResponseFormatError,
)
"""Failures (after the transport's own retries) that the poller waits out.

Anything else ends the iteration by raising: ``AuthenticationError`` and other
4xx codes (400, 404 for the withdrawn endpoint…) will not heal by waiting.
"""
MAX_UNREADABLE: Final = 5
"""Consecutive unreadable answers (``ResponseFormatError``) after which a poll gives up.

One may be a proxy's hiccup; five in a row, with backoff between them, is a
drifted answer shape that waiting will not fix, so the poll ends with it.
"""

MAX_WAIT: Final = 86_400.0
"""The longest ``interval``/``max_interval``: an inbox polled less than daily is not polled."""


def _check_arguments(
    interval: object,
    max_interval: object,
    multiplier: object,
    cursor: object,
    skip_existing: object,
    memory: object,
) -> None:
    """``InboxPoller``'s arguments, refused with InvalidRequestError before any poll."""
    first = _validate.seconds(interval, "interval", maximum=MAX_WAIT)
    if _validate.seconds(max_interval, "max_interval", maximum=MAX_WAIT) < first:
        raise InvalidRequestError("max_interval", "must be at least interval")
    if (
        isinstance(multiplier, bool)
        or not isinstance(multiplier, int | float)
        or not 1 <= multiplier < math.inf
    ):
        raise InvalidRequestError("multiplier", "must be a finite number of at least 1")
    if cursor is not None and (isinstance(cursor, type) or not isinstance(cursor, CursorStore)):
        hint = " (for a file use FileCursor(path))" if isinstance(cursor, str | PathLike) else ""
        raise InvalidRequestError(
            "cursor", "must be a cursor store with async load() and save(token)" + hint
        )
    if not isinstance(skip_existing, bool):
        raise InvalidRequestError("skip_existing", "must be True or False")
    if isinstance(memory, bool) or not isinstance(memory, int) or memory < 1:
        raise InvalidRequestError("memory", "must be an integer of at least 1")


class InboxPoller:
    """An async iterator of new :class:`InboundMessage`, oldest first, forever.

    Built by ``client.inbox.poll(...)``.  Delivery is at-least-once: the
    message being handled is committed to the cursor when the consumer asks
    for the next one, or when an ``async with`` block exits without an
    exception (or on :meth:`commit`).  Breaking out of a bare ``async for``,
    an exception, a cancelled task or a crash leave it uncommitted, so the next
    poller on the same store delivers it again; nothing is ever lost.

    Waits: ``interval`` after news, then multiplied by ``multiplier`` after
    every poll that found nothing (or failed transiently), up to
    ``max_interval``, slept on ``clock`` (``client.inbox.poll()`` passes the
    client's; tests pass a ``VirtualClock``); ``memory`` bounds the ids kept
    in the cursor.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Inbox]],
        *,
        interval: float = 5.0,
        max_interval: float = 300.0,
        multiplier: float = 2.0,
        cursor: CursorStore | None = None,
        skip_existing: bool = False,
        clock: Clock = SYSTEM_CLOCK,
        memory: int = DEFAULT_MEMORY,
        max_unreadable: int = MAX_UNREADABLE,
    ) -> None:
        _check_arguments(interval, max_interval, multiplier, cursor, skip_existing, memory)
        if isinstance(max_unreadable, bool) or not isinstance(max_unreadable, int):
            raise InvalidRequestError("max_unreadable", "must be an integer")
        if max_unreadable < 1:
            raise InvalidRequestError("max_unreadable", "must be at least 1")
        if not isinstance(clock, Clock):
            raise TypeError("clock must be a Clock (monotonic(), now(), async sleep())")
        self._fetch = fetch
        self.interval = float(interval)
        self.max_interval = float(max_interval)
        self.multiplier = float(multiplier)
        self.cursor: CursorStore = cursor if cursor is not None else MemoryCursor()
        self.skip_existing = skip_existing
        self.clock: Clock = clock
        """What the waits between polls sleep on."""
        self._memory = memory
        self._state: CursorState | None = None
        self._buffer: deque[InboundMessage] = deque()
        self._pending: InboundMessage | None = None
        self._wait = self.interval
        self._floor = 0.0
        self._fetched_once = False
        self._skip_first = False
        self._closed = False
        self._busy = False
        self._interruptible: asyncio.Task[Any] | None = None
        self._interrupted = False
        self.total: int | None = None
        """The account's inbound count (``totalRows``) from the last successful poll."""
        self.last_error: BaseException | None = None
        """The last transient failure waited out, ``None`` after a successful poll."""
        self.max_unreadable = max_unreadable
        self._unreadable = 0
        self.possibly_missed = 0
        """Messages a fresh cursor store may never see: the inbox held ``totalRows`` but
        its first answer carried fewer (get-inbox has no paging)."""

    # ------------------------------------------------------------ protocol

    def __aiter__(self) -> InboxPoller:
        return self

    async def __anext__(self) -> InboundMessage:
        if self._closed:
            raise StopAsyncIteration
        if self._busy:
            raise RuntimeError("this InboxPoller is already being iterated by another task")
        self._busy = True
        try:
            try:
                await self.commit()
            except LeaseLostError:
                # Another poller holds the store now and delivers this message
                # again; wait for a turn, then go on from what it committed.
                log.warning("inbox cursor lease lost; waiting for another turn")
                self._pending = None
                self._buffer.clear()
                self._state = None
            while True:
                if self._state is None:
                    # A shared store is reloaded once its turn comes (see _poll_once).
                    self._state = await self._load()
                while not self._buffer:
                    if self._closed:
                        raise StopAsyncIteration
                    await self._poll_once()
                if await self._turn_kept():
                    self._pending = self._buffer.popleft()
                    return self._pending
        finally:
            self._busy = False

    async def __aenter__(self) -> InboxPoller:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                await self.commit()
        finally:
            await self.aclose()

    # ------------------------------------------------------------- control

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending(self) -> InboundMessage | None:
        """The message handed out last and not yet committed."""
        return self._pending

    @property
    def last_id(self) -> str | None:
        """The highest numeric id committed to the cursor, once it has been loaded."""
        if self._state is None or self._state.last_id is None:
            return None
        return str(self._state.last_id)

    @property
    def next_wait(self) -> float:
        """Seconds the poller will sleep before its next poll when it finds nothing."""
        return self._wait

    async def commit(self) -> None:
        """Record the pending message in the cursor now (e.g. before a ``break``)."""
        message = self._pending
        if message is None or self._state is None:
            return
        state = self._state.committed([message.id])
        await self.cursor.save(state.encode())
        self._state = state
        if self._pending is message:
            self._pending = None

    async def aclose(self) -> None:
        """Stop: the pending message stays uncommitted.  Idempotent.

        Called from another task while the poller waits or fetches, it wakes
        the iterating task, whose loop then simply ends.
        """
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        task = self._interruptible
        if task is not None and task is not asyncio.current_task():
            self._interrupted = True
            task.cancel()
        if isinstance(self.cursor, SharedCursorStore):
            try:
                await self.cursor.release()
            except Exception as exc:  # the lease then simply expires
                log.warning("could not release the inbox cursor lease: %s", type(exc).__name__)

    # ------------------------------------------------------------ internals

    async def _turn(self) -> bool:
        """Wait until a shared store lets this poller poll; True when newly gained."""
        if isinstance(self.cursor, SharedCursorStore):
            return await self.cursor.turn()
        return False

    async def _turn_kept(self) -> bool:
        """Before handing out a buffered message: is the turn it was fetched in still ours?

        A shared store whose turn ran out meanwhile (a process frozen past its
        lease) takes it again first; what was fetched may then have been
        handled by another holder, so it is dropped (never committed, so
        nothing is lost) and the position is reloaded before the next poll.
        """
        if not isinstance(self.cursor, SharedCursorStore):
            return True
        task = asyncio.current_task()
        self._interruptible = task
        try:
            regained = await self.cursor.turn()
        except asyncio.CancelledError:
            if self._interrupted and task is not None and task.uncancel() == 0:
                self._interrupted = False
                return False  # aclose() from another task: the buffer is gone, __anext__ ends
            raise
        finally:
            self._interruptible = None
        if not regained:
            return True
        log.warning(
            "inbox cursor turn ran out before %d fetched message(s) were handed out; "
            "dropped them and polling again from the stored position",
            len(self._buffer),
        )
        self._buffer.clear()
        self._state = await self._load()
        return False

    async def _load(self) -> CursorState:
        token = await self.cursor.load()
        if token is None:
            self._skip_first = self.skip_existing
            return CursorState(memory=self._memory)
        return CursorState.decode(token, self._memory, self.cursor)

    async def _poll_once(self) -> None:
        """One wait (except before the first poll) and one get-inbox call."""
        task = asyncio.current_task()
        self._interruptible = task
        try:
            if self._fetched_once:
                wait, self._floor = max(self._wait, self._floor), 0.0
                await self.clock.sleep(wait)
                self._wait = min(self._wait * self.multiplier, self.max_interval)
            self._fetched_once = True
            if await self._turn():
                self._state = await self._load()  # another holder moved the position
            try:
                inbox = await self._fetch()
            except TRANSIENT_ERRORS as exc:
                if self._gives_up(exc):
                    self._closed = True
                    self._buffer.clear()
                    raise
                self._on_transient(exc)
                return
            except Exception:
                # AuthenticationError, 404, 400…: waiting will not help; end the stream.
                self._closed = True
                self._buffer.clear()
                raise
        except asyncio.CancelledError:
            if self._interrupted and task is not None and task.uncancel() == 0:
                self._interrupted = False
                return  # aclose() from another task: __anext__ sees _closed
            raise
        finally:
            self._interruptible = None
        self.last_error = None
        self._unreadable = 0
        self.total = inbox.total
        await self._take(inbox)

    def _gives_up(self, exc: BaseException) -> bool:
        """True on the ``max_unreadable``-th unreadable answer in a row."""
        if not isinstance(exc, ResponseFormatError):
            return False
        self._unreadable += 1
        if self._unreadable < self.max_unreadable:
            return False
        log.error(
            "inbox poll: %d unreadable answers in a row (%s); the answer's shape has "
            "changed, so polling ends",
            self._unreadable,
            exc,
        )
        return True

    def _on_transient(self, exc: BaseException) -> None:
        self.last_error = exc
        if isinstance(exc, RateLimitError) and exc.retry_after:
            # The server's hint is a floor for this one wait, within max_interval.
            self._floor = min(exc.retry_after, self.max_interval)
        log.warning(
            "inbox poll failed (%s); polling again in %.1f s", exc, max(self._wait, self._floor)
        )

    async def _take(self, inbox: Inbox) -> None:
        assert self._state is not None
        horizon = self._state.horizon()
        fresh: dict[str, InboundMessage] = {}
        for m in inbox.messages:
            if self._state.is_new(m.id, horizon):
                fresh.setdefault(m.id, m)
        news = sorted(fresh.values(), key=order_key)
        self._count_missed(inbox)
        if news and self._state.seen and len(news) == len(inbox.messages) < inbox.total:
            log.warning(
                "the inbox answer held only unseen messages out of %d: older ones may have "
                "been truncated away since the last poll",
                inbox.total,
            )
        if self._skip_first:
            # A fresh store with skip_existing: what is already there counts as seen.
            self._skip_first = False
            if news:
                state = self._state.committed(m.id for m in news)
                await self.cursor.save(state.encode())
                self._state = state
            news = []
        if news:
            self._wait = self.interval
            self._buffer.extend(news)

    def _count_missed(self, inbox: Inbox) -> None:
        """On a fresh store, warn about what the first answer could not carry."""
        assert self._state is not None
        if self._state.seen or self._state.last_id is not None or self._skip_first:
            return
        missing = inbox.total - len(inbox.messages)
        if missing > 0:
            self.possibly_missed += missing
            log.warning(
                "inbox poll on a fresh cursor: the inbox holds %d messages but the answer "
                "carried %d, so up to %d older ones will not be delivered (the inbox has "
                "no paging); see poller.possibly_missed",
                inbox.total,
                len(inbox.messages),
                missing,
            )

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<InboxPoller {state} cursor={self.cursor!r} next_wait={self._wait}>"
