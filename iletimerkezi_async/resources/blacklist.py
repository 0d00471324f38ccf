"""The account's blacklist: numbers that never receive an SMS from it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import _endpoints as api
from .. import _validate, _wire
from .._log import get_logger
from ..errors import InvalidRequestError, RepeatedPageError
from ..pagination import Fetched, PageSource, Paginator, Position
from ..phone import mask_number
from ._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._transport import Transport

log = get_logger("iletimerkezi_async")


class BlacklistPages(PageSource[str]):
    """get-blacklist pages until ``page * rowCount >= count`` or an empty page.

    ``count`` is the account total, so a server that ignores ``page`` would
    repeat page 1 that many times: a page equal to the previous one raises
    :class:`RepeatedPageError` instead of ending the walk as if it were complete.
    """

    kind = "blacklist.list"

    def __init__(
        self,
        transport: Transport,
        *,
        start: datetime | None,
        end: datetime | None,
        page_size: int,
    ) -> None:
        self._transport = transport
        self._start = start
        self._end = end
        self._size = page_size
        self._previous: tuple[str, ...] = ()

    def scope(self) -> Mapping[str, Any]:
        return {
            "start": None if self._start is None else _wire.format_timestamp(self._start),
            "end": None if self._end is None else _wire.format_timestamp(self._end),
            "size": self._size,
        }

    async def fetch(self, position: Position) -> Fetched[str]:
        (page,) = position
        answer = await self._transport.call(
            api.GET_BLACKLIST, page=page, page_size=self._size, start=self._start, end=self._end
        )
        count, numbers = answer.blacklist.total, answer.blacklist.numbers
        last = not numbers or page * self._size >= count
        if numbers and numbers == self._previous:
            name = api.GET_BLACKLIST.name
            raise RepeatedPageError(
                f"{name} page {page} repeats page {page - 1}: the server ignored the page "
                f"number, so the walk stopped there ({count} numbers in all)",
                endpoint=name,
                page=page,
            )
        self._previous = numbers
        return Fetched(items=numbers, next=None if last else (page + 1,), number=page, total=count)


class BlacklistResource(Resource):
    async def add(self, number: str) -> None:
        """Block ``number``; adding a number twice is fine (the API is idempotent).

        One number per call, as the API takes it: a list is refused, so no
        number is silently left out.
        """
        normalized = _validate.number(number)
        log.debug(
            "blacklist add %s", mask_number(normalized), extra={"endpoint": api.ADD_BLACKLIST.name}
        )
        await self._transport.call(api.ADD_BLACKLIST, normalized)

    async def remove(self, number: str) -> None:
        """Unblock ``number``; a number not on the list raises BlacklistError (474).

        One number per call; a list is refused before any request.
        """
        normalized = _validate.number(number)
        log.debug(
            "blacklist remove %s",
            mask_number(normalized),
            extra={"endpoint": api.DELETE_BLACKLIST.name},
        )
        await self._transport.call(api.DELETE_BLACKLIST, normalized)

    def list(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        page_size: int = 1000,
        resume_from: str | None = None,
    ) -> Paginator[str]:
        """Every blacklisted number (``+90…``), oldest block first, page by page.

        ``start``/``end`` (timezone-aware, inclusive) filter on when a number
        was blocked; they are sent as Istanbul ``Y-m-d H:i:s``, so sub-second
        parts are dropped.  Arguments are checked here, before any request.
        """
        first = _validate.aware(start, "start")
        last = _validate.aware(end, "end")
        if first is not None and last is not None and first > last:
            raise InvalidRequestError("start", "must not be after end")
        source = BlacklistPages(
            self._transport, start=first, end=last, page_size=_validate.page_size(page_size)
        )
        return Paginator(source, resume_from=resume_from)
