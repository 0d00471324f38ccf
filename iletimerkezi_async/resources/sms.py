"""Sending and cancelling orders (send-sms, cancel-order).

A send is never repeated once it may have reached the server: the API has no
idempotency key, so an ambiguous failure is a :class:`SendOutcomeUnknownError`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from .. import _endpoints as api
from .. import _validate, _wire
from .._enums import IysList
from .._log import get_logger
from .._transport import Watch
from ..errors import (
    BulkSendError,
    IletiMerkeziError,
    InvalidRequestError,
    SendOutcomeUnknownError,
)
from ..pending import PendingSend, text_digest
from . import _resolve
from ._base import Resource

if TYPE_CHECKING:
    from ..models import Order

log = get_logger("iletimerkezi_async")


class _Options(NamedTuple):
    """Validated order settings shared by every chunk of a bulk send."""

    sender: str
    schedule: str | None
    iys_list: str | None
    send_at: datetime | None


async def _items(source: Iterable[object] | AsyncIterable[object]) -> AsyncIterator[object]:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item


_reports: set[asyncio.Task[None]] = set()
"""Callbacks running for cancelled sends: held so the loop does not drop them."""


async def _report(callback: Callable[[PendingSend], object] | None, pending: PendingSend) -> None:
    """Hand ``pending`` to ``Client(on_send_unknown=...)``; what it raises is logged, not raised."""
    if callback is None:
        return
    try:
        result = callback(pending)
        if inspect.isawaitable(result):
            await result
    except Exception as exc:
        log.error(
            "on_send_unknown raised %s; the pending send was not recorded by it",
            type(exc).__name__,
            extra={"endpoint": api.SEND_SMS.name},
        )


def _report_soon(callback: Callable[[PendingSend], object] | None, pending: PendingSend) -> None:
    """:func:`_report` from a cancelled task: a sync callback now, an async one in a task."""
    if callback is None:
        return
    task = asyncio.get_running_loop().create_task(_report(callback, pending))
    _reports.add(task)
    task.add_done_callback(_reports.discard)


class SmsResource(Resource):
    async def send(
        self,
        to: str | Iterable[str],
        text: str,
        *,
        sender: str | None = None,
        send_at: datetime | None = None,
        iys: str | IysList | None = None,
    ) -> Order:
        """Send one text to one number or up to 50,000 numbers as one order.

        ``iys=None`` is a transactional message (OTP, notices); ``"BIREYSEL"``
        or ``"TACIR"`` marks a commercial one, checked against İYS consent.
        ``send_at`` (timezone-aware, future) schedules it to the minute.
        """
        numbers = _validate.numbers(to)
        return await self._send([(text, numbers)], sender=sender, send_at=send_at, iys=iys)

    async def send_many(
        self,
        messages: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        sender: str | None = None,
        send_at: datetime | None = None,
        iys: str | IysList | None = None,
    ) -> Order:
        """One order carrying a different text per number (``{number: text}``)."""
        pairs = messages.items() if isinstance(messages, Mapping) else messages
        by_text: dict[str, list[str]] = {}
        owner: dict[str, int] = {}
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidRequestError(f"messages[{i}]", "must be a (number, text) pair")
            number = _validate.number(pair[0], field=f"messages[{i}].number")
            if number in owner:
                raise InvalidRequestError(
                    f"messages[{i}].number", "appears more than once in one order"
                )
            owner[number] = i
            by_text.setdefault(pair[1], []).append(number)
            if len(owner) > _validate.MAX_RECIPIENTS:
                raise InvalidRequestError(
                    "messages", f"at most {_validate.MAX_RECIPIENTS:,} recipients per order"
                )
        if not owner:
            raise InvalidRequestError("messages", "needs at least one (number, text) pair")
        return await self._send(list(by_text.items()), sender=sender, send_at=send_at, iys=iys)

    async def _send(
        self,
        groups: list[tuple[str, list[str]]],
        *,
        sender: str | None,
        send_at: datetime | None,
        iys: str | IysList | None,
    ) -> Order:
        for i, (text, _) in enumerate(groups):
            _validate.text(text, field="text" if len(groups) == 1 else f"messages[{i}].text")
        return await self._submit(groups, self._options(sender, send_at, iys))

    def _options(
        self, sender: str | None, send_at: datetime | None, iys: str | IysList | None
    ) -> _Options:
        name = _validate.sender(sender, self._settings.default_sender)
        when = _validate.schedule(send_at, self._now())
        return _Options(
            sender=name,
            schedule=_wire.format_schedule(when) if when is not None else None,
            iys_list=_validate.iys_list(iys),
            send_at=when,
        )

    async def _submit(self, groups: list[tuple[str, list[str]]], options: _Options) -> Order:
        recipients = sum(len(numbers) for _, numbers in groups)
        log.debug(
            "%s: %d recipient(s), %d text(s), scheduled=%s, commercial=%s",
            api.SEND_SMS.name,
            recipients,
            len(groups),
            options.schedule is not None,
            options.iys_list is not None,
            extra={"endpoint": api.SEND_SMS.name},
        )
        submitted_after = self._now()

        def pending() -> PendingSend:
            return PendingSend(
                sender=options.sender,
                recipients=tuple(n for _, numbers in groups for n in numbers),
                text_digest=text_digest(text for text, _ in groups),
                submitted_after=submitted_after,
                submitted_before=self._now(),
                send_at=options.send_at,
            )

        watch = Watch()
        try:
            answer = await self._transport.call_watched(
                watch,
                api.SEND_SMS,
                groups,
                sender=options.sender,
                schedule=options.schedule,
                iys_list=options.iys_list,
            )
        except SendOutcomeUnknownError as exc:
            exc.pending = pending()
            await _report(self._settings.on_send_unknown, exc.pending)
            raise
        except asyncio.CancelledError:
            # Cancelled (or an outer asyncio.timeout) after the request may have been
            # written: the caller gets its CancelledError, the callback the pending send.
            if watch.written:
                _report_soon(self._settings.on_send_unknown, pending())
            raise
        self._settings.claims.sent(answer.order.id)
        from ..models import Order  # loaded by the parse above; not at package import

        return Order(id=answer.order.id, recipients=recipients)

    def send_bulk(
        self,
        numbers: Iterable[str] | AsyncIterable[str],
        text: str,
        *,
        sender: str | None = None,
        send_at: datetime | None = None,
        iys: str | IysList | None = None,
        chunk_size: int = _validate.MAX_RECIPIENTS,
    ) -> AsyncIterator[Order]:
        """Send one text to any number of recipients, one order per chunk, yielding each Order.

        ``numbers`` (an iterable or async iterable, read lazily) is cut into
        chunks of ``chunk_size`` distinct recipients (at most 50,000, the
        API's order size); each chunk is sent through the client's limiter
        when it is full, so the next chunk is only read once the consumer asks
        for the next order.  Duplicates are dropped within a chunk only: a
        number repeated in a later chunk is sent again.  All chunks share one
        ``send_at`` (a chunk submitted after that minute is sent at once, as
        the API does for past times).  Text, sender, ``send_at``, ``iys`` and
        ``chunk_size`` are checked here, before anything is read or sent;
        numbers are checked as they stream.

        Any failure after that is a :class:`BulkSendError` (original error as
        ``__cause__``) carrying the orders created so far and ``next_index``,
        the input index to resume from.  An invalid number fails its chunk
        before it is sent (the cause is an ``InvalidRequestError`` whose field
        is ``numbers[<global index>]``).  A chunk whose outcome is unknown is
        never resent here: ``maybe_sent`` is set, ``pending`` describes it;
        resolve it with :meth:`resolve` and resume from
        ``err.resume_index(order_or_none)`` (docs/exactly-once.md).  Progress
        lives in memory only: for a send that must survive a crash of the
        process, use :class:`iletimerkezi_async.campaigns.Campaign`.
        Errors raised by ``numbers`` itself propagate unchanged; stopping the
        iteration early sends nothing more.
        """
        if (
            isinstance(chunk_size, bool)
            or not isinstance(chunk_size, int)
            or not 1 <= chunk_size <= _validate.MAX_RECIPIENTS
        ):
            raise InvalidRequestError(
                "chunk_size", f"must be an integer from 1 to {_validate.MAX_RECIPIENTS:,}"
            )
        source: Iterable[object] | AsyncIterable[object]
        if isinstance(numbers, str | int) and not isinstance(numbers, bool):
            source = [numbers]
        elif isinstance(numbers, AsyncIterable) or (
            isinstance(numbers, Iterable) and not isinstance(numbers, bytes | bytearray | Mapping)
        ):
            source = numbers
        else:
            raise InvalidRequestError(
                "numbers", "must be an iterable or async iterable of phone numbers"
            )
        _validate.text(text)
        options = self._options(sender, send_at, iys)
        return self._bulk(source, text, options, chunk_size)

    async def _bulk(
        self,
        source: Iterable[object] | AsyncIterable[object],
        text: str,
        options: _Options,
        chunk_size: int,
    ) -> AsyncIterator[Order]:
        orders: list[Order] = []
        chunk: dict[str, None] = {}
        start = index = 0  # input index of the chunk's first item / of the next item
        async for item in _items(source):
            try:
                if not isinstance(item, str | int) or isinstance(item, bool):
                    raise InvalidRequestError(f"numbers[{index}]", "must be a phone number string")
                chunk.setdefault(_validate.numbers(item, field=f"numbers[{index}]")[0], None)
            except InvalidRequestError as exc:
                raise BulkSendError(
                    f"send_bulk: {exc}; {len(orders)} order(s) created, "
                    f"nothing from index {start} on was sent",
                    orders=tuple(orders),
                    next_index=start,
                ) from exc
            index += 1
            if len(chunk) == chunk_size:
                orders.append(
                    await self._bulk_chunk(list(chunk), text, options, orders, start, index)
                )
                chunk.clear()
                start = index
                yield orders[-1]
        if chunk:
            orders.append(await self._bulk_chunk(list(chunk), text, options, orders, start, index))
            yield orders[-1]

    async def _bulk_chunk(
        self,
        numbers: list[str],
        text: str,
        options: _Options,
        orders: list[Order],
        start: int,
        end: int,
    ) -> Order:
        """Send input items ``[start, end)`` as one order, or raise a resumable BulkSendError."""
        try:
            return await self._submit([(text, numbers)], options)
        except SendOutcomeUnknownError as exc:
            raise BulkSendError(
                f"send_bulk: numbers[{start}:{end}] may have been sent ({exc}); "
                f"{len(orders)} order(s) created before it; not resent, resume from index {end}",
                orders=tuple(orders),
                next_index=end,
                maybe_sent_index=start,
                pending=exc.pending,
            ) from exc
        except IletiMerkeziError as exc:
            raise BulkSendError(
                f"send_bulk: numbers[{start}:{end}] failed ({exc}); "
                f"{len(orders)} order(s) created, resume from index {start}",
                orders=tuple(orders),
                next_index=start,
            ) from exc

    async def resolve(
        self,
        pending: PendingSend,
        *,
        settle: float = 120.0,
        slack: float = _resolve.SLACK,
        exclude: Iterable[str] = (),
    ) -> Order | None:
        """The order an ambiguous send created, ``None`` once it is proven absent; never sends.

        ``pending`` is :attr:`SendOutcomeUnknownError.pending` (from this
        process or, through ``to_dict``/pickling, another).  The order is
        looked up in get-reports (same sender, ``submitAt`` within the submit
        window widened by ``slack`` seconds each side) and confirmed through
        get-report's recipients; ids this client already got from a send or a
        resolution are skipped.  ``None`` is returned only from a look made
        ``settle`` seconds or more after ``submitted_before`` (on the client's
        clock): until then it looks again every 5 s, doubling to 30 s.
        :class:`AmbiguousSendError` (``candidates``) when it cannot tell;
        docs/exactly-once.md says when that happens and what it costs.
        ``exclude`` adds order ids known to belong to other sends (a
        campaign's ledger): for this call, they are never candidates.
        """
        checked, wait, widen = _resolve.check(pending, settle, slack)
        claims = self._settings.claims
        known = _resolve.known(exclude)
        if known:
            claims = claims.with_sent(known)
        return await _resolve.resolve(self._transport, claims, checked, wait, widen)

    async def cancel(self, order_id: str) -> None:
        """Cancel a scheduled order before its time (afterwards: OrderNotFoundError, 455)."""
        await self._transport.call(api.CANCEL_ORDER, _validate.order_id(order_id))
