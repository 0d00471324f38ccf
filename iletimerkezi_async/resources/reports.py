"""Delivery reports of one order (get-report)."""

from __future__ import annotations

import math
from asyncio import Queue, Task, create_task, gather
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date
from logging import getLogger
from typing import TYPE_CHECKING, Any

from .. import _convert, _validate, _windows, _wire
from ..errors import (
    InvalidRequestError,
    OrderNotReadyError,
    RateLimitError,
    ResponseFormatError,
    ServiceUnavailableError,
    TransportError,
    WaitTimeoutError,
)
from ..models import MessageReport, OrderReport, OrderSummary
from ..pagination import Fetched, PageSource, Paginator, Position
from ._base import Resource

if TYPE_CHECKING:
    from .._transport import Transport

_pages_log = getLogger("iletimerkezi_async")

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
    """Whether this page ends its window: ``count: 0`` or a repeat of pages already seen.

    A page whose ids were all seen earlier in the same window means the
    server ignored ``page`` (or looped): ending the window is the only way
    that cannot run forever, and those orders were already yielded.
    """
    if not orders:
        return True
    ids = {o.id for o in orders}
    if ids <= seen:
        _pages_log.warning(
            "get-reports %s..%s page %d only repeats orders of earlier pages; ending the window",
            window[0],
            window[1],
            page,
        )
        return True
    if page > MAX_PAGES_PER_WINDOW:
        raise ResponseFormatError(
            f"get-reports {window[0]}..{window[1]} still had orders after "
            f"{MAX_PAGES_PER_WINDOW:,} pages",
            endpoint="get-reports",
        )
    seen |= ids
    return False


_Ahead = tuple[OrderSummary, ...] | None | Exception
"""What a window task hands over: a page, the end of the window (None), or its failure."""


class _WindowAhead:
    """One window walked by a background task, its pages handed over in order.

    The bounded queue keeps a fast task at most ``PAGES_AHEAD`` pages ahead.
    A failure (after the transport's retries) is queued instead of raised,
    so it surfaces exactly when the loop reaches that page.
    """

    def __init__(self, source: _ReportPages, window: int, page: int) -> None:
        self.next_page = page
        self.failed = False
        self.queue: Queue[_Ahead] = Queue(maxsize=PAGES_AHEAD)
        self.task: Task[None] = create_task(
            self._run(source, window, page), name=f"iletimerkezi get-reports window {window}"
        )

    async def _run(self, source: _ReportPages, window: int, page: int) -> None:
        seen: set[str] = set()
        while True:
            try:
                orders = await source.orders(window, page)
                end = _ends_window(orders, seen, source.labels[window], page)
            except Exception as exc:
                await self.queue.put(exc)
                return
            await self.queue.put(None if end else orders)
            if end:
                return
            page += 1


