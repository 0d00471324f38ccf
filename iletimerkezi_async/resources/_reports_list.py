"""``reports.list``: get-reports over 10-day windows, prefetched, each order once.

get-reports refuses (458) a range wider than 10 days.  The reference's own
example walks ``04-01..04-10`` then ``04-11..04-20``: ten calendar days per
window, both ends inclusive, so ``end - start`` is at most 9 days and no day
is asked for twice.  Windows are walked page by page until ``count: 0``;
``concurrency > 1`` walks that many windows at once in background tasks.
"""

from __future__ import annotations

from asyncio import Queue, Task, create_task, gather
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from .. import _endpoints as api
from .. import _wire
from ..errors import RepeatedPageError, ResponseFormatError
from ..pagination import Fetched, PageSource, Position

if TYPE_CHECKING:
    from .._transport import Transport
    from ..models import OrderSummary

    _Ahead = tuple[OrderSummary, ...] | None | Exception
    """What a window task hands over: a page, the end of the window (None), or its failure."""

__all__ = ["MAX_CONCURRENCY", "WINDOW_DAYS", "ReportPages", "WindowProgress", "split", "unseen"]

WINDOW_DAYS = 10
"""Calendar days per window, both ends inclusive."""


def split(start: date, end: date, days: int = WINDOW_DAYS) -> list[tuple[date, date]]:
    """Consecutive ``(first, last)`` windows covering ``start..end`` (inclusive) exactly.

    Each window holds at most ``days`` days, the next one starts the day after
    the previous one ends, and only the last may be shorter.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if start > end:
        raise ValueError("start must not be after end")
    windows: list[tuple[date, date]] = []
    first = start
    while True:
        # Offsets instead of first + days, so a range ending at date.max cannot overflow.
        last = first + timedelta(days=min(days - 1, (end - first).days))
        windows.append((first, last))
        if last == end:
            return windows
        first = last + timedelta(days=1)


MAX_PAGES_PER_WINDOW = 100_000
"""Defensive cap (3,000,000 orders in ten days): past it the server is assumed broken."""

PAGES_AHEAD = 4
"""Pages a prefetching window task may hold before the loop asks for them."""

MAX_CONCURRENCY = 16
"""Upper bound for ``reports.list(concurrency=...)``: windows fetched at once."""

WindowProgress = Callable[[int, int], object]
"""``reports.list(on_window=...)``: called with (windows finished, windows in the range)."""


def _ends_window(
    orders: tuple[OrderSummary, ...], seen: set[str], window: tuple[str, str], page: int
) -> bool:
    """Whether this page ends its window (``count: 0``); a repeated page raises.

    A page whose ids were all seen earlier in the same window means the
    server ignored ``page`` (or looped): ending the window there would pass
    off a partial walk as complete, so it raises :class:`RepeatedPageError`
    (the cursor still points before this page).
    """
    if not orders:
        return True
    ids = {o.id for o in orders}
    if ids <= seen:
        name = api.GET_REPORTS.name
        raise RepeatedPageError(
            f"{name} {window[0]}..{window[1]} page {page} only repeats orders of earlier "
            "pages: the server ignored the page number, so the walk stopped there",
            endpoint=name,
            page=page,
        )
    if page > MAX_PAGES_PER_WINDOW:
        raise ResponseFormatError(
            f"{api.GET_REPORTS.name} {window[0]}..{window[1]} still had orders after "
            f"{MAX_PAGES_PER_WINDOW:,} pages",
            endpoint=api.GET_REPORTS.name,
        )
    seen |= ids
    return False


_order_id: Final = attrgetter("id")


def unseen(
    orders: tuple[OrderSummary, ...], earlier: set[str], before: set[str]
) -> tuple[OrderSummary, ...]:
    """The orders of a page not in ``earlier`` or ``before``, each id once.

    What a walk does per order on top of parsing it (``parse.reports``
    measures the two together); the sets are only read.  A page of new,
    distinct ids (nearly every page) is recognised with set operations in C,
    a fifth of the per-order loop's cost; only a page with a repeat takes
    the loop, which keeps the first of each id in page order.
    """
    ids = set(map(_order_id, orders))
    if len(ids) == len(orders) and ids.isdisjoint(earlier) and ids.isdisjoint(before):
        return orders
    in_page: set[str] = set()
    fresh: list[OrderSummary] = []
    for order in orders:
        id_ = order.id
        if id_ not in earlier and id_ not in before and id_ not in in_page:
            in_page.add(id_)
            fresh.append(order)
    return orders if len(fresh) == len(orders) else tuple(fresh)


_NOTHING: set[str] = set()
"""An empty id set for :func:`unseen`, which only reads it (never add to it)."""


class _WindowAhead:
    """One window walked by a background task, its pages handed over in order.

    The bounded queue keeps a fast task at most ``PAGES_AHEAD`` pages ahead.
    A failure (after the transport's retries) is queued instead of raised,
    so it surfaces exactly when the loop reaches that page.

    ``seen`` is the window's one id set: the task adds each page's ids once
    it has checked the page (repeated-page detection) and removed the ids of
    earlier pages from it, so what it hands over is already de-duplicated
    within the window; the source keeps the same set, not a copy, as the
    window's ids for the window after it.  A task restarted after a failure
    continues with its predecessor's set, which then holds exactly the pages
    handed over (the failed page's ids are never added).
    """

    def __init__(
        self, source: ReportPages, window: int, page: int, seen: set[str] | None = None
    ) -> None:
        self.next_page = page
        self.failed = False
        self.seen: set[str] = set() if seen is None else seen
        self.queue: Queue[_Ahead] = Queue(maxsize=PAGES_AHEAD)
        self.task: Task[None] = create_task(
            self._run(source, window, page),
            name=f"iletimerkezi {api.GET_REPORTS.name} window {window}",
        )

    async def _run(self, source: ReportPages, window: int, page: int) -> None:
        seen = self.seen
        while True:
            try:
                orders = await source.orders(window, page)
                # Against the pages before this one: before the page's own ids join them.
                fresh = unseen(orders, seen, _NOTHING)
                end = _ends_window(orders, seen, source.labels[window], page)
            except Exception as exc:
                await self.queue.put(exc)
                return
            await self.queue.put(None if end else fresh)
            if end:
                return
            page += 1


class ReportPages(PageSource["OrderSummary"]):
    """get-reports over 10-day windows; a position is ``(window index, page)``.

    Ids are de-duplicated within a window and against the window before, for
    servers whose day boundaries make neighbouring windows overlap: windows
    further apart are ten days away from each other, so the walk holds the ids
    of two windows (one ``str`` per order), however long the range.  With
    ``concurrency > 1`` the current window's set is its task's (one set, not
    one per holder), and windows walked ahead hold only the few pages they are
    ahead by.
    """

    kind = "reports.list"
    first = (0, 1)

    def __init__(
        self,
        transport: Transport,
        start: date,
        end: date,
        concurrency: int,
        on_window: WindowProgress | None = None,
    ) -> None:
        self._transport = transport
        self._on_window = on_window
        self._reported: int | None = None
        self._range = (_wire.format_day(start), _wire.format_day(end))
        self.windows = split(start, end)
        self.labels = [(_wire.format_day(a), _wire.format_day(b)) for a, b in self.windows]
        self._concurrency = concurrency
        # The ids of every page handed over so far in window ``_window`` (with
        # concurrency > 1: the set of its task, which also holds the few pages
        # queued ahead), and of every page of the window just before it.
        self._window = -1
        self._window_ids: set[str] = set()
        self._before_ids: set[str] = set()
        self._ahead: dict[int, _WindowAhead] = {}

    def scope(self) -> Mapping[str, Any]:
        return {"start": self._range[0], "end": self._range[1]}

    def accepts(self, position: Position) -> bool:
        return len(position) == 2 and 0 <= position[0] < len(self.windows) and position[1] >= 1

    async def orders(self, window: int, page: int) -> tuple[OrderSummary, ...]:
        first, last = self.windows[window]
        return (await self._transport.call(api.GET_REPORTS, first, last, page=page)).orders

    def _progress(self, finished: int) -> None:
        """Tell ``on_window`` how many windows are behind the walk, once per change."""
        if self._on_window is not None and finished != self._reported:
            self._reported = finished
            self._on_window(finished, len(self.windows))

    def _enter(self, window: int) -> None:
        """Start handing over ``window``: only a neighbour can overlap, so keep its ids."""
        self._before_ids = self._window_ids if window == self._window + 1 else set()
        self._window, self._window_ids = window, set()

    async def fetch(self, position: Position) -> Fetched[OrderSummary]:
        window, page = position
        self._progress(window)
        if window != self._window:
            self._enter(window)
        orders: tuple[OrderSummary, ...] | None
        if self._concurrency > 1:
            # Already de-duplicated within the window by its task.
            orders = await self._from_ahead(window, page)
            fresh = unseen(orders, _NOTHING, self._before_ids) if orders else ()
        else:
            orders = await self.orders(window, page)
            earlier = self._window_ids
            fresh = unseen(orders, earlier, self._before_ids) if orders else ()
            # Ends the window on count 0 or a page of ids all seen before; else adds them.
            if _ends_window(orders, earlier, self.labels[window], page):
                orders = None
        if orders is None:
            self._progress(window + 1)
            after = (window + 1, 1) if window + 1 < len(self.windows) else None
            return Fetched(items=(), next=after, number=page, window=self.labels[window])
        return Fetched(
            items=fresh, next=(window, page + 1), number=page, window=self.labels[window]
        )

    async def _from_ahead(self, window: int, page: int) -> tuple[OrderSummary, ...] | None:
        """Page ``page`` of ``window`` from its task, keeping ``concurrency`` windows in flight."""
        for behind in [w for w in self._ahead if w < window]:
            self._ahead.pop(behind).task.cancel()
        walk = self._ahead.get(window)
        if walk is not None and walk.failed and walk.next_page == page:
            # Retry in place: walk this window again from the failed page, with the
            # ids of the pages before it (the failed task has ended).
            walk = self._ahead[window] = _WindowAhead(self, window, page, walk.seen)
        elif walk is not None and walk.next_page != page:
            # Not reached through Paginator, which asks for pages in order; the set
            # may hold pages not handed over, so it starts over (duplicates, never
            # a lost order).
            walk.task.cancel()
            walk = None
        if walk is None:
            walk = self._ahead[window] = _WindowAhead(self, window, page)
        self._window_ids = walk.seen
        for ahead in range(window + 1, min(window + self._concurrency, len(self.windows))):
            if ahead not in self._ahead:
                self._ahead[ahead] = _WindowAhead(self, ahead, 1)
        item = await walk.queue.get()
        if isinstance(item, Exception):
            walk.failed = True
            raise item
        walk.next_page = page + 1
        if item is None:
            del self._ahead[window]
        return item

    def cancel(self) -> None:
        for walk in self._ahead.values():
            with suppress(RuntimeError):  # the loop is already closed
                walk.task.cancel()
        self._ahead.clear()

    async def aclose(self) -> None:
        tasks = [walk.task for walk in self._ahead.values()]
        self.cancel()
        await gather(*tasks, return_exceptions=True)
