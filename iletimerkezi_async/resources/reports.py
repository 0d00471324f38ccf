"""Delivery reports: one order's (get-report), every order's (get-reports), waiting."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import _endpoints as api
from .. import _validate
from ..errors import (
    InvalidRequestError,
    OrderNotReadyError,
    RateLimitError,
    RepeatedPageError,
    ServiceUnavailableError,
    TransportError,
    WaitTimeoutError,
)
from ..pagination import Fetched, PageSource, Paginator, Position
from ._base import Resource
from ._reports_list import MAX_CONCURRENCY, ReportPages, WindowProgress

if TYPE_CHECKING:
    from .._transport import Transport
    from ..models import MessageReport, OrderReport, OrderSummary


class MessagePages(PageSource["MessageReport"]):
    """get-report pages of one order until ``page * rowCount >= total`` or an empty page.

    The older answer has no ``total`` (it parses as 0 although recipients
    came): then the walk goes on until a short or empty page, and a page equal
    to the one before raises :class:`RepeatedPageError`, since nothing else
    would end it.
    """

    kind = "reports.messages"

    def __init__(self, transport: Transport, order_id: str, page_size: int) -> None:
        self._transport = transport
        self._order_id = order_id
        self._size = page_size
        self._previous: tuple[MessageReport, ...] = ()

    def scope(self) -> Mapping[str, Any]:
        return {"order": self._order_id, "size": self._size}

    async def fetch(self, position: Position) -> Fetched[MessageReport]:
        (page,) = position
        answer = await self._transport.call(
            api.GET_REPORT, self._order_id, page=page, page_size=self._size
        )
        report, messages = answer.order, answer.order.messages
        if messages and messages == self._previous:
            name = api.GET_REPORT.name
            raise RepeatedPageError(
                f"{name} page {page} of order {self._order_id} repeats page {page - 1}: the "
                "server ignored the page number, so the walk stopped there",
                endpoint=name,
                page=page,
            )
        self._previous = messages
        known = report.total > 0  # an order with recipients has a total, unless it is unsent
        if known:
            last = not messages or page * self._size >= report.total
        else:
            last = len(messages) < self._size
        return Fetched(
            items=messages,
            next=None if last else (page + 1,),
            number=page,
            total=report.total if known else None,
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

        An ``end`` after today is taken as today (this quarter, this year: no
        call is made for days that have not happened); a ``start`` after
        today is refused.

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
        if first > today:
            raise InvalidRequestError(
                "start", f"must not be in the future (today is {today} in Europe/Istanbul)"
            )
        # Days that have not happened hold no orders: asking for them costs calls only.
        last = min(last, today)
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
        source = ReportPages(self._transport, first, last, concurrency, on_window)
        return Paginator(source, resume_from=resume_from)

    def messages(
        self, order_id: str, *, page_size: int = 1000, resume_from: str | None = None
    ) -> Paginator[MessageReport]:
        """Every recipient's status of one order, ``page_size`` recipients per request."""
        source = MessagePages(
            self._transport, _validate.order_id(order_id), _validate.page_size(page_size)
        )
        return Paginator(source, resume_from=resume_from)

    async def get(self, order_id: str, *, page: int = 1, page_size: int = 1000) -> OrderReport:
        """One page of an order's report: the order's counters and this page's recipients.

        Counters cover the whole order and are provisional while ``waiting > 0``;
        status 114 means the pipeline finished, not that everything was delivered.
        """
        answer = await self._transport.call(
            api.GET_REPORT,
            _validate.order_id(order_id),
            page=_validate.page(page),
            page_size=_validate.page_size(page_size),
        )
        return answer.order

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
        _validate.seconds(timeout, "timeout")
        first = _validate.seconds(interval, "interval")
        if _validate.seconds(max_interval, "max_interval") < first:
            raise InvalidRequestError("max_interval", "must be a number of seconds >= interval")
        clock = self._transport.clock
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