class _ReportPages(PageSource[OrderSummary]):
    """get-reports over 10-day windows; a position is ``(window index, page)``.

    Ids are de-duplicated within a window and against the window before, for
    servers whose day boundaries make neighbouring windows overlap: windows
    further apart are ten days away from each other, so the walk holds the ids
    of two windows (one ``str`` per order), however long the range.
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
        self.windows = _windows.split(start, end)
        self.labels = [(_wire.format_day(a), _wire.format_day(b)) for a, b in self.windows]
        self._concurrency = concurrency
        # The ids of every page handed over so far in window ``_window``, and of
        # every page of the window just before it.
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
        payload = await self._transport.request(_wire.get_reports(first, last, page=page))
        return _convert.order_summaries(payload)

    def _progress(self, finished: int) -> None:
        """Tell ``on_window`` how many windows are behind the walk, once per change."""
        if self._on_window is not None and finished != self._reported:
            self._reported = finished
            self._on_window(finished, len(self.windows))

    async def fetch(self, position: Position) -> Fetched[OrderSummary]:
        window, page = position
        self._progress(window)
        orders: tuple[OrderSummary, ...] | None
        if self._concurrency > 1:
            orders = await self._from_ahead(window, page)
        else:
            orders = await self.orders(window, page)
        if window != self._window:
            # Only a neighbour can overlap: keep the window before's ids, drop older ones.
            self._before_ids = self._window_ids if window == self._window + 1 else set()
            self._window, self._window_ids = window, set()
        earlier, before = self._window_ids, self._before_ids
        fresh: list[OrderSummary] = []
        if orders:
            in_page: set[str] = set()
            for order in orders:
                if order.id not in earlier and order.id not in before and order.id not in in_page:
                    in_page.add(order.id)
                    fresh.append(order)
        if self._concurrency == 1:
            # Ends the window on count 0 or a page of ids all seen before; else adds them.
            if _ends_window(orders or (), earlier, self.labels[window], page):
                orders = None
        elif orders is not None:
            earlier.update(order.id for order in orders)
        if orders is None:
            self._progress(window + 1)
            after = (window + 1, 1) if window + 1 < len(self.windows) else None
            return Fetched(items=(), next=after, number=page, window=self.labels[window])
        return Fetched(
            items=tuple(fresh), next=(window, page + 1), number=page, window=self.labels[window]
        )

    async def _from_ahead(self, window: int, page: int) -> tuple[OrderSummary, ...] | None:
        """Page ``page`` of ``window`` from its task, keeping ``concurrency`` windows in flight."""
        for behind in [w for w in self._ahead if w < window]:
            self._ahead.pop(behind).task.cancel()
        walk = self._ahead.get(window)
        if walk is not None and (walk.failed or walk.next_page != page):
            walk.task.cancel()  # retry in place: walk this window again from the failed page
            walk = None
        if walk is None:
            walk = self._ahead[window] = _WindowAhead(self, window, page)
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


class _MessagePages(PageSource[MessageReport]):
    """get-report pages of one order until ``page * rowCount >= total`` or an empty page."""

    kind = "reports.messages"

    def __init__(self, transport: Transport, order_id: str, page_size: int) -> None:
        self._transport = transport
        self._order_id = order_id
        self._size = page_size

    def scope(self) -> Mapping[str, Any]:
        return {"order": self._order_id, "size": self._size}

    async def fetch(self, position: Position) -> Fetched[MessageReport]:
        (page,) = position
        call = _wire.get_report(self._order_id, page=page, page_size=self._size)
        report = _convert.order_report(await self._transport.request(call))
        last = not report.messages or page * self._size >= report.total
        return Fetched(
            items=report.messages,
            next=None if last else (page + 1,),
            number=page,
            total=report.total,
        )


class ReportsResource(Resource):
    def list(
        self,
        start: date,
        end: date,
        *,
        concurrency: int = 1,
        resume_from: str | None = None,
        on_window: WindowProgress | None = None,
    ) -> Paginator[OrderSummary]:
        """Every order submitted from ``start`` to ``end`` (inclusive, Istanbul days).

        The range is walked in consecutive 10-day windows, each page by page
        until ``count: 0``; orders come in date order and each id once.
        ``concurrency > 1`` fetches that many windows at once (still yielded
        in order); the prefetch tasks stop on ``aclose()``.  Arguments are
        checked here, before any request.

        ``on_window(finished, total)``, when given, reports progress in
        windows for progress bars: once as the walk starts (``finished`` is 0,
        or the resumed window's index) and again as each window's last page
        has been fetched (up to ``total``).  It runs in the iterating task and
        must not block; what it raises propagates out of the loop.
        """
        first = _validate.day(start, "start")
        last = _validate.day(end, "end")
        if first > last:
            raise InvalidRequestError("start", "must not be after end")
        today = self._now().date()
        if last > today:
            raise InvalidRequestError(
                "end", f"must not be in the future (today is {today} in Europe/Istanbul)"
            )
        if (
            isinstance(concurrency, bool)
            or not isinstance(concurrency, int)
            or not 1 <= concurrency <= MAX_CONCURRENCY
        ):
            raise InvalidRequestError(
                "concurrency", f"must be an integer from 1 to {MAX_CONCURRENCY}"
            )
        if on_window is not None and not callable(on_window):
            raise InvalidRequestError("on_window", "must be a callable or None")
        source = _ReportPages(self._transport, first, last, concurrency, on_window)
        return Paginator(source, resume_from=resume_from)

    def messages(
        self, order_id: str, *, page_size: int = 1000, resume_from: str | None = None
    ) -> Paginator[MessageReport]:
        """Every recipient's status of one order, ``page_size`` recipients per request."""
        source = _MessagePages(
            self._transport, _validate.order_id(order_id), _validate.page_size(page_size)
        )
        return Paginator(source, resume_from=resume_from)

    async def get(self, order_id: str, *, page: int = 1, page_size: int = 1000) -> OrderReport:
        """One page of an order's report: the order's counters and this page's recipients.

        Counters cover the whole order and are provisional while ``waiting > 0``;
        status 114 means the pipeline finished, not that everything was delivered.
        """
        call = _wire.get_report(
            _validate.order_id(order_id),
            page=_validate.page(page),
            page_size=_validate.page_size(page_size),
        )
        payload = await self._transport.request(call)
        return _convert.order_report(payload)

    async def wait(
        self,
        order_id: str,
        *,
        timeout: float,  # noqa: ASYNC109 (the binding signature; the deadline spans many polls)
        interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> OrderReport:
        """Poll until the order is final (114 or 115) and return that last report.

        Each poll is ``get(order_id, page=1, page_size=1)``: only the counters
        and status are needed, so the returned report holds at most one
        message (walk :meth:`messages` for all).  456 (a scheduled order that
        has not started) and transient failures (503/5xx, throttling, network)
        count as "not yet"; other errors (455, 401) propagate.  The pause
        starts at ``interval`` and doubles up to ``max_interval``, never past
        the deadline, where one last poll decides; then
        :class:`WaitTimeoutError` (a ``TimeoutError``) carries the last report
        seen.  A poll in flight at the deadline is not interrupted (the
        client's request timeout bounds it).  The deadline and the pauses
        run on the client's ``clock`` (``Client(clock=...)``).
        """
        oid = _validate.order_id(order_id)
        for name, value in (("timeout", timeout), ("interval", interval)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidRequestError(name, "must be a number of seconds")
            if not math.isfinite(value) or value <= 0:
                raise InvalidRequestError(name, "must be positive and finite")
        if (
            isinstance(max_interval, bool)
            or not isinstance(max_interval, int | float)
            or not max_interval >= interval
        ):
            raise InvalidRequestError("max_interval", "must be a number of seconds >= interval")
        clock = self._client.clock
        deadline = clock.monotonic() + timeout
        delay = float(interval)
        last: OrderReport | None = None
        while True:
            try:
                report = await self.get(oid, page=1, page_size=1)
            except (OrderNotReadyError, ServiceUnavailableError, RateLimitError, TransportError):
                pass
            else:
                if report.status.is_final:
                    return report
                last = report
            remaining = deadline - clock.monotonic()
            if remaining <= 0:
                state = f"status {int(last.status)}, {last.waiting} waiting" if last else "456"
                raise WaitTimeoutError(
                    f"order {oid} not final after {timeout:g} s ({state})",
                    order_id=oid,
                    timeout=float(timeout),
                    report=last,
                )
            await clock.sleep(min(delay, remaining))
            delay = min(delay * 2, float(max_interval))
